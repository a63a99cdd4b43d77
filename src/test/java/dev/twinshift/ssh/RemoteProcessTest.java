package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The remote wrapper, run by the local POSIX shell (no SSH involved). */
class RemoteProcessTest {
    static final String MARKER = "\u001ets-00aa11bb22cc ";

    @Test
    void wrapperReportsItsPidThenBecomesTheCommand() throws Exception {
        RemoteCommand c = RemoteCommand.of("sh", "-c", "echo \"out $$\"; echo err >&2; exit 42");
        String wrapped = RemoteProcess.wrap(c, MARKER);
        assertTrue(wrapped.endsWith("; exec " + c.toShell()), wrapped);
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", wrapped)).start();
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
    void exitCodesOfSignalsAreTheShells() {
        assertEquals(7, RemoteProcess.exitCodeOf(7, null));
        assertEquals(143, RemoteProcess.exitCodeOf(-1, "TERM"));
        assertEquals(137, RemoteProcess.exitCodeOf(-1, "KILL"));
        assertEquals(-1, RemoteProcess.exitCodeOf(-1, null));
    }
}
