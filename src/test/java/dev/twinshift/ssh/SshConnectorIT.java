package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connecting to the lab's sshd: host keys, authentication, failures, the agent, jump hosts. */
class SshConnectorIT {
    /** An ed25519 key that is not the lab's (made with ssh-keygen for the unit tests). */
    static final String OTHER_KEY = KnownHostsFileTest.K1;

    Lab lab;
    @TempDir
    Path dir;
    LabSsh ssh;

    @BeforeEach
    void setUp() throws Exception {
        lab = Lab.require();
        ssh = new LabSsh(lab, dir);
    }

    @Test
    void unknownKeyIsShownAndOnceAcceptedNeverAskedAgain() throws Exception {
        assertFalse(Files.exists(ssh.knownHosts));
        try (SshConnection c = ssh.connectAdmin()) {
            assertTrue(c.isConnected());
            assertEquals(lab.hostKeyFingerprint(), c.hostKeyFingerprint());
            assertEquals("tsadmin\n", c.check(RemoteCommand.of("id", "-un")).stdout());
        }
        ssh.prompt.assertAskedOnceFor(lab);
        String line = Files.readString(ssh.knownHosts);
        assertTrue(line.startsWith("[127.0.0.1]:2222 ssh-ed25519 AAAA"), line);
        assertEquals(1, line.lines().count());
        // The saved key is the one ssh-keygen sees in the lab's host key file.
        String pub = Files.readString(Path.of("/var/lib/twinshift-lab/ssh/ssh_host_ed25519_key.pub")).split(" ")[1];
        assertTrue(line.strip().endsWith(pub), line);

        try (SshConnection c = ssh.connectAdmin()) {
            assertTrue(c.isConnected());
        }
        assertEquals(1, ssh.prompt.calls.size(), "asked again for a known key");
        assertEquals(line, Files.readString(ssh.knownHosts));
    }

    @Test
    void refusedKeyEndsTheConnectionAndIsNotSaved() throws Exception {
        LabSsh.RecordingPrompt no = new LabSsh.RecordingPrompt(false);
        SshException e = assertThrows(SshException.class, () -> ssh.connector.connect(ssh.admin(), no, PasswordPrompt.NONE));
        assertEquals(SshException.Kind.HOST_KEY_REJECTED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(lab.hostKeyFingerprint()), e.getMessage());
        no.assertAskedOnceFor(lab);
        assertTrue(!Files.exists(ssh.knownHosts) || Files.readString(ssh.knownHosts).isEmpty());
    }

    @Test
    void changedKeyIsRefusedWithBothFingerprintsAndNoPrompt() throws Exception {
        Files.writeString(ssh.knownHosts, "[127.0.0.1]:2222 ssh-ed25519 " + OTHER_KEY + "\n");
        SshException e = assertThrows(SshException.class, ssh::connectAdmin);
        assertEquals(SshException.Kind.HOST_KEY_CHANGED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(KnownHostsFileTest.K1_FP), e.getMessage());
        assertTrue(e.getMessage().contains(lab.hostKeyFingerprint()), e.getMessage());
        assertTrue(ssh.prompt.calls.isEmpty(), "a changed key must never be offered for acceptance");
        assertEquals("[127.0.0.1]:2222 ssh-ed25519 " + OTHER_KEY + "\n", Files.readString(ssh.knownHosts));
    }

    @Test
    void hashedKnownHostsEntriesMatch() throws Exception {
        Path keygen = Path.of("/usr/bin/ssh-keygen");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(keygen), "ssh-keygen not installed");
        String pub = Files.readString(Path.of("/var/lib/twinshift-lab/ssh/ssh_host_ed25519_key.pub")).split(" ")[1];
        Files.writeString(ssh.knownHosts, "[127.0.0.1]:2222 ssh-ed25519 " + pub + "\n");
        Process p = new ProcessBuilder(keygen.toString(), "-H", "-f", ssh.knownHosts.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        String hashed = Files.readString(ssh.knownHosts);
        assertTrue(hashed.startsWith("|1|"), hashed);
        try (SshConnection c = ssh.connectAdmin()) {
            assertTrue(c.isConnected());
        }
        assertTrue(ssh.prompt.calls.isEmpty(), ssh.prompt.calls.toString());
    }

