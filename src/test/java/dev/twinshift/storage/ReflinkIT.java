package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteShell;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reflink path on the lab's XFS (reflink=1), with a scratch cluster in a plain directory: a
 * running cluster is refused (copies are not atomic), a stopped one is copied in an instant, and
 * clones and rollback work from those copies.
 */
class ReflinkIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "reflink-it");
    static final String XFS = "/srv/twinshift-lab/xfs";

    @BeforeAll
    static void lab() {
        Lab lab = Lab.require();
        org.junit.jupiter.api.Assumptions.assumeTrue(lab.descriptor().has("xfsMount"), "the lab has no XFS mount");
        shell = LabShell.admin(lab);
    }

    @Test
    void snapshotWhenStoppedCloneAndRollBack() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "15", "itxfs", XFS, false)) {
            sc.sql("postgres", "CREATE TABLE t AS SELECT g, md5(g::text) h FROM generate_series(1, 20000) g");
            SnapshotService snaps = new SnapshotService(shell, ME, Progress.NONE);
            ClusterVolume v = snaps.volumeOf(sc.cluster());
            assertEquals(StorageMethod.REFLINK, v.storage().method());
            assertEquals(XFS + "/.twinshift", v.catalog().root());

            RefusedException running = assertThrows(RefusedException.class,
                    () -> snaps.create(sc.cluster(), Reason.MANUAL, "live"));
            assertTrue(running.getMessage().contains("not an atomic snapshot"), running.getMessage());
            assertTrue(running.getMessage().contains("stop the cluster first"), running.getMessage());

            sc.pgctlcluster("stop");
            SnapshotRecord snap = snaps.create(sc.cluster(), Reason.MANUAL, "stopped");
            assertEquals(StorageMethod.REFLINK, snap.method());
            assertFalse(snap.online());
            sc.pgctlcluster("start");
            List<String> atSnapshot = ScratchCluster.checksums(sc.psql(), "postgres");
            sc.sql("postgres", "DELETE FROM t WHERE g % 2 = 0");

            CloneService clones = new CloneService(shell, ME, Progress.NONE);
            String name = "it-" + sc.name();
            try {
                clones.create(v.catalog(), snap.id(), name);
                CloneRecord c = clones.start(v.catalog(), name);
                Psql cp = new CloneServer(shell).psql(clones.spec(v.catalog(), c));
                assertEquals("20000", cp.value("postgres", "SELECT count(*) FROM t"));
            } finally {
                clones.destroy(v.catalog(), name);
            }

            RollbackResult r = new RollbackService(shell, ME, Progress.NONE).rollback(sc.cluster(), snap.id());
            assertEquals(atSnapshot, ScratchCluster.checksums(sc.psql(), "postgres"));
            assertEquals(StorageMethod.REFLINK, r.safety().method());
            assertTrue(sc.cluster().running());
        }
    }
}
