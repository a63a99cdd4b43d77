package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ssh.SshTarget;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {

    @Test
    void serverSpellings() {
        SshTarget t = Cli.parseServer("tsadmin@127.0.0.1:2222");
        assertEquals("tsadmin", t.user());
        assertEquals("127.0.0.1", t.host());
        assertEquals(2222, t.port());
        assertEquals(22, Cli.parseServer("a@db1").port());
        assertEquals("::1", Cli.parseServer("a@[::1]:2200").host());
        assertEquals(2200, Cli.parseServer("a@[::1]:2200").port());
        assertThrows(IllegalArgumentException.class, () -> Cli.parseServer("a@db:x"));
    }

    @Test
    void noServerIsAClearError() {
        StringWriter err = new StringWriter();
        Cli cli = new Cli(t -> {
            throw new AssertionError("must not connect");
        });
        int code = runWith(cli, err, "clusters");
        assertEquals(Cli.EXIT_REFUSED, code);
        assertTrue(err.toString().contains("--server USER@HOST[:PORT]"), err.toString());
    }

    @Test
    void invalidCloneNameIsRefusedBeforeAnythingRuns() {
        StringWriter err = new StringWriter();
        int code = runWith(new Cli(t -> {
            throw new AssertionError("must not connect");
        }), err, "--server", "a@b", "clone", "start", "--cluster", "13/main", "bad name;rm");
        assertEquals(Cli.EXIT_REFUSED, code);
        assertTrue(err.toString().contains("is not a valid clone name"), err.toString());
    }

    @Test
    void usageErrors() {
        StringWriter err = new StringWriter();
        assertEquals(2, runWith(new Cli(t -> null), err, "rollback", "--cluster", "13/main"));
        assertTrue(err.toString().contains("--to"), err.toString());
    }

    static int runWith(Cli cli, StringWriter err, String... args) {
        CommandLine cl = new CommandLine(cli);
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("twinshift: " + e.getMessage());
            return Cli.EXIT_REFUSED;
        });
        return cl.execute(args);
    }
}
