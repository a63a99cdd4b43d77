package dev.twinshift.ssh;

import java.util.HashMap;
import java.util.Map;

/** One live connection per server, shared by every screen and task that talks to it. */
public final class ConnectionPool implements AutoCloseable {
    private final SshConnector connector;
    private final Map<String, SshConnection> open = new HashMap<>();

    public ConnectionPool(SshConnector connector) {
        this.connector = connector;
    }

    /** The open connection to the target, or a new one. Blocks: never call on the FX thread. */
    public SshConnection connect(SshTarget target, HostKeyPrompt hostKeys, PasswordPrompt passwords) throws SshException {
        synchronized (this) {
            SshConnection c = open.get(target.alias());
            if (c != null && c.isConnected()) {
                return c;
            }
        }
        SshConnection fresh = connector.connect(target, hostKeys, passwords);
        synchronized (this) {
            SshConnection previous = open.put(target.alias(), fresh);
            if (previous != null && previous != fresh) {
                previous.close();
            }
        }
        return fresh;
    }

    /** Whether the server's session is still up; false once it dropped or was closed. */
    public synchronized boolean isOpen(String alias) {
        SshConnection c = open.get(alias);
        return c != null && c.isConnected();
    }

    public synchronized void disconnect(String alias) {
        SshConnection c = open.remove(alias);
        if (c != null) {
            c.close();
        }
    }

    @Override
    public synchronized void close() {
        open.values().forEach(SshConnection::close);
        open.clear();
    }
}
