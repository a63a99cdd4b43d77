package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteShell;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Snapshots and clones of the lab's 15/zfs cluster on a zfs-fuse dataset. The live cluster is only read. */
class ZfsIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "zfs-it");

    @BeforeAll
    static void lab() {
        Lab lab = Lab.require();
        org.junit.jupiter.api.Assumptions.assumeTrue(lab.descriptor().has("zfsPool"), "the lab has no ZFS pool");
        shell = LabShell.admin(lab);
    }

    @Test
    void snapshotCloneRunAndCloneTheClone() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 6);
        PgCluster zc = new ClusterDiscovery(shell).find("15/zfs");
        SnapshotService snaps = new SnapshotService(shell, ME, Progress.NONE);
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        ClusterVolume v = snaps.volumeOf(zc);
        assertEquals(StorageMethod.ZFS_DATASET, v.storage().method());
        assertEquals("twinshift-lab/pg15", v.volumePath());
        assertEquals("pg15", v.volumeKey());
        Catalog cat = v.catalog();
        assertEquals("/srv/twinshift-lab/zfs/.twinshift", cat.root());
        ZfsDriver zfs = (ZfsDriver) v.driver();

        Psql live = Psql.forCluster(shell, zc);
        live.exec("postgres", "CREATE TABLE IF NOT EXISTS zfs_it(x int)", Duration.ofMinutes(1));
        String rowsAtSnapshot = live.value("postgres", "SELECT count(*) FROM zfs_it");

        SnapshotRecord snap = snaps.create(zc, Reason.MANUAL, "zfs-" + tag);
        String c1 = "zit-" + tag + "-a";
        String c2 = "zit-" + tag + "-b";
        SnapshotRecord cloneSnap = null;
        try {
            assertEquals("twinshift-lab/pg15@" + snap.name(), snap.location());
            assertTrue(zfs.exists(snap.location()));
            assertTrue(zfs.list("twinshift-lab/pg15").stream().anyMatch(e -> e.location().equals(snap.location())));
            assertTrue(zfs.usage(snap.location()).isPresent());
            live.exec("postgres", "INSERT INTO zfs_it VALUES (1)", Duration.ofMinutes(1));

            CloneRecord a = clones.create(cat, snap.id(), c1);
            assertEquals("twinshift-lab/twinshift/clones/" + c1, a.location());
            assertEquals("/srv/twinshift-lab/zfs/twinshift/clones/" + c1, a.dataDirectory());
            a = clones.start(cat, c1);
            Psql cp = new CloneServer(shell).psql(clones.spec(cat, a));
            assertEquals(rowsAtSnapshot, cp.value("postgres", "SELECT count(*) FROM zfs_it"),
                    "the clone holds the data as of the snapshot");
            assertEquals("off", cp.value("postgres", "SHOW archive_mode"));
            cp.exec("postgres", "INSERT INTO zfs_it SELECT 2 FROM generate_series(1, 5)", Duration.ofMinutes(1));

            cloneSnap = snaps.createOfClone(cat, a, "of-" + c1);
            assertEquals("twinshift-lab/twinshift/clones/" + c1 + "@" + cloneSnap.name(), cloneSnap.location());
            assertEquals("clone_" + c1, cloneSnap.volume());
            clones.create(cat, cloneSnap.id(), c2);
            CloneRecord b = clones.start(cat, c2);
            Psql bp = new CloneServer(shell).psql(clones.spec(cat, b));
            assertEquals(Long.parseLong(rowsAtSnapshot) + 5, Long.parseLong(bp.value("postgres",
                    "SELECT count(*) FROM zfs_it")));

            IllegalStateException held = assertThrows(IllegalStateException.class, () -> clones.destroy(cat, c1));
            assertTrue(held.getMessage().contains(cloneSnap.id()) && held.getMessage().contains("delete them first"),
                    held.getMessage());
            assertTrue(clones.isRunning(cat, clones.require(cat, c1)), "a refused destroy stopped nothing");

            final SnapshotRecord cs = cloneSnap;
            RefusedException busy = assertThrows(RefusedException.class, () -> snaps.delete(cat, cs.id()));
            assertTrue(busy.getMessage().contains(c2), busy.getMessage());
        } finally {
            // ZFS keeps dependencies: the clone of the clone, its origin snapshot, then the first clone.
            if (cat.clone(c2).isPresent()) {
                clones.destroy(cat, c2);
            }
            if (cloneSnap != null) {
                snaps.delete(cat, cloneSnap.id());
            }
            if (cat.clone(c1).isPresent()) {
                clones.destroy(cat, c1);
            }
            snaps.delete(cat, snap.id());
            live.exec("postgres", "DROP TABLE IF EXISTS zfs_it", Duration.ofMinutes(1));
        }
        assertFalse(zfs.exists(snap.location()));
        assertFalse(zfs.exists("twinshift-lab/twinshift/clones/" + c1));
        List<VolumeEntry> left = zfs.list("twinshift-lab/pg15");
        assertTrue(left.stream().noneMatch(e -> e.location().contains(tag)), left.toString());
        assertThrows(IllegalArgumentException.class, () -> zfs.delete("twinshift-lab/pg15"));
    }
}
