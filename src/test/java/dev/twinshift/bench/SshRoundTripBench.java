package dev.twinshift.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinshift.lab.Lab;
import dev.twinshift.ssh.AuditLog;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.SshConnection;
import dev.twinshift.ssh.SshConnector;
import dev.twinshift.ssh.SshTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Round trip of a trivial command ({@code true}) on one reused session, against spawning the
 * OpenSSH client once per command, on the lab's sshd. Run by src/test/bench/ssh-roundtrip.sh.
 *
 * <p>Arguments: [count] (default 200).
 */
public final class SshRoundTripBench {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path descriptor = Lab.descriptorPath();
        if (!Files.isReadable(descriptor)) {
            System.err.println("the lab is not up (" + descriptor + " missing)");
            System.exit(2);
        }
        JsonNode lab = new ObjectMapper().readTree(descriptor.toFile());
        String host = lab.path("host").asText();
        int port = lab.path("port").asInt();
        String user = lab.path("user").asText();
        Path key = Path.of(lab.path("identityFile").asText());
        String fingerprint = lab.path("hostKeyFingerprint").asText();

        Path tmp = Files.createTempDirectory("twinshift-bench");
        try {
            Path knownHosts = tmp.resolve("known_hosts");
            SshConnector connector = new SshConnector(knownHosts, new AuditLog(tmp.resolve("audit.jsonl")))
                    .withAgent(null).withDefaultIdentities(List.of());
            SshTarget target = new SshTarget("lab", host, port, user, List.of(key), null);

            double[] reused = new double[n];
            try (SshConnection c = connector.connect(target, (h, p, t, fp) -> fp.equals(fingerprint), PasswordPrompt.NONE)) {
                RemoteCommand trueCmd = RemoteCommand.of("true");
                for (int i = 0; i < 50; i++) {
                    c.check(trueCmd);
                }
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    c.check(trueCmd);
                    reused[i] = (System.nanoTime() - t0) / 1e6;
                }
            }

            Path sshKnownHosts = tmp.resolve("known_hosts_openssh");
            List<String> ssh = List.of("ssh", "-F", "/dev/null", "-i", key.toString(), "-p", Integer.toString(port),
                    "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=accept-new",
                    "-o", "UserKnownHostsFile=" + sshKnownHosts, "-o", "ControlMaster=no", "-o", "ControlPath=none",
                    "-o", "LogLevel=ERROR", user + "@" + host, "true");
            double[] spawned = new double[n];
            for (int i = 0; i < 5; i++) {
                runSsh(ssh);
            }
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                runSsh(ssh);
                spawned[i] = (System.nanoTime() - t0) / 1e6;
            }

            double m1 = percentile(reused, 50);
            double m2 = percentile(spawned, 50);
            System.out.printf("round trip of `true`, %d runs each%n", n);
            System.out.printf("  reused session (Twinshift): median %.2f ms, p90 %.2f ms, min %.2f ms%n", m1,
                    percentile(reused, 90), percentile(reused, 0));
            System.out.printf("  ssh per command (OpenSSH):  median %.2f ms, p90 %.2f ms, min %.2f ms%n", m2,
                    percentile(spawned, 90), percentile(spawned, 0));
            System.out.printf("  ratio (median): %.1fx%n", m2 / m1);
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void runSsh(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("ssh failed: " + new String(out));
        }
    }

    static double percentile(double[] values, int pct) {
        double[] v = values.clone();
        Arrays.sort(v);
        if (pct <= 0) {
            return v[0];
        }
        int i = (int) Math.ceil(pct / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }
}
