package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.ConsoleProcess;
import dev.twinshift.lab.FaultLedger;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CatalogLock;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault suite for the cutover: the console running {@code upgrade cutover} dies (a fail point halts
 * it as {@code kill -9} would) at a step of the upgrade, pg_upgrade still running on the server in some
 * of them, and another console rolls back or resumes at once. The old cluster must end serving on its
 * port with every table as before (or the new one with the same tables, after a resume), no pg_upgrade
 * or its servers left running, no lock, no half-made cluster, and the journal telling the truth.
 */
class CutoverFaultIT {
    static final Actor ME = new Actor("tsadmin", "it", "cutover-fault-it");
    static ScratchCluster sc;
    static int port;
    static List<String> before;

    @BeforeAll
    static void lab() throws Exception {
        // A connection of its own: the command-line runs below close the shared one when they end.
        CutoverIT.shell = LabShell.fresh(Lab.require().admin());
        sc = CutoverIT.scratch("upf");
        port = sc.cluster().port();
        before = CutoverIT.checksums(sc.psql());
    }

    @AfterAll
    static void dropScratch() throws Exception {
        if (sc != null) {
            CutoverIT.cleanUpAllOf(sc, ME);
            sc.close();
        }
    }


    /** The processes whose command line contains {@code what}, one per line; empty when none. */
    static String running(String what) throws Exception {
        return CutoverIT.shell.run(RemoteCommand.of("pgrep", "-af", "--", what).asRoot()).stdout().lines()
                .filter(l -> !l.contains("pgrep")).reduce("", (a, b) -> a + b + "\n").strip();
    }

