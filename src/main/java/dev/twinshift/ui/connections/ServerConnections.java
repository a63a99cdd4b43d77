package dev.twinshift.ui.connections;

import dev.twinshift.ssh.HostKeyPrompt;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.ssh.SshTarget;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every server's connection state, by server name: the one place the tree, the status bar and a
 * server's page read it from, so switching between servers never makes an open session look closed.
 * Its methods run on the FX thread; the blocking calls ({@link #open}, {@link #isOpen}, {@link #close})
 * belong in background tasks.
 */
public final class ServerConnections {
    private final Connector connector;
    private final HostKeyPrompt hostKeys;
    private final PasswordPrompt passwords;
    private final Map<String, ServerConnection> byName = new HashMap<>();

    public ServerConnections(Connector connector, HostKeyPrompt hostKeys, PasswordPrompt passwords) {
        this.connector = connector;
        this.hostKeys = hostKeys;
        this.passwords = passwords;
    }

    /** The server's connection; a server never connected to yet is {@link ConnectionState#DISCONNECTED}. */
    public ServerConnection of(String name) {
        return byName.computeIfAbsent(name, ServerConnection::new);
    }

    public boolean isConnected(String name) {
        return of(name).state() == ConnectionState.CONNECTED;
    }

    // --- state changes, on the FX thread

    public void connecting(SshTarget t) {
        of(t.alias()).set(ConnectionState.CONNECTING,
                "Connecting to " + t.display() + (t.jump() == null ? "" : " via " + t.jump().display()) + " ...", "", "", null);
    }

    public void connected(SshTarget t, RemoteShell shell) {
        of(t.alias()).set(ConnectionState.CONNECTED, "Connected to " + t.display(), "", "", shell);
    }

    public void failed(String name, Throwable cause) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        String hint = cause instanceof SshException se ? se.kind().hint() : "";
        of(name).set(ConnectionState.FAILED, ConnectionState.DISCONNECTED.label(), message, hint, null);
    }

    /** The session was found closed (network, reboot, idle timeout) while the console thought it open. */
    public void lost(String name) {
        of(name).set(ConnectionState.FAILED, ConnectionState.DISCONNECTED.label(), "The connection to " + name + " is closed.",
                SshException.Kind.CONNECTION_LOST.hint(), null);
    }

    public void disconnected(String name) {
        of(name).set(ConnectionState.DISCONNECTED, ConnectionState.DISCONNECTED.label(), "", "", null);
    }

    /** A server removed from the list: its state goes with it (its session is closed by the caller). */
    public void forget(String name) {
        ServerConnection c = byName.remove(name);
        if (c != null) {
            c.set(ConnectionState.DISCONNECTED, ConnectionState.DISCONNECTED.label(), "", "", null);
        }
    }

    public void clustersRead(String name, List<ClusterNode> clusters) {
        if (isConnected(name)) {
            of(name).setClusters(clusters);
        }
    }

    // --- blocking, in background tasks only

    public RemoteShell open(SshTarget t) throws Exception {
        return connector.open(t, hostKeys, passwords);
    }

    public boolean isOpen(String name) {
        return connector.isOpen(name);
    }

    public void close(String name) {
        connector.close(name);
    }
}
