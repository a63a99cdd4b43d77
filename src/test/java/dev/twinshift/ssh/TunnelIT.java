package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local port forward over the console's own SSH session to the lab's PostgreSQL 13, as a desktop
 * client (psql, pgAdmin) would use it: what answers at the workstation's port is the server's
 * PostgreSQL, only on 127.0.0.1, and nothing answers once the tunnel or the session is closed.
 */
class TunnelIT {
    @TempDir
    Path dir;
    SshConnection conn;

    @BeforeEach
    void setUp() throws Exception {
        conn = new LabSsh(Lab.require(), dir).connectAdmin();
    }

    @AfterEach
    void tearDown() {
        if (conn != null) {
            conn.close();
        }
    }

    /** PostgreSQL's SSLRequest: any PostgreSQL answers it with one byte, 'S' or 'N', before anything else. */
    private static int sslRequest(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(5000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(8);
            out.writeInt(80877103);
            out.flush();
            return s.getInputStream().read();
        }
    }

    /**
     * Whether connections to {@code port} are refused within {@code limit}: the forwarding's accept
     * thread lets go of its socket as it ends, a moment after the close returns.
     */
    private static boolean refusedWithin(int port, Duration limit) throws InterruptedException {
        Instant until = Instant.now().plus(limit);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            } catch (IOException refused) {
                return true;
            }
            if (Instant.now().isAfter(until)) {
                return false;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aForwardReachesTheServersPostgresqlAndClosesWithTheTunnelAndTheSession() throws Exception {
        int pg13 = 0;
        for (var c : Lab.require().descriptor().path("clusters")) {
            if (c.path("version").asText().equals("13")) {
                pg13 = c.path("port").asInt();
            }
        }
        assertTrue(pg13 > 0, "the lab describes its 13 cluster");
        final int port = pg13;
        Tunnel t = conn.openTunnel("localhost", port, 0);
        assertTrue(t.isOpen());
        int answer = sslRequest(t.localPort());
        assertTrue(answer == 'S' || answer == 'N', "PostgreSQL answered the SSLRequest through the tunnel: " + answer);
        t.close();
        assertFalse(t.isOpen());
        assertTrue(refusedWithin(t.localPort(), Duration.ofSeconds(5)), "nothing listens once the tunnel is closed");

        Tunnel again = conn.openTunnel("localhost", port, 0);
        assertEquals(port, again.remotePort());
        conn.close();
        assertFalse(again.isOpen(), "the tunnel goes down with its session");
        assertTrue(refusedWithin(again.localPort(), Duration.ofSeconds(5)), "nothing listens once the session is closed");
        conn = null;
    }
}
