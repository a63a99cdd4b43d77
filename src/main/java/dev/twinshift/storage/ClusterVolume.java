package dev.twinshift.storage;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cluster together with the volume that holds its PGDATA, the catalog beside it and the driver for it.
 *
 * @param volumePath the volume copied: PGDATA itself, or the btrfs subvolume / ZFS dataset that holds it
 *                   (then PGDATA is at {@link #dataSubpath()} inside it)
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
        Catalog cat = new Catalog(shell, catalogDirectory(a));
        return new ClusterVolume(c, a, a.volume(), d.volumeKey(cat, a.volume()), cat, d);
    }

    /**
     * Where the catalog of a path-based volume goes: the mount point of its filesystem, so that every
     * volume there shares one catalog and one lock, and snapshots stay on the filesystem they are of.
     *
     * <p>Not when that mount point is {@code /}: Twinshift does not litter the root directory. Copies
     * (plain or reflink) can live in any directory of the same filesystem, so their catalog goes beside
     * PGDATA's parent: for Debian's {@code /var/lib/postgresql/13/main} that is
     * {@code /var/lib/postgresql/.twinshift}, shared by every version's clusters there, so that an
     * upgrade's journal is found from the old cluster and the new alike. When that would be {@code /}
     * too ({@code /srv/data}), it goes in the parent ({@code /srv/.twinshift}); a PGDATA directly under
     * {@code /} gets no catalog at all. A btrfs root filesystem keeps {@code /.twinshift}, where its
     * snapshots have always been: a rollback swaps a whole subvolume, and the catalog must be outside
     * every volume it swaps.
     */
    public static String catalogDirectory(StorageAssessment a) {
        String mount = PgCluster.stripSlash(a.mountTarget());
        if (!mount.equals("/") || a.method() == StorageMethod.BTRFS_SUBVOLUME) {
            return mount;
        }
        String parent = parent(PgCluster.stripSlash(a.volume()));
        String grandparent = parent.equals("/") ? "/" : parent(parent);
        if (!grandparent.equals("/")) {
            return grandparent;
        }
        if (!parent.equals("/")) {
            return parent;
        }
        throw new IllegalStateException(a.volume() + " is a directory directly under / on the root filesystem:"
                + " Twinshift keeps its catalog of copies beside PGDATA's parent, never in /; move PGDATA one level"
                + " down (e.g. /srv/pg/" + a.volume().substring(a.volume().lastIndexOf('/') + 1) + ")");
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** Where PGDATA is inside the volume ("13/main"); empty when it is the volume's root. */
    public String dataSubpath() {
        return storage.nested() ? storage.subpath() : "";
    }

    /** The data directory inside a copy of the volume whose files are at {@code copyRoot}. */
    public static String dataDirectoryIn(String copyRoot, String subpath) {
        return subpath == null || subpath.isEmpty() ? copyRoot : PgCluster.stripSlash(copyRoot) + "/" + subpath;
    }

    /**
     * Why a rollback of this cluster would touch more than its own data: a rollback swaps the whole
     * volume, so when PGDATA is a directory inside it, every other cluster and file in the volume would
     * go back in time with it (or be thrown away). Empty when the volume holds this PGDATA alone (and
     * the directories leading to it), or is PGDATA itself.
     */
    public List<String> rollbackProblems(RemoteShell shell) throws SshException, InterruptedException {
        if (!storage.nested()) {
            return List.of();
        }
        String root = PgCluster.stripSlash(storage.volumeRoot());
        List<String> clusters = new ArrayList<>();
        List<String> clusterDirs = new ArrayList<>();
        for (PgCluster o : new ClusterDiscovery(shell).listClusters()) {
            if (!o.id().equals(cluster.id()) && o.dataDirectory() != null && PgCluster.isInside(o.dataDirectory(), root)) {
                clusters.add(o.id() + " (" + o.dataDirectory() + ")");
                clusterDirs.add(o.dataDirectory());
            }
        }
        List<String> other = new ArrayList<>();
        String dir = root;
        for (String part : dataSubpath().split("/")) {
            // Empty directories hold nothing to lose: an upgrade's rollback leaves the new version's parent
            // directory (".../15") behind once it has removed the new cluster.
            CommandResult r = shell.run(RemoteCommand.of("find", dir, "-mindepth", "1", "-maxdepth", "1", "!", "(",
                    "-type", "d", "-empty", ")", "-printf", "%f\\n").asRoot()).requireSuccess();
            for (String name : r.stdout().split("\n")) {
                String entry = dir + "/" + name;
                // A directory on the way to another cluster is named through that cluster.
                if (!name.isEmpty() && !name.equals(part)
                        && clusterDirs.stream().noneMatch(d -> PgCluster.isInside(d, entry))) {
                    other.add(entry);
                }
            }
            dir = dir + "/" + part;
        }
        if (clusters.isEmpty() && other.isEmpty()) {
            return List.of();
        }
        List<String> what = new ArrayList<>();
        if (!clusters.isEmpty()) {
            what.add((clusters.size() == 1 ? "the cluster " : "the clusters ") + String.join(", ", clusters));
        }
        if (!other.isEmpty()) {
            int shown = Math.min(other.size(), 10);
            what.add("other data (" + String.join(", ", other.subList(0, shown))
                    + (other.size() > shown ? " and " + (other.size() - shown) + " more" : "") + ")");
        }
        return List.of("PGDATA of " + cluster.id() + " is " + dataSubpath() + " inside " + storage.volume()
                + ", and a rollback swaps that whole " + (storage.method() == StorageMethod.ZFS_DATASET ? "dataset" : "subvolume")
                + ", which also holds " + String.join(" and ", what) + ": they would go back to the snapshot's state"
                + " too. Snapshots and clones of " + cluster.id() + " work; to roll it back, give each cluster a"
                + " volume of its own (or restore from a clone by hand)");
    }

    /**
     * The one rule for "can this cluster be snapshotted now, atomically, and if not why": taking a
     * snapshot enforces it, and the cluster listings (CLI and console) show it.
     */
    public SnapshotVerdict snapshotVerdict() {
        return new SnapshotVerdict(cluster.id(), storage.method(), snapshotProblems());
    }

    /**
     * Why a snapshot of this cluster in its current state would not be a consistent, safe copy; empty
     * when it would be. Read through {@link #snapshotVerdict()}.
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
            // Even when pg_wal is elsewhere in the same volume: a clone's pg_wal link would point at live's WAL.
            p.add("pg_wal of " + cluster.id() + " is on " + cluster.walDirectory() + ", outside its PGDATA "
                    + cluster.dataDirectory() + ": one snapshot would not capture data and WAL at the same instant"
                    + " (and a clone would write into the live cluster's WAL); move pg_wal back into PGDATA");
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