    @Test
    void wrongKeyFailsAuthenticationNamingWhatWasTried() throws Exception {
        // A valid key that the server does not know.
        Path wrong = dir.resolve("id_wrong");
        com.jcraft.jsch.KeyPair kp = com.jcraft.jsch.KeyPair.genKeyPair(new com.jcraft.jsch.JSch(),
                com.jcraft.jsch.KeyPair.RSA, 2048);
        kp.writePrivateKey(wrong.toString());
        SshTarget t = ssh.admin().withIdentity(wrong);
        List<String> asked = new ArrayList<>();
        SshException e = assertThrows(SshException.class,
                () -> ssh.connector.connect(t, ssh.prompt, u -> {
                    asked.add(u);
                    return "secret".toCharArray();
                }));
        assertEquals(SshException.Kind.AUTH_FAILED, e.kind(), e.getMessage());
        String m = e.getMessage();
        assertTrue(m.contains("tsadmin@127.0.0.1:2222"), m);
        assertTrue(m.contains("ssh-agent"), m);
        assertTrue(m.contains("publickey with " + wrong), m);
        assertTrue(m.contains("password (not accepted by the server)"), m);
        assertTrue(m.contains("The server accepts: publickey"), m);
        // the lab's sshd takes keys only: no reason to ask the user for a password
        assertEquals(List.of(), asked);
        assertFalse(e.explain().isBlank());
    }

    @Test
    void missingKeyFileIsNamed() throws Exception {
        SshTarget t = ssh.admin().withIdentity(dir.resolve("nope"));
        SshException e = assertThrows(SshException.class, () -> ssh.connector.connect(t, ssh.prompt, PasswordPrompt.NONE));
        assertEquals(SshException.Kind.AUTH_FAILED, e.kind());
        assertTrue(e.getMessage().contains(dir.resolve("nope") + " (not found)"), e.getMessage());
        assertTrue(e.getMessage().contains("password (not offered)"), e.getMessage());
    }

