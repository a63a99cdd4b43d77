package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshot of the lab's live 13/main, a clone of it run as its own server, a snapshot of that clone
 * and a clone of the clone. The live cluster is only read from (and given a CHECKPOINT).
 */
class SnapshotCloneIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "snapshot-clone-it");

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    @Test
    void snapshotCloneRunSnapshotTheCloneCloneAgain() throws Exception {
        List<String> log = new ArrayList<>();
        Progress p = log::add;
        String tag = UUID.randomUUID().toString().substring(0, 6);
        SnapshotService snapshots = new SnapshotService(shell, ME, p);
        CloneService clones = new CloneService(shell, ME, p);
        PgCluster main = new ClusterDiscovery(shell).find("13/main");
        ClusterVolume v = snapshots.volumeOf(main);
        Catalog cat = v.catalog();
        assertEquals("/srv/twinshift-lab/btrfs/.twinshift", cat.root());
        String accountsLive = Psql.forCluster(shell, main).value("bench", "SELECT count(*) FROM pgbench_accounts");

        SnapshotRecord snap = null;
        SnapshotRecord cloneSnap = null;
        String c1 = "it-" + tag + "-a";
        String c2 = "it-" + tag + "-b";
        try {
            snap = snapshots.create(main, Reason.MANUAL, "it-" + tag);
            assertEquals("pg13-main", snap.volume());
            assertTrue(snap.name().endsWith("-it-" + tag));
            assertEquals("13", snap.pgVersion());
            assertEquals("13/main", snap.cluster());
            assertTrue(snap.online());
            assertTrue(snap.walLsn().matches("[0-9A-F]+/[0-9A-F]+"), snap.walLsn());
            assertEquals(ME, snap.createdBy());
            assertTrue(log.stream().anyMatch(l -> l.startsWith("CHECKPOINT on 13/main")), log.toString());
            assertEquals("readonly", shell.check(RemoteCommand.of("btrfs", "property", "get", "-ts", snap.location(), "ro")
                    .asRoot()).stdout().strip().equals("ro=true") ? "readonly" : "writable");
            // Two snapshots with the same label in one second get distinct names.
            SnapshotRecord twin = snapshots.create(main, Reason.MANUAL, "it-" + tag);
            assertNotEquals(snap.id(), twin.id());
            snapshots.delete(cat, twin.id());
            final String snapId = snap.id();
            assertTrue(snapshots.list(main).stream().anyMatch(s -> s.id().equals(snapId)));
            assertEquals(snap, cat.snapshot(snap.id()).orElseThrow(), "the sidecar reads back as written");

            CloneRecord a = clones.create(cat, snap.id(), c1);
            assertEquals(snap.id(), a.parent());
            assertEquals("/etc/postgresql/13/main", a.sourceConfigDirectory());
            a = clones.start(cat, c1);
            assertNotNull(a.port());
            assertNotEquals(5433, a.port().intValue());
            CloneServer.Spec spec = clones.spec(cat, a);
            Psql cp = new CloneServer(shell).psql(spec);
            assertEquals(accountsLive, cp.value("bench", "SELECT count(*) FROM pgbench_accounts"));
            assertEquals("off", cp.value("postgres", "SHOW archive_mode"));
            assertEquals("0", cp.value("postgres", "SHOW max_wal_senders"));
            assertEquals("localhost", cp.value("postgres", "SHOW listen_addresses"));
            assertEquals(spec.dataDirectory(), cp.value("postgres", "SHOW data_directory"));
            assertEquals(spec.runDirectory() + "/conf/postgresql.conf", cp.value("postgres", "SHOW config_file"));
            assertEquals("twinshift-clone-" + c1, cp.value("postgres", "SHOW cluster_name"));
            assertEquals(spec.runDirectory() + "/postgres.pid", cp.value("postgres", "SHOW external_pid_file"));
            assertTrue(clones.isRunning(cat, a));
            // Writes in the clone stay in the clone.
            cp.exec("bench", "CREATE TABLE clone_only(x int); INSERT INTO clone_only VALUES (1)", java.time.Duration.ofMinutes(1));
            assertEquals("0", Psql.forCluster(shell, main).value("bench",
                    "SELECT count(*) FROM pg_class WHERE relname = 'clone_only'"));

            // Starting again is a no-op while it runs.
            assertEquals(a.port(), clones.start(cat, c1).port());

            cloneSnap = snapshots.createOfClone(cat, a, "of-" + c1);
            assertEquals("clone:" + c1, cloneSnap.parent());
            assertEquals("clone_" + c1, cloneSnap.volume());
            CloneRecord b = clones.create(cat, cloneSnap.id(), c2);
            b = clones.start(cat, c2);
            assertNotEquals(a.port(), b.port());
            Psql bp = new CloneServer(shell).psql(clones.spec(cat, b));
            assertEquals("1", bp.value("bench", "SELECT count(*) FROM clone_only"));
            assertEquals(accountsLive, bp.value("bench", "SELECT count(*) FROM pgbench_accounts"));

            clones.stop(cat, c1);
            assertFalse(clones.isRunning(cat, clones.require(cat, c1)));
            CloneRecord again = clones.start(cat, c1);
            assertEquals(a.port(), again.port(), "a restarted clone keeps its port when free");
            assertEquals("1", cp.value("bench", "SELECT count(*) FROM clone_only"));
        } finally {
            for (String c : List.of(c2, c1)) {
                if (cat.clone(c).isPresent()) {
                    clones.destroy(cat, c);
                }
            }
            if (cloneSnap != null) {
                snapshots.delete(cat, cloneSnap.id());
            }
            if (snap != null) {
                snapshots.delete(cat, snap.id());
            }
        }
        assertFalse(cat.exists(cat.clonePath(c1)));
        assertFalse(cat.exists(cat.cloneRunDir(c1)));
        assertFalse(cat.exists(snap.location()));
        assertFalse(cat.exists(cat.snapshotSidecar(snap.volume(), snap.name())));
        assertTrue(new ClusterDiscovery(shell).find("13/main").running());
    }
}
