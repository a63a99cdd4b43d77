package dev.twinshift.ui.wizard;

import dev.twinshift.lab.Resources;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.PgLsClusters;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.StorageMethod;
import dev.twinshift.upgrade.Cutover;
import dev.twinshift.upgrade.PgUpgradeCheckReport;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.RehearsalReport;
import dev.twinshift.upgrade.UpgradeFacts;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.UpgradeState;
import dev.twinshift.upgrade.Validation;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lab's 13/main as pg_lsclusters printed it, and what the engine makes of it: plans from the
 * planner itself, preflights from pg_upgrade --check output captured in the lab.
 */
public final class WizardFixtures {
    static final Instant NOW = Instant.parse("2026-11-25T14:00:00Z");

    private WizardFixtures() {}

    public static PgCluster lab13() {
        PgCluster c = PgLsClusters.parseText(Resources.text(PgLsClusters.class, "pg_lsclusters.txt")).stream()
                .filter(x -> x.id().equals("13/main")).findFirst().orElseThrow();
        return new PgCluster(c.version(), c.name(), c.port(), c.running(), c.status(), c.owner(), c.dataDirectory(),
                "/etc/postgresql/13/main", c.socketDirectory(), c.logFile(), c.dataDirectory() + "/pg_wal", List.of(),
                41_000_000L, c.manager());
    }

    public static UpgradeFacts facts(List<String> installed) {
        return new UpgradeFacts(lab13(), installed, Set.of("13/main", "15/zfs", "15/reflink"), Set.of(22, 2222, 5433, 5434, 5435),
                StorageMethod.BTRFS_SUBVOLUME, true, "/srv/twinshift-lab/btrfs", 5L << 30, "UTF8", "C.UTF-8", "C.UTF-8",
                false, Set.of(), 2);
    }

    public static UpgradePlanner.Result planTo15() {
        return UpgradePlanner.plan(facts(List.of("13", "15")), "15", null, NOW);
    }

    static Rehearsal.Result preflight(String capturedCheck) {
        PgUpgradeCheckReport r = PgUpgradeCheckReport.parse(Resources.text(PgUpgradeCheckReport.class,
                "pg_upgrade_check/" + capturedCheck));
        Map<String, Long> millis = new LinkedHashMap<>();
        Rehearsal.PREFLIGHT_STEPS.forEach(s -> millis.put(s, 900L));
        return new Rehearsal.Result("20261125T140100Z-preflight-13-main", planTo15().plan(), true, r.compatible(), r.findings(),
                millis, List.of(), List.of(), List.of(), List.of(), null, null, null, null, null);
    }

    /** A rehearsal that passed: tables equal, the administrator's check the same on both. */
    static Rehearsal.Result rehearsal() {
        return rehearsal(new Validation.SideBySide("orders total", "app", "SELECT sum(total) FROM orders", "3001500.00",
                "3001500.00", 1, 1, null, null, null));
    }

    /** A rehearsal as RehearsalIT sees it end: tables equal, the version check differing. */
    static Rehearsal.Result rehearsalWithADifferingCheck() {
        return rehearsal(new Validation.SideBySide("server major", "postgres",
                "SELECT current_setting('server_version_num')::int / 10000", "13", "15", 1, 1, null, null, null));
    }

    private static Rehearsal.Result rehearsal(Validation.SideBySide check) {
        UpgradePlan plan = planTo15().plan();
        Map<String, Long> millis = new LinkedHashMap<>();
        Rehearsal.STEPS.forEach(s -> millis.put(s, 1200L));
        millis.put(Rehearsal.UPGRADE, 4300L);
        List<Validation.TableComparison> tables = List.of(
                new Validation.TableComparison("postgres.public.pgbench_accounts", "200000:1", "200000:1"),
                new Validation.TableComparison("app.public.orders", "2000:7", "2000:7"));
        List<Validation.SideBySide> checks = List.of(check);
        List<Validation.SideBySide> workload = List.of(new Validation.SideBySide("pgbench select-only", "postgres",
                "SELECT abalance FROM pgbench_accounts WHERE aid = 4242", "0", "0", 2, 1, "Index Scan", "Index Scan", null));
        Rehearsal.Result r = new Rehearsal.Result("20261125T140200Z-rehearsal-13-main", plan, false, true, List.of(), millis,
                tables, checks, workload, List.of(), "s1", null, null, "/srv/twinshift-lab/btrfs/.twinshift/upgrades/x/report.md",
                null);
        return new Rehearsal.Result(r.operation(), plan, false, true, List.of(), millis, tables, checks, workload, List.of(),
                "s1", null, null, r.reportPath(), RehearsalReport.markdown(r));
    }

