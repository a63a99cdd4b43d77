package dev.twinshift.storage;

import dev.twinshift.ssh.SshException;
import java.util.List;
import java.util.Optional;

/**
 * Makes and removes copies of volumes on a server; snapshots themselves are taken by the server's
 * {@code snapshot.sh} (see {@link SnapshotService}), the one implementation shared with the scheduled job. Locations are paths, except for ZFS where they
 * are dataset and snapshot names. Every method runs real commands through the server's shell.
 */
public interface StorageDriver {

    StorageMethod method();

    /** Writable copy of {@code snapshot} at {@code target}, which must not exist. */
    void cloneOf(String snapshot, String target) throws SshException, InterruptedException;

    /**
     * Removes a snapshot or clone. Refuses locations outside the catalog, so that a bug can never
     * remove a live volume.
     */
    void delete(String location) throws SshException, InterruptedException;

    boolean exists(String location) throws SshException, InterruptedException;

    /** The copies directly inside {@code container} (a catalog directory, or a ZFS dataset). */
    List<VolumeEntry> list(String container) throws SshException, InterruptedException;

    /** Space used, when the storage can tell (btrfs only with quotas on). */
    Optional<SpaceUsage> usage(String location) throws SshException, InterruptedException;

    /**
     * Caps what the clone at {@code location} may write beyond what it shares, where the storage can:
     * a backstop below the watcher for a clone nobody watches. Returns what was set, or null when the
     * storage has no such limit here.
     */
    default String limitClone(String location, long bytes) throws SshException, InterruptedException {
        return null;
    }

    /** Where the data of a location is visible as files (the location itself for path-based drivers). */
    default String mountPathOf(String location) throws SshException, InterruptedException {
        return location;
    }

    /** Where the snapshot is now (ZFS rollbacks can move snapshots to another dataset). */
    default String currentLocation(SnapshotRecord s) throws SshException, InterruptedException {
        return s.location();
    }

    /** Where a clone called {@code name} of {@code snapshot} goes. */
    default String cloneLocation(Catalog catalog, String snapshot, String name) {
        return catalog.clonePath(name);
    }

    /** The catalog's key for the volume at {@code location}. */
    default String volumeKey(Catalog catalog, String location) {
        return Catalog.volumeKey(catalog.filesystemRoot(), location);
    }

    /** Guards deletes: only what the catalog made may be removed. */
    static void requireInCatalog(String location) {
        if (!location.contains("/.twinshift/") || location.contains("/../") || location.endsWith("/..")) {
            throw new IllegalArgumentException("refusing to delete " + location + ": it is not inside a .twinshift catalog");
        }
    }
}
