package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one stop script, job-cancel.sh, run by the local POSIX shell (no SSH involved) the way the
 * console runs it on a server: by process id for an SSH command, by directory for a detached job.
 */
class RemoteStopTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void procps() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/pgrep")), "procps not installed");
    }

    private record Run(int exit, String out, String err) {}

    private static Run sh(RemoteCommand c) throws Exception {
        List<String> argv = c.argv();
        assertEquals("sh", argv.get(0));
        Process p = new ProcessBuilder(argv).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the stop never returned");
        return new Run(p.exitValue(), out, err);
    }

    private static RemoteCommand byPid(long pid) {
        List<RemoteCommand> attempts = RemoteStop.process(pid, null);
        assertEquals(1, attempts.size());
        return attempts.get(0);
    }

    @Test
    void aCommandUnderSudoIsStoppedAsRootFirstThenAsItsUserThenAsTheLoginUser() {
        List<RemoteCommand> a = RemoteStop.process(12, "postgres");
        assertEquals(List.of("root", "postgres"), List.of(a.get(0).runAs(), a.get(1).runAs()));
        assertEquals(null, a.get(2).runAs());
        assertEquals(2, RemoteStop.process(12, "root").size());
        // the same script for every way, given the pid as its own argument
        for (RemoteCommand c : a) {
            assertEquals(List.of("sh", "-c", RemoteStop.SCRIPT, "job-cancel", "--pid", "12"), c.argv());
        }
        RemoteCommand job = RemoteStop.job("/srv/.twinshift/upgrades/x/pg_upgrade");
        assertEquals(List.of("sh", "-c", RemoteStop.SCRIPT, "job-cancel", "/srv/.twinshift/upgrades/x/pg_upgrade"),
                job.argv());
        assertEquals("root", job.runAs());
    }

    @Test
    void byPidItEndsTheGroupAndDescendantsThatLeftIt() throws Exception {
        String a = LabSsh.uniqueSleep();
        String b = LabSsh.uniqueSleep();
        // As sshd starts a command: as the leader of a new session and process group.
        String c = LabSsh.uniqueSleep();
        Process victim = new ProcessBuilder("setsid", "sh", "-c",
                "sleep \"$1\" & setsid sleep \"$2\" & (sleep \"$3\" &); wait", "sh", a, b, c).start();
        waitFor(() -> alive("sleep " + a) && alive("sleep " + b) && alive("sleep " + c));

        Run r = sh(byPid(victim.pid()));
        assertEquals(new Run(0, "stopped\n", ""), r);
        assertTrue(victim.waitFor(5, TimeUnit.SECONDS));
        assertFalse(alive("sleep " + a), "child in the group survived");
        assertFalse(alive("sleep " + b), "child in its own session survived");
        assertFalse(alive("sleep " + c), "orphan in the group, no longer a descendant, survived");
    }

    @Test
    void whatIgnoresTermIsKilledAndSoIsWhatItStartsMeanwhile() throws Exception {
        String n = LabSsh.uniqueSleep();
        String m = LabSsh.uniqueSleep();
        // A child in its own session that ignores TERM, and starts another one once its first sleep dies.
        Process victim = new ProcessBuilder("setsid", "sh", "-c",
                "setsid sh -c 'trap \"\" TERM; sleep \"$1\"; sleep \"$2\"' sh \"$1\" \"$2\" & wait", "sh", n, m).start();
        waitFor(() -> alive("sleep " + n));
        long t0 = System.nanoTime();
        Run r = sh(byPid(victim.pid()));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, r.exit(), r.err());
        assertTrue(ms >= 4_000, "KILL came after " + ms + " ms, before the grace period");
        assertFalse(alive("sleep " + n));
        assertFalse(alive("sleep " + m), "what the TERM-ignoring shell started during the grace period survived");
        assertFalse(alive("sh -c trap \"\" TERM; sleep \"$1\"; sleep \"$2\" sh " + n + " " + m), "the shell survived");
    }

    @Test
    void aProcessThatIsGoneIsNotRunningAndABadPidIsRefused() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        assertEquals(new Run(0, "not running\n", ""), sh(byPid(p.pid())));
        Run bad = sh(RemoteCommand.of("sh", "-c", RemoteStop.SCRIPT, "job-cancel", "--pid", "1; touch x"));
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("not a process id"), bad.err());
    }

    /**
     * A detached job is stopped by the same rules as an SSH command: a server pg_upgrade starts
     * leaves the job's group (pg_ctl calls setsid), and so did anything else that did the same.
     */
    @Test
    void aJobIsStoppedWithWhatLeftItsGroup() throws Exception {
        String a = LabSsh.uniqueSleep();
        String b = LabSsh.uniqueSleep();
        String c = LabSsh.uniqueSleep();
        String job = dir.resolve("job").toString();
        String start = RemoteStop.resource("job-start.sh");
        // sleep c is orphaned (its parent subshell exits at once) but stays in the job's group: only
        // signalling the group reaches it.
        Run started = sh(RemoteCommand.of("sh", "-c", start, "job-start", job, "root",
                "sh", "-c", "sleep \"$1\" & setsid sleep \"$2\" & (sleep \"$3\" &); wait", "sh", a, b, c));
        assertEquals(0, started.exit(), started.err());
        waitFor(() -> alive("sleep " + a) && alive("sleep " + b) && alive("sleep " + c));

        Run r = sh(RemoteStop.job(job));
        assertEquals(new Run(0, "stopped\n", ""), r);
        assertFalse(alive("sleep " + a), "child in the job's group survived");
        assertFalse(alive("sleep " + b), "child that left the job's group survived");
        assertFalse(alive("sleep " + c), "orphan in the job's group survived");
        assertTrue(Files.exists(Path.of(job, "cancelled")));
        assertEquals(new Run(0, "not running\n", ""), sh(RemoteStop.job(job)), "a second stop finds nothing");
    }

    @Test
    void aJobThatNeverStartedIsNotRunningAndMarkedSoItNeverWill() throws Exception {
        String job = dir.resolve("never").toString();
        assertEquals(new Run(0, "not running\n", ""), sh(RemoteStop.job(job)));
        String start = RemoteStop.resource("job-start.sh");
        Run late = sh(RemoteCommand.of("sh", "-c", start, "job-start", job, "root", "true"));
        assertEquals(92, late.exit(), late.err());
    }

    static boolean alive(String commandLine) {
        try {
            Process p = new ProcessBuilder("pgrep", "-x", "-f", commandLine).start();
            p.waitFor(5, TimeUnit.SECONDS);
            return p.exitValue() == 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached");
            }
            Thread.sleep(20);
        }
    }
}
