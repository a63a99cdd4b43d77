package dev.twinshift.ssh;

/**
 * A local port forwarded over a server's SSH session to a port on that server, so that a desktop
 * client (psql, pgAdmin, DBeaver) reaches a service that listens only on the server's loopback.
 * It listens on 127.0.0.1 only: nobody else on the workstation's network can use it.
 */
public interface Tunnel extends AutoCloseable {

    /** The port on 127.0.0.1 of the workstation. */
    int localPort();

    /** The host, as the server resolves it, that the server connects to. */
    String remoteHost();

    int remotePort();

    /** False once closed, or once the SSH session under it went down. */
    boolean isOpen();

    /** Stops listening; a second close does nothing. */
    @Override
    void close();
}
