package dev.twinshift.storage;

import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;

/** Full copies with {@code cp -a}: works everywhere, the slow baseline the others are measured against. */
public final class PlainCopyDriver extends PathDriver {

    public PlainCopyDriver(RemoteShell shell) {
        super(shell);
    }

    @Override
    public StorageMethod method() {
        return StorageMethod.PLAIN_COPY;
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
            runLong(RemoteCommand.of("cp", "-a", "--", source, target).asRoot());
        } catch (SshException e) {
            if (target.contains("/.twinshift/")) {
                shell.run(RemoteCommand.of("rm", "-rf", "--one-file-system", "--", target).asRoot());
            }
            throw e;
        }
    }

    @Override
    public void delete(String location) throws SshException, InterruptedException {
        StorageDriver.requireInCatalog(location);
        runLong(RemoteCommand.of("rm", "-rf", "--one-file-system", "--", location).asRoot());
    }
}
