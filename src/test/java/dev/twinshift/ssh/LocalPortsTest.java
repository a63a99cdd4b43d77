package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** A tunnel takes the clone's own port number on the workstation when it is free, and any free port otherwise. */
class LocalPortsTest {

    @Test
    void aFreePortIsTakenAsPreferred() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            free = s.getLocalPort();
        }
        assertTrue(LocalPorts.isFree(free));
        assertEquals(free, LocalPorts.choose(free));
    }

    @Test
    void aPortInUseOnLoopbackFallsBackToAnyFreePort() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            assertFalse(LocalPorts.isFree(taken.getLocalPort()));
            assertEquals(0, LocalPorts.choose(taken.getLocalPort()), "0 lets the system pick a free port");
        }
    }

    @Test
    void privilegedOrImpossiblePortsAreNeverPreferred() {
        assertEquals(0, LocalPorts.choose(80));
        assertEquals(0, LocalPorts.choose(0));
        assertEquals(0, LocalPorts.choose(70000));
    }

    @Test
    void tunnelsListenOnLoopbackOnly() {
        assertEquals("127.0.0.1", LocalPorts.LOOPBACK);
    }
}