    /** A journal that stopped during pg_upgrade, as a lost connection leaves it. */
    static UpgradeState stoppedDuringPgUpgrade() throws Exception {
        UpgradePlan p = planTo15().plan();
        String planJson = dev.twinshift.storage.Json.mapper().writeValueAsString(p);
        Actor a = new Actor("tsadmin", "dba", "laptop");
        return UpgradeState.of(p.operation(), List.of(
                new JournalEntry(NOW, a, JournalEntry.PLAN, null, null, "upgrade planned", Map.of("plan", planJson)),
                new JournalEntry(NOW, a, JournalEntry.STEP, Cutover.PREPARE, UpgradeState.STARTED, null, Map.of()),
                new JournalEntry(NOW, a, JournalEntry.STEP, Cutover.PREPARE, UpgradeState.DONE, null, Map.of()),
                new JournalEntry(NOW, a, JournalEntry.STEP, Cutover.STOP_OLD, UpgradeState.DONE, null,
                        Map.of("downtimeStartedAt", NOW.toString())),
                new JournalEntry(NOW, a, JournalEntry.STEP, Cutover.SNAPSHOT, UpgradeState.DONE, null,
                        Map.of("snapshot", "20261125T140300Z-pre-upgrade")),
                new JournalEntry(NOW, a, JournalEntry.STEP, Cutover.PG_UPGRADE, UpgradeState.STARTED, null, Map.of())));
    }

    /** A cutover that ended well: 15/main serves on the old port, the downtime measured by the client probe. */
    static UpgradeState completed() {
        return UpgradeState.of(planTo15().plan().operation(), completedEntries());
    }

    /** That cutover, then rolled back to the pre-upgrade snapshot. */
    static UpgradeState rolledBack() {
        List<JournalEntry> e = new java.util.ArrayList<>(completedEntries());
        Actor a = new Actor("tsadmin", "dba", "laptop");
        e.add(JournalEntry.step(a, "rollback", UpgradeState.STARTED, null, Map.of()));
        e.add(JournalEntry.note(a, "restored 20261125T140300Z-pre-upgrade", Map.of("restoredSnapshot", "20261125T140300Z-pre-upgrade")));
        e.add(JournalEntry.step(a, "rollback", UpgradeState.DONE, null, Map.of()));
        e.add(JournalEntry.outcome(a, UpgradeState.ROLLED_BACK, "13/main runs again on port 5433 with its pre-upgrade data",
                Map.of()));
        return UpgradeState.of(planTo15().plan().operation(), e);
    }

    private static List<JournalEntry> completedEntries() {
        UpgradePlan p = planTo15().plan();
        Actor a = new Actor("tsadmin", "dba", "laptop");
        List<JournalEntry> e = new java.util.ArrayList<>();
        e.add(UpgradeState.cutoverPlanEntry(a, "upgrade planned", p));
        for (String s : Cutover.STEPS) {
            Map<String, String> data = switch (s) {
                case Cutover.SNAPSHOT -> Map.of("snapshot", "20261125T140300Z-pre-upgrade");
                case Cutover.START_NEW -> Map.of("downtimeMillis", "6200", "downtimeMeasuredBy",
                        "a client probe connecting every 200 ms", "servingAgainAt", "2026-11-25T14:03:07Z");
                default -> Map.of();
            };
            e.add(JournalEntry.step(a, s, UpgradeState.DONE, null, data));
        }
        e.add(JournalEntry.outcome(a, UpgradeState.COMPLETED, "15/main serves on port 5433", Map.of()));
        return e;
    }

    /** An engine that answers as a server would, in order, from an upgrade that works to its rollback. */
    static ScriptedEngine answering() {
        ScriptedEngine e = new ScriptedEngine();
        e.opening = new dev.twinshift.ui.wizard.UpgradeEngine.Opening(List.of(), List.of("13", "15"));
        e.plan = planTo15();
        e.preflight = preflight("clean.txt");
        e.rehearsal = rehearsal();
        e.cutover = completed();
        e.rollback = rolledBack();
        return e;
    }

    /**
     * The engine of the screenshot tour: the flow that works, its rehearsal with a workload query
     * whose plan changed between the versions, so the report shows both plans side by side.
     */
    public static ScriptedEngine tour() {
        ScriptedEngine e = answering();
        e.server = "db1";
        UpgradePlan plan = planTo15().plan();
        Rehearsal.Result base = rehearsal();
        List<Validation.SideBySide> workload = List.of(
                new Validation.SideBySide("pgbench select-only", "postgres",
                        "SELECT abalance FROM pgbench_accounts WHERE aid = 4242", "0", "0", 2, 1,
                        "Index Scan using pgbench_accounts_pkey on pgbench_accounts\n  Index Cond: (aid = 4242)",
                        "Index Scan using pgbench_accounts_pkey on pgbench_accounts\n  Index Cond: (aid = 4242)", null),
                new Validation.SideBySide("orders by day", "app",
                        "SELECT created::date, sum(total) FROM orders GROUP BY 1", "31 rows", "31 rows", 48, 21,
                        "HashAggregate\n  Group Key: (created)::date\n  ->  Seq Scan on orders",
                        "GroupAggregate\n  Group Key: ((created)::date)\n  ->  Sort\n        Sort Key: ((created)::date)\n"
                                + "        ->  Seq Scan on orders", null));
        Rehearsal.Result r = new Rehearsal.Result(base.operation(), plan, false, true, List.of(), base.stepMillis(),
                base.tables(), base.checks(), workload, List.of(), "s1", null, null, base.reportPath(), null);
        e.rehearsal = new Rehearsal.Result(r.operation(), plan, false, true, List.of(), r.stepMillis(), r.tables(), r.checks(),
                workload, List.of(), "s1", null, null, r.reportPath(), RehearsalReport.markdown(r));
        return e;
    }
}
