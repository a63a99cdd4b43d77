package dev.twinshift.storage;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cluster together with the volume its PGDATA is, the catalog beside it and the driver for it.
 *
 * @param volumePath the volume copied (PGDATA itself: only clusters whose PGDATA is a volume are handled)
 * @param volumeKey  the catalog's name for it
 */
public record ClusterVolume(PgCluster cluster, StorageAssessment storage, String volumePath, String volumeKey,
                            Catalog catalog, StorageDriver driver) {

    public static ClusterVolume resolve(RemoteShell shell, PgCluster c) throws SshException, InterruptedException {
        StorageAssessment a;
        try {
            a = new StorageProbe(shell).assess(c.dataDirectory());
        } catch (SshException e) {
            // A data directory set aside by an interrupted rollback is not an error to show raw.
            Optional<String> why = RollbackService.interruptedOn(shell, c);
            if (why.isPresent()) {
                throw new IllegalStateException(why.get(), e);
            }
            throw e;
        }
        StorageDriver d = StorageDrivers.forMethod(a.method(), shell);
        if (a.method() == StorageMethod.ZFS_DATASET) {
            // The catalog sits at the pool's own mount point, so every dataset of the pool shares it.
            String pool = ZfsDriver.pool(a.volume());
            String poolMount = d.mountPathOf(pool);
            if (!poolMount.startsWith("/")) {
                throw new IllegalStateException("ZFS pool " + pool + " is not mounted (mountpoint " + poolMount
                        + "): Twinshift keeps its catalog there");
            }
            Catalog cat = new Catalog(shell, poolMount);
            return new ClusterVolume(c, a, a.volume(), d.volumeKey(cat, a.volume()), cat, d);
        }
        Catalog cat = new Catalog(shell, a.mountTarget());
        return new ClusterVolume(c, a, c.dataDirectory(), d.volumeKey(cat, c.dataDirectory()), cat, d);
    }

    /**
     * Why a snapshot of this cluster in its current state would not be a consistent, safe copy; empty
     * when it would be.
     */
    public List<String> snapshotProblems() {
        List<String> p = new ArrayList<>();
        String v = volumePath;
        if (storage.method() != StorageMethod.ZFS_DATASET
                && PgCluster.stripSlash(v).equals(PgCluster.stripSlash(storage.mountTarget()))) {
            p.add("PGDATA " + v + " is itself a mount point, so the catalog cannot sit beside it on the same filesystem;"
                    + " mount the filesystem's top level elsewhere and point the cluster at the subvolume there");
        }
        if (cluster.walDirectory() == null) {
            p.add("where pg_wal of " + cluster.id() + " is could not be read (it needs root on the server)");
        } else if (!cluster.walInsideDataDirectory()) {
            p.add("pg_wal of " + cluster.id() + " is on " + cluster.walDirectory() + ", outside the volume " + v
                    + ": one snapshot would not capture data and WAL at the same instant; move pg_wal back into PGDATA");
        }
        if (!cluster.tablespaces().isEmpty()) {
            p.add(cluster.id() + " has tablespaces (" + String.join(", ", cluster.tablespaces().stream()
                    .map(PgCluster.Tablespace::location).toList()) + "): a snapshot of PGDATA alone would miss them"
                    + " and a clone would share them with production; Twinshift does not handle tablespaces yet");
        }
        if (cluster.running() && !storage.method().atomic()) {
            p.add(cluster.id() + " is running and " + storage.method().label() + " is not an atomic snapshot,"
                    + " so the copy would not be consistent: stop the cluster first"
                    + (storage.advice() == null ? "" : ", or " + storage.advice()));
        }
        return p;
    }
}
