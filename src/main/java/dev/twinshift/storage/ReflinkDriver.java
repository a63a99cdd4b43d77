package dev.twinshift.storage;

import dev.twinshift.ssh.RemoteShell;

/**
 * Copies that share blocks with their source ({@code cp --reflink=always}): fast and small on XFS
 * with reflink=1 or btrfs, but file by file, so not an atomic point in time.
 */
public final class ReflinkDriver extends CopyDriver {

    public ReflinkDriver(RemoteShell shell) {
        super(shell);
    }

    @Override
    public StorageMethod method() {
        return StorageMethod.REFLINK;
    }

    // coreutils 9 shares blocks by default where it can; the option makes the method what its label says.
    @Override
    protected String reflinkOption() {
        return "--reflink=always";
    }
}
