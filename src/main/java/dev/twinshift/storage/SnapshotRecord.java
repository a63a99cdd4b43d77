package dev.twinshift.storage;

import java.time.Instant;

/**
 * A snapshot as its sidecar records it.
 *
 * @param id          "VOLUME/NAME", unique in a catalog
 * @param name        "20250102T030405Z" or "20250102T030405Z-label"
 * @param volume      the catalog's key for the volume it was taken of
 * @param createdAt   when it was taken
 * @param createdBy   who took it
 * @param reason      why
 * @param label       the user's label, null when none
 * @param cluster     the cluster the data belongs to ("13/main")
 * @param pgVersion   its major version
 * @param walLsn      WAL position when taken (after the checkpoint)
 * @param timeline    timeline at that point
 * @param sourcePath  the volume's path when taken
 * @param parent      what it was taken of when that is a clone ("clone:NAME"), null for a cluster's own volume
 * @param pinned      kept by retention regardless of age
 * @param method      how it was made
 * @param location    where it is: a path, or a ZFS snapshot name
 * @param online      whether the cluster was running (the snapshot then needs crash recovery to start)
 * @param dataSubpath where PGDATA is inside the volume ("13/main") when the volume is a subvolume or dataset
 *                    that holds it; null when PGDATA is the volume's root (so in every sidecar written before
 *                    volumes holding PGDATA were supported)
 */
public record SnapshotRecord(String id, String name, String volume, Instant createdAt, Actor createdBy, Reason reason,
                             String label, String cluster, String pgVersion, String walLsn, Integer timeline,
                             String sourcePath, String parent, boolean pinned, StorageMethod method, String location,
                             boolean online, String dataSubpath) {

    /** A snapshot of a volume that is PGDATA itself. */
    public SnapshotRecord(String id, String name, String volume, Instant createdAt, Actor createdBy, Reason reason,
                          String label, String cluster, String pgVersion, String walLsn, Integer timeline,
                          String sourcePath, String parent, boolean pinned, StorageMethod method, String location,
                          boolean online) {
        this(id, name, volume, createdAt, createdBy, reason, label, cluster, pgVersion, walLsn, timeline, sourcePath,
                parent, pinned, method, location, online, null);
    }

    /** The data directory in a copy of this snapshot whose files are at {@code copyRoot}. */
    public String dataDirectoryIn(String copyRoot) {
        return ClusterVolume.dataDirectoryIn(copyRoot, dataSubpath);
    }

    public SnapshotRecord withPinned(boolean p) {
        return new SnapshotRecord(id, name, volume, createdAt, createdBy, reason, label, cluster, pgVersion, walLsn, timeline,
                sourcePath, parent, p, method, location, online, dataSubpath);
    }

    /** The same snapshot found elsewhere (a ZFS promotion moves snapshots to the promoted dataset). */
    public SnapshotRecord withLocation(String l) {
        return new SnapshotRecord(id, name, volume, createdAt, createdBy, reason, label, cluster, pgVersion, walLsn, timeline,
                sourcePath, parent, pinned, method, l, online, dataSubpath);
    }
}
