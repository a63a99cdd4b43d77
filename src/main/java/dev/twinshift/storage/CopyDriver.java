package dev.twinshift.storage;

import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;

/** Snapshots and clones that are whole directory copies, made by cp; a half-made copy is removed. */
abstract class CopyDriver extends PathDriver {

    CopyDriver(RemoteShell shell) {
        super(shell);
    }

    /** The cp option that decides whether blocks are shared with the source. */
    protected abstract String reflinkOption();

    @Override
    public void cloneOf(String snapshot, String target) throws SshException, InterruptedException {
        copy(snapshot, target);
    }

    private void copy(String source, String target) throws SshException, InterruptedException {
        requireAbsent(target);
        try {
            runLong(RemoteCommand.of("cp", "-a", reflinkOption(), "--", source, target).asRoot());
        } catch (SshException e) {
            removeHalfCopy(target);
            throw e;
        }
    }

    private void removeHalfCopy(String target) throws InterruptedException {
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
