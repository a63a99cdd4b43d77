package dev.twinshift.ssh;

/** One live SSH session to a server, reused by every command as a separate channel. */
public final class SshConnection implements RemoteShell, AutoCloseable {
    private final SshTarget target;

    SshConnection(SshTarget target) {
        this.target = target;
    }

    public SshTarget target() {
        return target;
    }

    @Override
    public String serverName() {
        return target.alias();
    }

    @Override
    public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean isConnected() {
        return false;
    }

    @Override
    public void close() {
    }
}
