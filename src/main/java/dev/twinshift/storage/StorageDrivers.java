package dev.twinshift.storage;

import dev.twinshift.ssh.RemoteShell;

/** The driver for a method. */
public final class StorageDrivers {
    private StorageDrivers() {}

    public static StorageDriver forMethod(StorageMethod m, RemoteShell shell) {
        return switch (m) {
            case BTRFS_SUBVOLUME -> new BtrfsDriver(shell);
            case REFLINK -> new ReflinkDriver(shell);
            case PLAIN_COPY -> new PlainCopyDriver(shell);
            case ZFS_DATASET -> new ZfsDriver(shell);
        };
    }
}