    static LabCli.Run cli(String... args) {
        return LabCli.run(args);
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("upgrade:" + Cutover.PREPARE + ":after", "rollback"),
                Arguments.of("upgrade:" + Cutover.LIVE_CHECK + ":after", "rollback"),
                Arguments.of("upgrade:" + Cutover.STOP_OLD + ":after", "resume"),
                Arguments.of("upgrade:" + Cutover.SNAPSHOT + ":after", "rollback"),
                Arguments.of("upgrade:" + Cutover.PG_UPGRADE + ":before", "rollback"),
                // pg_upgrade has just been started on the server: the rollback races it unless it stops it first.
                Arguments.of("upgrade:" + Cutover.PG_UPGRADE + ":job-started", "rollback"),
                Arguments.of("upgrade:" + Cutover.PG_UPGRADE + ":job-started", "rollback"),
                Arguments.of("upgrade:" + Cutover.PG_UPGRADE + ":job-started", "rollback"),
                Arguments.of("upgrade:" + Cutover.PG_UPGRADE + ":job-started", "resume"),
                Arguments.of("upgrade:" + Cutover.PORT_SWAP + ":after", "resume"),
                Arguments.of("upgrade:" + Cutover.START_NEW + ":after", "rollback"),
                Arguments.of("upgrade:" + Cutover.VALIDATE + ":before", "rollback"),
                Arguments.of("upgrade:" + Cutover.HAND_OVER + ":before", "resume"),
                Arguments.of("upgrade:" + Cutover.ANALYZE + ":before", "resume"));
    }

    @ParameterizedTest(name = "console killed at {0}, then {1}")
    @MethodSource("faults")
    void consoleKilledDuringACutoverLeavesAStateAnotherConsoleRollsBackOrFinishes(String failPoint, String then)
            throws Exception {
        UpgradePlan p = CutoverIT.plan(sc);
        Catalog cat = UpgradeWorkspace.catalogOf(CutoverIT.shell, p);
        boolean survived = false;
        long lost = -1;
        try {
            ConsoleProcess.Ended killed = ConsoleProcess.run(failPoint, "upgrade", "cutover", "--cluster", sc.id(),
                    "--yes", "--grace", "0", "--without-rehearsal");
            assertEquals(137, killed.code(), "the fail point halts the console: " + killed.out() + killed.err());
            String op = new Upgrades(CutoverIT.shell).unfinished(cat, sc.id()).get(0).operation();

            LabCli.Run go = then.equals("resume")
                    ? cli("upgrade", "resume", "--cluster", sc.id(), "--operation", op)
                    : cli("upgrade", "rollback", "--cluster", sc.id(), "--operation", op, "--yes");
            assertEquals(0, go.code(), go.out() + go.err());

            ClusterDiscovery d = new ClusterDiscovery(CutoverIT.shell);
            UpgradeState st = UpgradeState.of(op, new dev.twinshift.storage.Journal(CutoverIT.shell, cat, op).read());
            assertEquals("", running("bin/pg_upgrade"), "no pg_upgrade is left running");
            if (then.equals("rollback")) {
                assertEquals("", running("postgres -D " + p.newDataDirectory()), "no server of the new cluster runs");
            }
            if (then.equals("resume")) {
                assertEquals(UpgradeState.COMPLETED, st.outcome(), st.describe());
                CutoverIT.assertServesAs("15", port, d.find(p.newId()));
                List<String> now = CutoverIT.checksums(Psql.forCluster(CutoverIT.shell, d.find(p.newId())));
                lost = FaultLedger.rowsLost(before, now);
                assertEquals(before, now, "the upgraded cluster has every row");
                // Back to 13 for the next fault.
                LabCli.Run back = cli("upgrade", "rollback", "--cluster", p.newId(), "--operation", op, "--yes");
                assertEquals(0, back.code(), back.out() + back.err());
                CutoverIT.dropKeptWrites(cat, op);
            } else {
                assertEquals(UpgradeState.ROLLED_BACK, st.outcome(), st.describe());
                CutoverIT.dropKeptWrites(cat, op);
            }
            assertFalse(d.listClusters().stream().anyMatch(c -> c.id().equals(p.newId())), "the new cluster is dropped");
            assertFalse(CutoverIT.shell.run(RemoteCommand.of("test", "-e", p.newDataDirectory()).asRoot()).ok(),
                    "its data directory is gone");
            PgCluster old = d.find(p.oldId());
            CutoverIT.assertServesAs("13", port, old);
            List<String> now = CutoverIT.checksums(sc.psql());
            lost = Math.max(lost, FaultLedger.rowsLost(before, now));
            assertEquals(before, now, "the old cluster has every row");
            assertTrue(CatalogLock.holder(cat).isEmpty(), "no lock is left behind");
            survived = true;
        } finally {
            FaultLedger.record("cutover", "killed at " + failPoint.substring("upgrade:".length()) + ", then " + then,
                    survived, Math.max(lost, 0));
            if (!survived) {
                // Whatever this failure left, 13 must serve again for the faults that follow.
                try {
                    new CutoverRollback(CutoverIT.shell, ME, UpgradeListener.NONE).rollback(cat, p.operation());
                } catch (Exception e) {
                    System.err.println("could not roll back " + p.operation() + " after the failure: " + e.getMessage());
                }
                CutoverIT.cleanUp(p);
            }
        }
    }

    /**
     * After clients wrote to the new cluster, the rollback says plainly that those writes leave the live
     * cluster, how many, and keeps them in a pinned snapshot of the new cluster's data, whose clone has them.
     */
    @Test
    void rollbackAfterWritesOnTheNewVersionSaysWhatIsLostAndKeepsItInASnapshot() throws Exception {
        UpgradePlan p = CutoverIT.plan(sc);
        Catalog cat = UpgradeWorkspace.catalogOf(CutoverIT.shell, p);
        try {
            UpgradeState done = new Cutover(CutoverIT.shell, ME, UpgradeListener.NONE, new Cutover.Options(Duration.ZERO,
                    false)).run(p, CutoverIT.WITHOUT_REHEARSAL);
            assertEquals(UpgradeState.COMPLETED, done.outcome());
            Psql fifteen = Psql.forCluster(CutoverIT.shell, new ClusterDiscovery(CutoverIT.shell).find(p.newId()));
            for (int i = 0; i < 5; i++) {
                fifteen.exec("postgres", "INSERT INTO notes(body) SELECT 'written on 15, batch " + i + "' FROM"
                        + " generate_series(1, 20)", Duration.ofMinutes(1));
            }
            CutoverRollback second = new CutoverRollback(CutoverIT.shell, new Actor("tsadmin", "it", "second"),
                    UpgradeListener.NONE);
            CutoverRollback.Cost cost = second.cost(cat, p.operation());
            assertTrue(cost.text().contains("will be lost"), cost.text());
            assertTrue(cost.transactions() >= 5, cost.text());
            assertTrue(cost.tablesChanged().contains("postgres:public.notes"), cost.text());
            assertTrue(cost.walBytes() > 0, cost.text());
            LabCli.Run preview = cli("upgrade", "rollback", "--cluster", p.newId(), "--operation", p.operation());
            assertEquals(3, preview.code());
            assertTrue(preview.err().contains("will be lost") && preview.err().contains("postgres:public.notes"),
                    "without --yes the command line says what is lost: " + preview.err());

            UpgradeState end = second.rollback(cat, p.operation());
            assertEquals(UpgradeState.ROLLED_BACK, end.outcome());
            String kept = end.data().get("newWritesSnapshot");
            assertTrue(kept != null && end.lastMessage().contains(kept), end.lastMessage());
            SnapshotRecord s = cat.snapshot(kept).orElseThrow();
            assertTrue(s.pinned() && s.reason() == Reason.PRE_ROLLBACK, s.toString());
            assertEquals(before, CutoverIT.checksums(sc.psql()), "13 is back with its pre-upgrade data");

            CloneService clones = new CloneService(CutoverIT.shell, ME, Progress.NONE);
            CloneRecord c = clones.create(cat, kept, "writes15-" + sc.name());
            try {
                c = clones.start(cat, c.name());
                Psql clone = new dev.twinshift.postgres.CloneServer(CutoverIT.shell).psql(clones.spec(cat, c));
                assertEquals("100", clone.value("postgres", "SELECT count(*) FROM notes WHERE body LIKE 'written on 15%'"),
                        "the writes made on 15 are in the snapshot the rollback kept");
            } finally {
                clones.destroy(cat, c.name());
                SnapshotService snaps = new SnapshotService(CutoverIT.shell, ME, Progress.NONE);
                snaps.pin(cat, kept, false);
                snaps.delete(cat, kept);
            }
        } finally {
            CutoverIT.cleanUp(p);
        }
    }
}
