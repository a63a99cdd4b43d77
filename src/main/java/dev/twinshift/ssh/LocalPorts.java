package dev.twinshift.ssh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Which port on the workstation's loopback a tunnel listens on. */
public final class LocalPorts {
    private LocalPorts() {}

    /** The only address a tunnel binds: a forward reachable from the network would open the clone to it. */
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * The preferred port when it can be bound on 127.0.0.1 now, else 0 (let the system pick a free
     * one). Ports below 1024 are never preferred: they need privileges on most systems.
     */
    public static int choose(int preferred) {
        if (preferred < 1024 || preferred > 65535) {
            return 0;
        }
        return isFree(preferred) ? preferred : 0;
    }

    /** Whether 127.0.0.1:port can be bound at this moment. */
    public static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            // Without reuse a port in TIME_WAIT would read as taken, with it a listening port still does.
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
