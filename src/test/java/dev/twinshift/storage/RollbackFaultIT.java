package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.ConsoleProcess;
import dev.twinshift.lab.FaultLedger;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault suite for snapshot rollbacks: the console is killed (a fail point halts its process the way
 * {@code kill -9} does) before and after every step of a rollback; another console then finds the
 * operation, is told what state the cluster is in and what to run, and finishes or undoes it. The
 * cluster must end running, every table equal to the state expected, with no lock and no half-made
 * volume left, and the journal telling the truth.
 */
class RollbackFaultIT {
    static RemoteShell shell;
    static ScratchCluster sc;
    static Catalog cat;
    static final Actor ME = new Actor("tsadmin", "it", "rollback-fault-it");

    @BeforeAll
    static void lab() throws Exception {
        Lab.require();
        // A connection of its own: the command-line runs below close the shared one when they end.
        shell = LabShell.fresh(Lab.require().admin());
        sc = ScratchCluster.create(shell, "13", "itrbf");
        RollbackIT.fill(sc);
        cat = new SnapshotService(shell, ME, Progress.NONE).volumeOf(sc.cluster()).catalog();
    }

    @AfterAll
    static void dropScratch() throws Exception {
        if (sc != null) {
            sc.close();
        }
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of(RollbackService.STOP, "before", "undo"),
                Arguments.of(RollbackService.STOP, "after", "resume"),
                Arguments.of(RollbackService.SAFETY, "before", "resume"),
                Arguments.of(RollbackService.SAFETY, "after", "undo"),
                Arguments.of(RollbackService.SET_ASIDE, "before", "undo"),
                Arguments.of(RollbackService.SET_ASIDE, "after", "undo"),
                Arguments.of(RollbackService.SET_ASIDE, "after", "resume"),
                Arguments.of(RollbackService.RESTORE, "before", "resume"),
                Arguments.of(RollbackService.RESTORE, "after", "undo"),
                Arguments.of(RollbackService.RESTORE, "after", "resume"),
                Arguments.of(RollbackService.START, "before", "resume"),
                Arguments.of(RollbackService.START, "after", "resume"),
                Arguments.of(RollbackService.CLEANUP, "before", "resume"),
                Arguments.of(RollbackService.CLEANUP, "after", "resume"));
    }


    static LabCli.Run cli(String... args) {
        return LabCli.run(args);
    }

    @ParameterizedTest(name = "console killed {1} {0}, then {2}")
    @MethodSource("faults")
    void consoleKilledDuringARollbackLeavesAStateAnotherConsoleFinishesOrUndoes(String step, String when, String then)
            throws Exception {
        List<String> atSnapshot = ScratchCluster.checksums(sc.psql(), "postgres");
        SnapshotRecord snap = new SnapshotService(shell, ME, Progress.NONE).create(sc.cluster(), Reason.MANUAL, null);
        sc.sql("postgres", "INSERT INTO events(what) SELECT 'after ' || g FROM generate_series(1, 500) g");
        sc.sql("postgres", "UPDATE accounts SET balance = balance + 1 WHERE id % 11 = 0");
        List<String> beforeRollback = ScratchCluster.checksums(sc.psql(), "postgres");
        List<String> expected = then.equals("resume") ? atSnapshot : beforeRollback;
        String fault = "killed " + when + " " + step + ", then " + then;
        boolean survived = false;
        long lost = -1;
        try {
            ConsoleProcess.Ended killed = ConsoleProcess.run("rollback:" + step + ":" + when, "rollback", "--cluster",
                    sc.id(), "--to", snap.id(), "--yes");
            assertEquals(137, killed.code(), "the fail point halts the console: " + killed.err());

            // Another console: the cluster is under an interrupted rollback, and it is told what to run.
            LabCli.Run status = cli("rollback", "status", "--cluster", sc.id());
            assertEquals(0, status.code(), status.err());
            assertTrue(status.out().contains("UNFINISHED") && status.out().contains("during " + step)
                    || status.out().contains("UNFINISHED") && when.equals("after"), status.out());
            String op = status.out().strip().split("\\s+")[0];
            LabCli.Run blocked = cli("snapshot", "create", "--cluster", sc.id());
            assertTrue(blocked.code() != 0, blocked.out() + blocked.err());
            assertTrue(blocked.err().contains(op) && blocked.err().contains("rollback resume")
                    && blocked.err().contains("rollback undo"), "the refusal says what to run: " + blocked.err());

            LabCli.Run go = cli("rollback", then, "--cluster", sc.id(), "--operation", op);
            assertEquals(0, go.code(), go.out() + go.err());

            assertTrue(sc.cluster().running(), "the cluster runs again");
            List<String> now = ScratchCluster.checksums(sc.psql(), "postgres");
            lost = FaultLedger.rowsLost(expected, now);
            assertEquals(expected, now, then + " brings back exactly the expected state");
            assertFalse(cat.exists(cat.lockDir()), "no lock is left behind");
            assertEquals("", shell.check(RemoteCommand.of("find", cat.replacedDir(), "-maxdepth", "1", "-name",
                    sc.name() + "-*").asRoot()).stdout(), "no half-made or set-aside volume is left");
            OperationState st = OperationState.read(new Journal(shell, cat, op));
            assertEquals(then.equals("resume") ? RollbackService.COMPLETED : RollbackService.UNDONE, st.outcome(),
                    "the journal tells how it ended");
            survived = true;
        } finally {
            FaultLedger.record("snapshot rollback", fault, survived, Math.max(lost, 0));
            if (!survived && CatalogLock.holder(cat).map(o -> o.operation().startsWith("rollback ")).orElse(false)) {
                // What the killed console held must not block the lab tests that follow this failure.
                CatalogLock.breakLock(cat);
            }
        }
    }
}
