package dev.twinshift.storage;

/**
 * What the storage under a path allows.
 *
 * @param path        the path asked about
 * @param fsType      filesystem type ("btrfs", "xfs", "zfs", "ext4", ...)
 * @param mountSource device or dataset mounted there
 * @param mountTarget mount point of the filesystem holding {@code path}
 * @param method      best method that applies to {@code path} as it is now
 * @param volume      what the method copies: the subvolume path, the ZFS dataset name, or {@code path} itself
 * @param reason      why this method, in words for the administrator
 * @param advice      what to change to get a better method; null when nothing better applies
 * @param subpath     where {@code path} is inside the volume when the volume is a subvolume or dataset that
 *                    holds it (e.g. "13/main"); null when {@code path} is the volume's root
 */
public record StorageAssessment(String path, String fsType, String mountSource, String mountTarget,
                                StorageMethod method, String volume, String reason, String advice, String subpath) {

    /** A path that is its volume's root (or a copied directory). */
    public StorageAssessment(String path, String fsType, String mountSource, String mountTarget, StorageMethod method,
                             String volume, String reason, String advice) {
        this(path, fsType, mountSource, mountTarget, method, volume, reason, advice, null);
    }

    /** Whether {@code path} is a directory inside the volume rather than the volume itself. */
    public boolean nested() {
        return subpath != null && !subpath.isEmpty();
    }

    /**
     * Where the volume's root is as a directory: {@code path} without its {@link #subpath}.
     */
    public String volumeRoot() {
        if (!nested()) {
            return path;
        }
        String p = dev.twinshift.postgres.PgCluster.stripSlash(path);
        return p.substring(0, p.length() - subpath.length() - 1);
    }
}