    @Test
    void refusedPort() {
        SshTarget t = SshTarget.of("tsadmin", "127.0.0.1", 1);
        SshException e = assertThrows(SshException.class, () -> ssh.connector.connect(t, ssh.prompt, PasswordPrompt.NONE));
        assertEquals(SshException.Kind.CONNECTION_REFUSED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
    }

    @Test
    void unknownHostName() {
        SshTarget t = SshTarget.of("tsadmin", "no-such-host.invalid", 22);
        SshException e = assertThrows(SshException.class, () -> ssh.connector.connect(t, ssh.prompt, PasswordPrompt.NONE));
        assertEquals(SshException.Kind.UNKNOWN_HOST, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
    }

    @Test
    void connectTimeoutOnAnAddressThatNeverAnswers() throws Exception {
        // A socket that listens but never accepts: the kernel completes the TCP handshake, the SSH
        // greeting never comes, as with a hung sshd or a firewall that swallows packets.
        try (var server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            SshTarget t = SshTarget.of("tsadmin", "127.0.0.1", server.getLocalPort());
            SshConnector quick = ssh.connector.withConnectTimeout(Duration.ofSeconds(1));
            long t0 = System.nanoTime();
            SshException e = assertThrows(SshException.class, () -> quick.connect(t, ssh.prompt, PasswordPrompt.NONE));
            assertEquals(SshException.Kind.CONNECT_TIMEOUT, e.kind(), e.getMessage());
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        }
    }

    @Test
    void keysFromTheSshAgent() throws Exception {
        Path agentBin = Path.of("/usr/bin/ssh-agent");
        Path addBin = Path.of("/usr/bin/ssh-add");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(agentBin) && Files.isExecutable(addBin),
                "OpenSSH client tools not installed");
        Path sock = dir.resolve("agent.sock");
        Process agent = new ProcessBuilder(agentBin.toString(), "-D", "-a", sock.toString())
                .redirectErrorStream(true).start();
        try {
            for (int i = 0; i < 100 && !Files.exists(sock); i++) {
                Thread.sleep(50);
            }
            ProcessBuilder pb = new ProcessBuilder(addBin.toString(), ssh.admin().identityFiles().get(0).toString())
                    .redirectErrorStream(true);
            pb.environment().put("SSH_AUTH_SOCK", sock.toString());
            Process add = pb.start();
            String out = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(add.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, add.exitValue(), out);

            // The target names no key file and there are no default ones: only the agent can help.
            SshTarget keyless = new SshTarget("lab-agent", ssh.admin().host(), ssh.admin().port(), ssh.admin().user(),
                    List.of(), null);
            SshException e = assertThrows(SshException.class,
                    () -> ssh.connector.connect(keyless, ssh.prompt, PasswordPrompt.NONE));
            assertEquals(SshException.Kind.AUTH_FAILED, e.kind());
            assertTrue(e.getMessage().contains("SSH_AUTH_SOCK not set"), e.getMessage());

            try (SshConnection c = ssh.connector.withAgent(sock).connect(keyless, ssh.prompt, PasswordPrompt.NONE)) {
                assertEquals("tsadmin\n", c.check(RemoteCommand.of("id", "-un")).stdout());
            }
            // An agent socket that leads nowhere is skipped: key files still work.
            try (SshConnection c = ssh.connector.withAgent(dir.resolve("gone.sock"))
                    .connect(ssh.admin(), ssh.prompt, PasswordPrompt.NONE)) {
                assertTrue(c.isConnected());
            }
        } finally {
            agent.destroy();
            agent.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void jumpHostThroughTheLabsOwnSshd() throws Exception {
        SshTarget viaJump = ssh.admin().withJump(ssh.admin());
        try (SshConnection direct = ssh.connectAdmin();
                SshConnection jumped = ssh.connector.connect(viaJump, ssh.prompt, PasswordPrompt.NONE)) {
            assertEquals("tsadmin\n", jumped.check(RemoteCommand.of("id", "-un")).stdout());
            // The server sees each session's client port. A direct session's port is a socket of
            // this JVM; a jumped one's belongs to the jump host's sshd, not to us.
            int directPort = clientPort(direct);
            int jumpedPort = clientPort(jumped);
            assertTrue(ownsLocalTcpPort(directPort), "control: the direct session's socket should be ours");
            assertFalse(ownsLocalTcpPort(jumpedPort), "the jumped session did not go through the jump host");
            // Commands, streaming and sudo work the same through the tunnel.
            assertEquals("0\n", jumped.check(RemoteCommand.of("id", "-u").asRoot()).stdout());
            CommandResult big = jumped.run(RemoteCommand.of("seq", "1", "20000"));
            assertEquals(20000, big.stdout().lines().count());
        }
        // known once, asked once: the jump and the target are the same server here
        assertEquals(1, ssh.prompt.calls.size());
    }

    @Test
    void jumpHostThatCannotReachTheTarget() {
        SshTarget t = SshTarget.of("tsadmin", "127.0.0.1", 1).withJump(ssh.admin());
        SshException e = assertThrows(SshException.class, () -> ssh.connector.connect(t, ssh.prompt, PasswordPrompt.NONE));
        assertEquals(SshException.Kind.CONNECTION_REFUSED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("jump host"), e.getMessage());
    }

    private static int clientPort(SshConnection c) throws Exception {
        String conn = c.check(RemoteCommand.of("printenv", "SSH_CONNECTION")).stdout().strip();
        String[] f = conn.split(" ");
        assertEquals(4, f.length, conn);
        return Integer.parseInt(f[1]);
    }

    /** Whether a TCP socket of this process has that local port (Linux /proc). */
    private static boolean ownsLocalTcpPort(int port) throws IOException {
        List<String> inodes = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path t = Path.of(table);
            if (!Files.exists(t)) {
                continue;
            }
            for (String l : Files.readAllLines(t).subList(1, Files.readAllLines(t).size())) {
                String[] f = l.trim().split("\\s+");
                int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                if (local == port) {
                    inodes.add(f[9]);
                }
            }
        }
        assertNotEquals(List.of(), inodes, "no socket with local port " + port);
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    return inodes.stream().anyMatch(i -> target.equals("socket:[" + i + "]"));
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }
}
