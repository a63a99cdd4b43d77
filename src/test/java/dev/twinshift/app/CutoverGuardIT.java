package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.upgrade.CutoverIT;
import dev.twinshift.upgrade.PredictableTmpIT;
import dev.twinshift.upgrade.UpgradeState;
import dev.twinshift.upgrade.Upgrades;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code upgrade cutover --yes} as an administrator types it: refused without a passed rehearsal of
 * the plan, refused before the stop when live has blockers; live keeps serving in both cases.
 */
class CutoverGuardIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "cutover-guard-it");

    @BeforeAll
    static void lab() {
        CliIT.lab = Lab.require();
        // Its own connection: the command line closes the shared one when it ends.
        shell = LabShell.fresh(CliIT.lab.admin());
        CutoverIT.shell = shell;
    }

    static String startedAt(ScratchCluster sc) throws Exception {
        return sc.psql().value("postgres", "SELECT pg_postmaster_start_time()");
    }

    static List<UpgradeState> upgradesOf(ScratchCluster sc) throws Exception {
        return new Upgrades(shell).journaled(new Catalog(shell, ScratchCluster.BTRFS)).stream()
                .filter(s -> s.operation().contains("-upgrade-") && s.plan() != null && s.plan().oldId().equals(sc.id()))
                .toList();
    }

    static boolean listed(String id) throws Exception {
        return new ClusterDiscovery(shell).listClusters().stream().anyMatch(c -> c.id().equals(id));
    }

    @Test
    void cutoverWithoutARehearsalIsRefusedAndAfterAPassedOneGoesAhead() throws Exception {
        String target = null;
        List<String> links = List.of();
        try (ScratchCluster sc = CutoverIT.scratch("guard")) {
            try {
                int port = sc.cluster().port();
                String started = startedAt(sc);
                LabCli.Run refused = CliIT.cli("upgrade", "cutover", "--cluster", sc.id(), "--to", "15", "--yes", "--grace", "0");
                assertEquals(Cli.EXIT_REFUSED, refused.code(), refused.err());
                assertTrue(refused.err().contains("refused") && refused.err().contains("no rehearsal of this plan"),
                        refused.err());
                assertTrue(refused.err().contains("Nothing was changed"), refused.err());
                assertEquals(started, startedAt(sc), "the old cluster was never stopped");
                assertTrue(upgradesOf(sc).isEmpty(), "no upgrade journaled: nothing was done");
                assertFalse(listed("15/" + sc.name()), "no new cluster made");

                LabCli.Run rehearsed = CliIT.cli("upgrade", "rehearse", "--cluster", sc.id(), "--to", "15", "--discard",
                        "--check", "app:SELECT sum(total) FROM orders");
                assertEquals(0, rehearsed.code(), rehearsed.out() + rehearsed.err());

                // The old code named pg_upgrade's socket directory after the operation: plant a symlink at each name.
                target = PredictableTmpIT.target(shell);
                links = PredictableTmpIT.plant(shell, target, PredictableTmpIT.byOperation("/tmp/twinshift-upgrade-",
                        "-upgrade-13-" + sc.name(), Instant.now().minusSeconds(5), 300));

                LabCli.Run done = CliIT.cli("upgrade", "cutover", "--cluster", sc.id(), "--to", "15", "--yes", "--grace", "0",
                        "--no-analyze");
                assertEquals(0, done.code(), done.err());
                List<UpgradeState> ups = upgradesOf(sc);
                assertEquals(1, ups.size());
                UpgradeState st = ups.get(0);
                assertEquals(UpgradeState.COMPLETED, st.outcome(), st.describe());
                assertTrue(st.data().containsKey("readyBy"), "the journal names the rehearsal it relied on: " + st.data());
                PgCluster n = new ClusterDiscovery(shell).find(st.plan().newId());
                assertEquals(port, n.port());
                assertEquals("15", Psql.forCluster(shell, n).value("postgres",
                        "SELECT current_setting('server_version_num')::int / 10000"));
                assertEquals("root 700", PredictableTmpIT.state(shell, target), "no planted symlink was followed");
            } finally {
                CutoverIT.cleanUpAllOf(sc, ME);
            }
        } finally {
            PredictableTmpIT.unplant(shell, target, links);
        }
    }

    @Test
    void aCutoverWithBlockersOnLiveIsRefusedBeforeTheStopWithTheBlockersNamed() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "guardbad")) {
            try {
                sc.sql("postgres", "CREATE DATABASE app");
                sc.sql("app", "CREATE TABLE callbacks(id int, handler regproc)");
                sc.sql("app", "INSERT INTO callbacks VALUES (1, 'now')");
                String started = startedAt(sc);

                LabCli.Run r = CliIT.cli("upgrade", "cutover", "--cluster", sc.id(), "--to", "15", "--yes",
                        "--without-rehearsal", "--grace", "0");

                assertEquals(Cli.EXIT_REFUSED, r.code(), r.err());
                assertTrue(r.err().contains("WARNING: cutting over " + sc.id() + " WITHOUT a passed rehearsal"), r.err());
                assertTrue(r.err().contains("refused before the stop"), r.err());
                assertTrue(r.err().contains("app: public.callbacks.handler (regproc)"), "the blocker is named: " + r.err());
                assertFalse(r.err().contains("exited with status 1; its log is"), r.err());
                assertEquals(started, startedAt(sc), "the old cluster was never stopped");
                assertTrue(sc.cluster().running());

                List<UpgradeState> ups = upgradesOf(sc);
                assertEquals(1, ups.size());
                UpgradeState st = ups.get(0);
                assertEquals(UpgradeState.ABANDONED, st.outcome(), st.describe());
                assertEquals(UpgradeState.FAILED, st.steps().get("live-check"), st.steps().toString());
                assertFalse(st.steps().containsKey("stop-old"), "the stop never started: " + st.steps());
                assertTrue(st.data().get("blockers").contains("reg*"), st.data().toString());
                assertEquals("true", st.data().get("withoutRehearsal"), "the override is journaled");
                assertFalse(listed(st.plan().newId()), "the new cluster is dropped again");
            } finally {
                CutoverIT.cleanUpAllOf(sc, ME);
            }
        }
    }
}
