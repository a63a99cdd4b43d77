package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class BisectCliTest {

    record Run(int code, String out, String err) {
    }

    /** Runs the command line with a shell factory that must not be reached: these cases end before any connection. */
    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new Cli(t -> {
            throw new AssertionError("no connection expected for " + String.join(" ", args));
        }), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpDocumentsTheChecksTheExitStatusOfCommandsAndTheExitCodes() {
        Run r = run("bisect", "--help");
        assertEquals(0, r.code());
        for (String s : new String[] {"--sql", "--same-rows", "--upgrade-check", "--rehearsal", "--command", "--scan-all",
                "--parallel", "125 skip", "Exit codes:", "4", "the range has no bad snapshot", "the check itself errored"}) {
            assertTrue(r.out().contains(s), s + " in:\n" + r.out());
        }
        assertEquals(0, run("bisect", "status", "--help").code());
        assertTrue(run("bisect", "clean", "--help").out().contains("--yes"));
    }

    @Test
    void badInputSaysWhatIsWrongBeforeConnecting() {
        Run none = run("--server", "a@db1", "bisect", "--cluster", "13/main");
        assertEquals(3, none.code(), none.err());
        assertTrue(none.err().contains("say what to check"), none.err());
        Run two = run("--server", "a@db1", "bisect", "--cluster", "13/main", "--sql", "SELECT true", "--upgrade-check", "15");
        assertEquals(2, two.code(), "one check at a time: " + two.err());
        Run ref = run("--server", "a@db1", "bisect", "--cluster", "13/main", "--sql", "SELECT true", "--reference", "x");
        assertTrue(ref.err().contains("--reference goes with --same-rows"), ref.err());
        Run noRef = run("--server", "a@db1", "bisect", "--cluster", "13/main", "--same-rows", "SELECT 1");
        assertTrue(noRef.err().contains("--same-rows needs --reference"), noRef.err());
        Run cmd = run("--server", "a@db1", "bisect", "--cluster", "13/main", "--command");
        assertTrue(cmd.err().contains("--command needs the command after --"), cmd.err());
        Run version = run("--server", "a@db1", "bisect", "--cluster", "13/main", "--upgrade-check", "fifteen");
        assertTrue(version.err().contains("not a PostgreSQL major version"), version.err());
        Run k = run("--server", "a@db1", "bisect", "--cluster", "13/main", "--sql", "SELECT true", "--parallel", "0");
        assertTrue(k.err().contains("--parallel must be between 1 and 16"), k.err());
        Run cluster = run("--server", "a@db1", "bisect", "--sql", "SELECT true");
        assertTrue(cluster.err().contains("say which cluster"), cluster.err());
    }

    @Test
    void exitCodesFollowTheOutcome() {
        assertEquals(0, BisectCli.exitCode(dev.twinshift.bisect.BisectSearch.Outcome.FOUND));
        assertEquals(4, BisectCli.exitCode(dev.twinshift.bisect.BisectSearch.Outcome.NO_BAD));
        assertEquals(4, BisectCli.exitCode(dev.twinshift.bisect.BisectSearch.Outcome.NO_GOOD));
        assertEquals(5, BisectCli.exitCode(dev.twinshift.bisect.BisectSearch.Outcome.ERROR));
        assertEquals(6, BisectCli.exitCode(dev.twinshift.bisect.BisectSearch.Outcome.UNDECIDED));
        assertEquals(130, BisectCli.exitCode(dev.twinshift.bisect.BisectSearch.Outcome.CANCELLED));
    }
}
