package dev.twinshift.storage;

import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;

/**
 * Copies that share blocks with their source ({@code cp --reflink=always}): fast and small on XFS
 * with reflink=1 or btrfs, but file by file, so not an atomic point in time.
 */
public final class ReflinkDriver extends PathDriver {

    public ReflinkDriver(RemoteShell shell) {
        super(shell);
    }

    @Override
    public StorageMethod method() {
        return StorageMethod.REFLINK;
    }

    @Override
    public void snapshot(String source, String target) throws SshException, InterruptedException {
        copy(source, target);
    }

    @Override
    public void cloneOf(String snapshot, String target) throws SshException, InterruptedException {
        copy(snapshot, target);
    }

    private void copy(String source, String target) throws SshException, InterruptedException {
        requireAbsent(target);
        try {
            runLong(RemoteCommand.of("cp", "-a", "--reflink=always", "--", source, target).asRoot());
        } catch (SshException e) {
            removeHalfCopy(target);
            throw e;
        }
    }

    void removeHalfCopy(String target) throws InterruptedException {
        try {
            if (target.contains("/.twinshift/")) {
                shell.run(RemoteCommand.of("rm", "-rf", "--one-file-system", "--", target).asRoot());
            }
        } catch (SshException ignored) {
            // the original failure is the one to report
        }
    }

    @Override
    public void delete(String location) throws SshException, InterruptedException {
        StorageDriver.requireInCatalog(location);
        runLong(RemoteCommand.of("rm", "-rf", "--one-file-system", "--", location).asRoot());
    }
}
