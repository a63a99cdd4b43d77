package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The remote wrapper and the stop script, run by the local POSIX shell (no SSH involved). */
class SshConnectionTest {
    static final String MARKER = "\u001ets-00aa11bb22cc ";

    private static Process sh(String script, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/bin/sh", "-c", script));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    @Test
    void wrapperReportsItsPidThenBecomesTheCommand() throws Exception {
        RemoteCommand c = RemoteCommand.of("sh", "-c", "echo \"out $$\"; echo err >&2; exit 42");
        String wrapped = SshConnection.wrap(c, MARKER);
        assertTrue(wrapped.endsWith("; exec " + c.toShell()), wrapped);
        Process p = sh(wrapped);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        // the exit code is the command's own, not a wrapper's
        assertEquals(42, p.exitValue());
        // the marker carries the shell's pid, and the command runs in that very process (exec)
        assertEquals(MARKER + p.pid() + "\nerr\n", err);
        assertEquals("out " + p.pid() + "\n", out);
    }

    @Test
    void stopScriptEndsTheGroupAndDescendantsThatLeftIt() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/pgrep")), "procps not installed");
        String a = LabSsh.uniqueSleep();
        String b = LabSsh.uniqueSleep();
        // As sshd starts a command: as the leader of a new session and process group.
        Process victim = new ProcessBuilder("setsid", "sh", "-c",
                "sleep \"$1\" & setsid sleep \"$2\" & wait", "sh", a, b).start();
        long pid = victim.pid();
        waitFor(() -> alive("sleep " + a) && alive("sleep " + b));

        Process stop = sh(SshConnection.STOP_SCRIPT, "twinshift-stop", Long.toString(pid));
        assertTrue(stop.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, stop.exitValue(), new String(stop.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(victim.waitFor(5, TimeUnit.SECONDS));
        assertFalse(alive("sleep " + a), "child in the group survived");
        assertFalse(alive("sleep " + b), "child in its own session survived");
    }

    private static boolean alive(String commandLine) {
        try {
            Process p = new ProcessBuilder("pgrep", "-x", "-f", commandLine).start();
            p.waitFor(5, TimeUnit.SECONDS);
            return p.exitValue() == 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached");
            }
            Thread.sleep(20);
        }
    }
}
