package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinshift.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** What the SSH integration tests share: a private known_hosts and audit log, a recording prompt. */
final class LabSsh {
    final Lab lab;
    final Path dir;
    final Path knownHosts;
    final Path auditFile;
    final RecordingPrompt prompt;
    final SshConnector connector;

    LabSsh(Lab lab, Path dir) throws Exception {
        this.lab = lab;
        this.dir = dir;
        this.knownHosts = dir.resolve("known_hosts");
        this.auditFile = dir.resolve("audit.jsonl");
        this.prompt = new RecordingPrompt(true);
        // No agent and no default key files: only what a test names is tried.
        this.connector = new SshConnector(knownHosts, new AuditLog(auditFile)).withAgent(null)
                .withDefaultIdentities(List.of());
    }

    SshTarget admin() {
        return lab.admin();
    }

    /** The lab's second account: same key, but sudo wants a password. */
    SshTarget limited() {
        SshTarget a = lab.admin();
        return new SshTarget("twinshift-lab-limited", a.host(), a.port(),
                lab.descriptor().path("limitedUser").asText("tslimited"), a.identityFiles(), null);
    }

    SshConnection connectAdmin() throws SshException {
        SshConnection c = connector.connect(admin(), prompt, PasswordPrompt.NONE);
        return c;
    }

    String auditText() throws Exception {
        return Files.exists(auditFile) ? Files.readString(auditFile) : "";
    }

    /** A number for `sleep N` that no other test or process on the machine uses. */
    static String uniqueSleep() {
        return Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 900_000));
    }

    /** Whether a process with exactly this command line runs on the server. */
    static boolean running(RemoteShell shell, String... commandLine) throws Exception {
        CommandResult r = shell.run(RemoteCommand.of("pgrep", "-x", "-f", String.join(" ", commandLine)));
        return r.exitCode() == 0;
    }

    static void awaitRunning(RemoteShell shell, String... commandLine) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!running(shell, commandLine)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(String.join(" ", commandLine) + " never started");
            }
            Thread.sleep(50);
        }
    }

    /** Records every question; answers with a fixed yes or no. */
    static final class RecordingPrompt implements HostKeyPrompt {
        record Call(String host, int port, String keyType, String fingerprint) {}

        final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        volatile boolean answer;

        RecordingPrompt(boolean answer) {
            this.answer = answer;
        }

        @Override
        public boolean acceptUnknownKey(String host, int port, String keyType, String fingerprint) {
            calls.add(new Call(host, port, keyType, fingerprint));
            return answer;
        }

        void assertAskedOnceFor(Lab lab) {
            assertEquals(1, calls.size(), calls.toString());
            Call c = calls.get(0);
            assertEquals(lab.admin().host(), c.host());
            assertEquals(lab.admin().port(), c.port());
            assertEquals(lab.descriptor().path("hostKeyType").asText(), c.keyType());
            assertEquals(lab.hostKeyFingerprint(), c.fingerprint());
        }
    }
}
