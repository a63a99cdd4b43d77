package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshConnectorTest {

    @Test
    void standardUsesTheUsersKnownHostsCreatingItPrivate(@TempDir Path home) throws Exception {
        String old = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            SshConnector c = SshConnector.standard();
            Path kh = home.resolve(".ssh").resolve("known_hosts");
            assertEquals(kh, c.knownHosts());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kh)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kh.getParent())));
            assertEquals(0, Files.size(kh));
            String xdg = System.getenv("XDG_DATA_HOME");
            Path expected = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                    ? Path.of(xdg, "twinshift", "audit.jsonl")
                    : home.resolve(".local/share/twinshift/audit.jsonl");
            assertEquals(expected, c.audit().file());

            // an existing file is left as it is
            Files.writeString(kh, "x ssh-ed25519 AAAA\n");
            SshConnector.standard();
            assertEquals("x ssh-ed25519 AAAA\n", Files.readString(kh));
        } finally {
            System.setProperty("user.home", old);
        }
    }

    @Test
    void settingsAreCopiesNotMutations(@TempDir Path dir) {
        SshConnector a = new SshConnector(dir.resolve("kh"), new AuditLog(dir.resolve("a")));
        SshConnector b = a.withConnectTimeout(Duration.ofSeconds(3)).withAgent(null);
        assertEquals(Duration.ofSeconds(15), a.connectTimeout());
        assertEquals(Duration.ofSeconds(3), b.connectTimeout());
        assertEquals(null, b.agentSocket());
        assertThrows(IllegalArgumentException.class, () -> a.withMaxChannels(1));
    }
}
