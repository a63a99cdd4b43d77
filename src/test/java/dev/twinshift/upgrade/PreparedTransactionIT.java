package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A snapshot taken while prepared transactions exist: the clone rolls them back (it is a copy, live
 * keeps them), so a user's first UPDATE of a row they hold does not hang; preflight names the prepared
 * transactions of live, which pg_upgrade would refuse.
 */
class PreparedTransactionIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "prepared-xact-it");

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
        CutoverIT.shell = shell;
    }

    @Test
    void aCloneRollsBackPreparedTransactionsAndPreflightNamesThoseOfLive() throws Exception {
        try (ScratchCluster sc = CutoverIT.scratch("ptx")) {
            sc.sql("postgres", "ALTER SYSTEM SET max_prepared_transactions = 4");
            sc.pgctlcluster("restart");
            Psql live = sc.psql();
            // A subscription too: the clone detaches it from its publisher's slot through the same psql.
            sc.sql("app", "CREATE SUBSCRIPTION it_sub CONNECTION 'host=/nonexistent dbname=none' PUBLICATION p"
                    + " WITH (connect = false)");
            live.script("postgres", "BEGIN;\nUPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 1;\n"
                    + "PREPARE TRANSACTION 'it-hold-accounts';\n", Duration.ofMinutes(1));
            live.script("app", "BEGIN;\nUPDATE orders SET total = 0 WHERE id = 1;\nPREPARE TRANSACTION 'it-hold-orders';\n",
                    Duration.ofMinutes(1));
            Catalog cat = new Catalog(shell, ScratchCluster.BTRFS);
            CloneService clones = new CloneService(shell, ME, null);
            try {
                SnapshotRecord snap = new SnapshotService(shell, ME, null).create(sc.cluster(), Reason.MANUAL, "ptx");
                List<String> progress = Collections.synchronizedList(new ArrayList<>());
                CloneService logged = new CloneService(shell, ME, progress::add);
                String name = "ptx-" + sc.name();
                logged.create(cat, snap.id(), name);
                CloneRecord c = logged.start(cat, name);
                Psql clone = new CloneServer(shell).psql(clones.spec(cat, c));

                // Without the rollback these wait for the prepared transactions' row locks: the timeout fails them.
                clone.exec("postgres", "SET statement_timeout = '5s'; UPDATE pgbench_accounts SET abalance = 7 WHERE aid = 1",
                        Duration.ofMinutes(1));
                clone.exec("app", "SET statement_timeout = '5s'; UPDATE orders SET total = 1 WHERE id = 1",
                        Duration.ofMinutes(1));
                assertEquals("0", clone.value("postgres", "SELECT count(*) FROM pg_prepared_xacts"));
                assertEquals("off|none", clone.value("app", "SELECT CASE WHEN subenabled THEN 'on' ELSE 'off' END || '|'"
                        + " || coalesce(subslotname::text, 'none') FROM pg_subscription WHERE subname = 'it_sub'"));
                String said = String.join("\n", progress);
                assertTrue(said.contains("rolled back 2 prepared transaction(s)") && said.contains("it-hold-accounts")
                        && said.contains("it-hold-orders"), said);

                // Live keeps its own.
                assertEquals("it-hold-accounts,it-hold-orders",
                        live.value("postgres", "SELECT string_agg(gid, ',' ORDER BY gid) FROM pg_prepared_xacts"));
                clones.destroy(cat, name);

                UpgradePlan plan = new Upgrades(shell).plan(sc.cluster(), "15", null).plan();
                Rehearsal.Result r = new Rehearsal(shell, ME, null).preflight(plan);
                assertFalse(r.compatible(), String.valueOf(r.findings()));
                PgUpgradeCheckReport.Finding f = r.blockers().stream()
                        .filter(b -> b.check().equals("Checking for prepared transactions")).findFirst()
                        .orElseThrow(() -> new AssertionError(String.valueOf(r.findings())));
                assertTrue(f.explanation().contains("it-hold-accounts") && f.explanation().contains("it-hold-orders")
                        && f.explanation().contains("app") && f.explanation().contains("postgres"), f.explanation());
                assertTrue(f.fix().contains("COMMIT PREPARED") && f.fix().contains("ROLLBACK PREPARED"), f.fix());
                assertEquals("2", live.value("postgres", "SELECT count(*) FROM pg_prepared_xacts"));
            } finally {
                live.exec("postgres", "SELECT 1", Duration.ofSeconds(30));
                for (String gid : List.of("it-hold-accounts", "it-hold-orders")) {
                    String db = gid.endsWith("orders") ? "app" : "postgres";
                    live.script(db, "SELECT format('ROLLBACK PREPARED %L', gid) FROM pg_prepared_xacts WHERE gid = '"
                            + gid + "' \\gexec\n", Duration.ofMinutes(1));
                }
                CutoverIT.cleanUpAllOf(sc, ME);
            }
        }
    }
}
