package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A snapshot taken while pgbench writes must give a clone that starts (crash recovery) and whose
 * indexes all pass amcheck, heap included.
 */
class CloneUnderLoadIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "clone-under-load-it");

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    @Test
    void cloneTakenUnderPgbenchPassesAmcheck() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "itload")) {
            PgCluster c = sc.cluster();
            String pgbench = c.binDir() + "/pgbench";
            shell.run(RemoteCommand.of(pgbench, "-i", "-q", "-s", "5", "-h", c.socketDirectory(), "-p",
                    Integer.toString(c.port()), "postgres").asUser("postgres"),
                    ExecOptions.defaults().withTimeout(Duration.ofMinutes(5)), LineListener.IGNORE).requireSuccess();
            RunningCommand load = shell.start(RemoteCommand.of(pgbench, "-n", "-c", "4", "-j", "2", "-T", "25", "-h",
                    c.socketDirectory(), "-p", Integer.toString(c.port()), "postgres").asUser("postgres"),
                    ExecOptions.defaults().withTimeout(Duration.ofMinutes(2)), LineListener.IGNORE);
            String clone = "it-load-" + sc.name();
            CloneService clones = new CloneService(shell, ME, Progress.NONE);
            Catalog cat = null;
            try {
                Thread.sleep(5000);
                assertFalse(load.isDone(), "pgbench is still writing when the snapshot is taken");
                SnapshotService snaps = new SnapshotService(shell, ME, Progress.NONE);
                SnapshotRecord snap = snaps.create(c, Reason.MANUAL, "under-load");
                assertFalse(load.isDone(), "pgbench was still writing after the snapshot");
                cat = snaps.volumeOf(c).catalog();
                clones.create(cat, snap.id(), clone);
                CloneRecord rec = clones.start(cat, clone);
                Psql cp = new CloneServer(shell).psql(clones.spec(cat, rec));
                cp.exec("postgres", "CREATE EXTENSION IF NOT EXISTS amcheck", Duration.ofMinutes(1));
                List<List<String>> checked = cp.rows("postgres", "SELECT c.relname, bt_index_check(c.oid, true)"
                        + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
                        + " WHERE a.amname = 'btree' AND c.relpersistence <> 't' AND i.indisvalid");
                assertTrue(checked.stream().anyMatch(r -> r.get(0).equals("pgbench_accounts_pkey")), checked.toString());
                assertTrue(checked.size() > 10, "system and pgbench indexes checked: " + checked.size());
                String history = cp.value("postgres", "SELECT count(*) FROM pgbench_history");
                assertTrue(Long.parseLong(history) > 0, "the clone holds transactions pgbench made before the snapshot");
                assertEquals("500000", cp.value("postgres", "SELECT count(*) FROM pgbench_accounts"));
                assertEquals(cp.value("postgres", "SELECT sum(abalance) FROM pgbench_accounts"),
                        cp.value("postgres", "SELECT sum(delta) FROM pgbench_history"),
                        "every committed pgbench transaction is there in full");
            } finally {
                CommandResult r = load.await();
                if (cat != null && cat.clone(clone).isPresent()) {
                    clones.destroy(cat, clone);
                }
                assertTrue(r.ok(), "pgbench: " + r.stderr());
            }
        }
    }
}
