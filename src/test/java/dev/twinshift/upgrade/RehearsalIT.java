package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Progress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Preflight and rehearsal of real 13 -> 15 upgrades on clones of scratch clusters; live stays untouched. */
class RehearsalIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "rehearsal-it");

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
        CutoverIT.shell = shell;
    }

    static void cleanUp(Rehearsal.Result r) throws Exception {
        if (r == null) {
            return;
        }
        Catalog cat = UpgradeWorkspace.catalogOf(shell, r.plan());
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        for (String c : new String[] {r.newClone(), r.oldClone()}) {
            if (c != null && cat.clone(c).isPresent()) {
                clones.destroy(cat, c);
            }
        }
        CutoverIT.removeOperation(cat, r.operation());
    }

    @Test
    void rehearsalUpgradesATwinComparesEveryTableAndLeavesLiveAlone() throws Exception {
        Rehearsal.Result r = null;
        try (ScratchCluster sc = CutoverIT.scratch("rhok")) {
            PgCluster before = sc.cluster();
            List<String> liveSums = CutoverIT.checksums(sc.psql());
            UpgradePlan plan = new Upgrades(shell).plan(before, "15", null).plan();
            List<String> steps = Collections.synchronizedList(new ArrayList<>());
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            r = new Rehearsal(shell, ME, new UpgradeListener() {
                @Override
                public void step(String step, String state, String message) {
                    steps.add(step + ":" + state);
                }

                @Override
                public void log(String line) {
                    log.add(line);
                }
            }).rehearse(plan, new Rehearsal.Options(List.of(new Validation.SqlCheck("orders total", "app",
                    "SELECT sum(total) FROM orders"), new Validation.SqlCheck("server major", "postgres",
                    "SELECT current_setting('server_version_num')::int / 10000")), List.of(), 2, true));

            assertTrue(r.compatible(), r.report());
            for (String s : Rehearsal.STEPS) {
                assertTrue(steps.contains(s + ":DONE"), s + ": " + steps);
            }
            assertTrue(r.tables().size() >= 6, "pgbench's four tables, notes and app.orders: " + r.tables());
            assertTrue(r.tables().stream().allMatch(Validation.TableComparison::equal), r.report());
            assertTrue(r.checks().get(0).sameResult(), "the same order total on both: " + r.checks().get(0));
            assertFalse(r.checks().get(1).sameResult(), "the server major differs, and the report says so");
            assertEquals("13", r.checks().get(1).before());
            assertEquals("15", r.checks().get(1).after());
            assertFalse(r.passed(), "a check with a different result is not a pass");
            assertEquals(4, r.workload().size(), "pgbench's queries compared: " + r.workload());
            assertTrue(r.workload().stream().allMatch(Validation.SideBySide::sameResult), r.report());
            assertTrue(r.workload().stream().allMatch(w -> w.beforeMillis() >= 0 && w.afterMillis() >= 0));
            assertTrue(log.stream().anyMatch(l -> l.contains("Upgrade Complete")), "pg_upgrade's output streamed");
            assertTrue(r.report().contains("| server major | postgres | **DIFFERS**"), r.report());
            assertEquals(r.report(), shell.check(RemoteCommand.of("cat", r.reportPath()).asRoot()).stdout(),
                    "the report is saved on the server");
            Catalog cat = UpgradeWorkspace.catalogOf(shell, plan);
            assertEquals("15", cat.clone(r.newClone()).orElseThrow().pgVersion(), "the upgraded twin is kept for inspection");

            PgCluster after = sc.cluster();
            assertTrue(after.running());
            assertEquals(before.port(), after.port());
            assertEquals("13", sc.psql().value("postgres", "SELECT current_setting('server_version_num')::int / 10000"));
            assertEquals(liveSums, CutoverIT.checksums(sc.psql()), "the live cluster's data is untouched");
        } finally {
            cleanUp(r);
        }
    }

    @Test
    void preflightExplainsPlantedBlockersAndTouchesNothing() throws Exception {
        Rehearsal.Result r = null;
        String ext = "/usr/share/postgresql/13/extension/twinshift_probe";
        try (ScratchCluster sc = CutoverIT.scratch("rhbad")) {
            // An extension installed for 13 only, and a column type pg_upgrade refuses.
            shell.run(RemoteCommand.of("sh", "-c", """
                    printf "default_version = '1.0'\\nrelocatable = true\\n" > "$1.control"
                    printf "CREATE FUNCTION twinshift_probe() RETURNS int LANGUAGE sql AS 'SELECT 1';\\n" > "$1--1.0.sql"
                    """, "sh", ext).asRoot()).requireSuccess();
            sc.sql("app", "CREATE EXTENSION twinshift_probe");
            sc.sql("app", "CREATE TABLE callbacks(id int, handler regproc)");
            sc.sql("app", "INSERT INTO callbacks VALUES (1, 'now')");
            List<String> liveSums = CutoverIT.checksums(sc.psql());
            UpgradePlan plan = new Upgrades(shell).plan(sc.cluster(), "15", null).plan();

            r = new Rehearsal(shell, ME, UpgradeListener.NONE).preflight(plan);

            assertFalse(r.compatible(), r.report());
            List<PgUpgradeCheckReport.Finding> blockers = r.blockers();
            assertTrue(blockers.stream().anyMatch(f -> f.explanation().contains("app: twinshift_probe 1.0")
                    && f.fix().contains("DROP EXTENSION")), "the missing extension, with what to do: " + blockers);
            assertTrue(blockers.stream().anyMatch(f -> f.explanation().contains("app: public.callbacks.handler (regproc)")
                    && f.fix().contains("ALTER TABLE")), "the reg* column is named, with the fix: " + blockers);
            assertTrue(blockers.stream().anyMatch(f -> f.check().equals("Checking for reg* data types in user tables")
                    && f.detailFile() != null), "pg_upgrade --check's own finding, with its list of columns: " + blockers);
            assertTrue(r.report().contains("not ready"), r.report());
            assertNull(r.oldClone(), "a preflight leaves no clone behind");
            Catalog cat = UpgradeWorkspace.catalogOf(shell, plan);
            assertTrue(cat.clones().stream().noneMatch(c -> c.name().startsWith("rh") && c.cluster().equals(plan.oldId())));
            assertTrue(sc.cluster().running());
            assertEquals(liveSums, CutoverIT.checksums(sc.psql()), "the live cluster is untouched");
        } finally {
            shell.run(RemoteCommand.of("rm", "-f", ext + ".control", ext + "--1.0.sql").asRoot());
            cleanUp(r);
        }
    }
}
