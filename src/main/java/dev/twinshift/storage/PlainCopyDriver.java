package dev.twinshift.storage;

import dev.twinshift.ssh.RemoteShell;

/** Full copies with {@code cp -a}: works everywhere, the slow baseline the others are measured against. */
public final class PlainCopyDriver extends CopyDriver {

    public PlainCopyDriver(RemoteShell shell) {
        super(shell);
    }

    @Override
    public StorageMethod method() {
        return StorageMethod.PLAIN_COPY;
    }

    // coreutils 9 shares blocks by default where it can; the option makes the method what its label says.
    @Override
    protected String reflinkOption() {
        return "--reflink=never";
    }
}
