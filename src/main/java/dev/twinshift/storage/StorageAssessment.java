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
 */
public record StorageAssessment(String path, String fsType, String mountSource, String mountTarget,
                                StorageMethod method, String volume, String reason, String advice) {
}
