package dev.twinshift.ssh;

/**
 * What a connection offers besides commands: local port forwards over its session. A separate
 * interface, so that the screens ask for a tunnel without knowing JSch, and test servers need not
 * offer one.
 */
public interface PortForwarding {

    /**
     * Forwards a free port on the workstation's 127.0.0.1 to {@code remoteHost:remotePort} as the
     * server sees it. Prefers {@code preferredLocalPort} when it is free (the same number as on the
     * server is easier to recognise), else takes any free port. Binds a local socket: never call on
     * the FX thread.
     */
    Tunnel openTunnel(String remoteHost, int remotePort, int preferredLocalPort) throws SshException;
}
