package dev.twinshift.ui.connections;

import dev.twinshift.ssh.HostKeyPrompt;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshTarget;

/**
 * Opens and closes the one session per server that every screen shares (the console's
 * {@code ConnectionPool}; a test's own servers). Every method may block: never call on the FX thread.
 */
public interface Connector {
    /** The open session to the target, or a new one. */
    RemoteShell open(SshTarget target, HostKeyPrompt hostKeys, PasswordPrompt passwords) throws Exception;

    /** Whether the server's session is still up (a dropped network or a rebooted server ends it). */
    boolean isOpen(String alias);

    void close(String alias);
}
