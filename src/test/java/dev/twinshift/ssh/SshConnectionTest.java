package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The remote wrapper, run by the local POSIX shell (no SSH involved). */
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
}
