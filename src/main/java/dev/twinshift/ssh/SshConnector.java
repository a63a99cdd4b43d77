package dev.twinshift.ssh;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.Identity;
import com.jcraft.jsch.IdentityRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Vector;

/**
 * Opens connections: host keys checked against a known_hosts file, keys from the ssh-agent and
 * the target's identity files, then a password from the prompt if allowed.
 *
 * <p>Keys come first, on their own: the agent's keys (when {@code SSH_AUTH_SOCK} points at a
 * running agent), then the target's identity files, or OpenSSH's default ones when the target
 * names none. Only if no key is accepted is the {@link PasswordPrompt} asked, and the password is
 * tried on a second connection (password, then keyboard-interactive), zeroed right after.
 *
 * <p>Instances are immutable and thread-safe; {@code with...} methods return adjusted copies.
 */
public final class SshConnector {
    /** OpenSSH's default per-connection limit of sessions (sshd_config MaxSessions). */
    public static final int DEFAULT_MAX_CHANNELS = 10;

    private static final int MAX_JUMPS = 8;

    private final Path knownHosts;
    private final AuditLog audit;
    private final Duration connectTimeout;
    private final Duration keepAliveInterval;
    private final int keepAliveCountMax;
    private final int maxChannels;
    private final Path agentSocket;
    private final List<Path> defaultIdentities;

    public SshConnector(Path knownHosts, AuditLog audit) {
        this(knownHosts, audit, Duration.ofSeconds(15), Duration.ofSeconds(15), 3, DEFAULT_MAX_CHANNELS,
                agentFromEnvironment(), openSshDefaultIdentities());
    }

    private SshConnector(Path knownHosts, AuditLog audit, Duration connectTimeout, Duration keepAliveInterval,
            int keepAliveCountMax, int maxChannels, Path agentSocket, List<Path> defaultIdentities) {
        this.knownHosts = knownHosts;
        this.audit = audit;
        this.connectTimeout = connectTimeout;
        this.keepAliveInterval = keepAliveInterval;
        this.keepAliveCountMax = keepAliveCountMax;
        this.maxChannels = maxChannels;
        this.agentSocket = agentSocket;
        this.defaultIdentities = List.copyOf(defaultIdentities);
    }

    /** The usual setup: ~/.ssh/known_hosts and the audit log in the user's Twinshift data dir. */
    public static SshConnector standard() {
        Path kh = Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
        try {
            KnownHostsFile.ensureExists(kh);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + kh, e);
        }
        return new SshConnector(kh, AuditLog.standard());
    }

    public Path knownHosts() {
        return knownHosts;
    }

    public AuditLog audit() {
        return audit;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The ssh-agent socket in use, or null when keys come from files only. */
    public Path agentSocket() {
        return agentSocket;
    }

    public SshConnector withConnectTimeout(Duration t) {
        return new SshConnector(knownHosts, audit, t, keepAliveInterval, keepAliveCountMax, maxChannels,
                agentSocket, defaultIdentities);
    }

    /**
     * ServerAliveInterval and ServerAliveCountMax: after {@code interval} of silence a keepalive is
     * sent, and after {@code countMax} unanswered ones the connection counts as lost. A zero
     * interval turns keepalives off.
     */
    public SshConnector withKeepAlive(Duration interval, int countMax) {
        return new SshConnector(knownHosts, audit, connectTimeout, interval, countMax, maxChannels,
                agentSocket, defaultIdentities);
    }

    /**
     * How many channels one connection may have open at once. sshd refuses more than its
     * MaxSessions (10 by default); one channel is kept free for stopping commands.
     */
    public SshConnector withMaxChannels(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 channels, got " + n);
        }
        return new SshConnector(knownHosts, audit, connectTimeout, keepAliveInterval, keepAliveCountMax, n,
                agentSocket, defaultIdentities);
    }

    /** The ssh-agent socket to use, or null for none (the default is $SSH_AUTH_SOCK). */
    public SshConnector withAgent(Path socket) {
        return new SshConnector(knownHosts, audit, connectTimeout, keepAliveInterval, keepAliveCountMax,
                maxChannels, socket, defaultIdentities);
    }

    /** The key files tried when a target names none (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa). */
    public SshConnector withDefaultIdentities(List<Path> files) {
        return new SshConnector(knownHosts, audit, connectTimeout, keepAliveInterval, keepAliveCountMax,
                maxChannels, agentSocket, files);
    }

    private static Path agentFromEnvironment() {
        String sock = System.getenv("SSH_AUTH_SOCK");
        return sock == null || sock.isBlank() ? null : Path.of(sock);
    }

    private static List<Path> openSshDefaultIdentities() {
        Path ssh = Path.of(System.getProperty("user.home"), ".ssh");
        return List.of(ssh.resolve("id_ed25519"), ssh.resolve("id_ecdsa"), ssh.resolve("id_rsa"));
    }

    /**
     * Connects, through the target's jump hosts if it has any (each checked and authenticated the
     * same way), and returns a connection that runs commands as channels of that one session.
     */
    public SshConnection connect(SshTarget target, HostKeyPrompt hostKeys, PasswordPrompt passwords) throws SshException {
        List<Session> opened = new ArrayList<>();
        // A key accepted during this call is not asked about again, even if saving it failed.
        Set<String> acceptedNow = new HashSet<>();
        HostKeyPrompt prompt = (host, port, type, fp) -> {
            if (acceptedNow.contains(host + ":" + port + " " + fp)) {
                return true;
            }
            boolean yes = hostKeys != null && hostKeys.acceptUnknownKey(host, port, type, fp);
            if (yes) {
                acceptedNow.add(host + ":" + port + " " + fp);
            }
            return yes;
        };
        try {
            Session session = open(target, prompt, passwords == null ? PasswordPrompt.NONE : passwords, opened, 0);
            List<Session> jumps = new ArrayList<>(opened);
            jumps.remove(session);
            return new SshConnection(target, session, jumps, audit, maxChannels);
        } catch (SshException | RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).disconnect();
            }
            throw e;
        }
    }

    private Session open(SshTarget target, HostKeyPrompt prompt, PasswordPrompt passwords, List<Session> opened,
            int depth) throws SshException {
        if (depth > MAX_JUMPS) {
            throw new SshException(SshException.Kind.OTHER, "more than " + MAX_JUMPS + " jump hosts in a row for "
                    + target.display() + "; is ProxyJump pointing in a circle?");
        }
        Session jump = null;
        if (target.jump() != null) {
            jump = open(target.jump(), prompt, passwords, opened, depth + 1);
        }
        KeyPlan keys = keyPlan(target);
        AuthFailure keyFailure;
        // Even without a single key this first attempt is made: it is what tells an unknown host,
        // a refused port or a host-key problem apart from a missing key, and which methods the
        // server accepts.
        try {
            Session s = attempt(target, jump, prompt, keys.repository(), null);
            opened.add(s);
            return s;
        } catch (AuthFailure f) {
            keyFailure = f;
        }
        if (passwords != PasswordPrompt.NONE) {
            String accepted = methodsFrom(keyFailure.getMessage());
            if (accepted != null && !accepted.contains("password") && !accepted.contains("keyboard-interactive")) {
                // No point asking for a password the server would not even look at.
                throw authFailed(target, keys, keyFailure, "not accepted by the server");
            }
        }
        char[] password = passwords == PasswordPrompt.NONE ? null : passwords.password(target.display());
        if (password == null) {
            throw authFailed(target, keys, keyFailure, passwords == PasswordPrompt.NONE ? "not offered" : "none given");
        }
        byte[] bytes = utf8(password);
        Arrays.fill(password, '\0');
        try {
            Session s = attempt(target, jump, prompt, null, bytes);
            opened.add(s);
            return s;
        } catch (AuthFailure f) {
            throw authFailed(target, keys, f, "refused");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private Session attempt(SshTarget target, Session jump, HostKeyPrompt prompt, IdentityRepository keys,
            byte[] password) throws SshException, AuthFailure {
        JSch jsch = new JSch();
        Session s;
        try {
            s = jsch.getSession(target.user(), target.host(), target.port());
        } catch (JSchException e) {
            throw new SshException(SshException.Kind.OTHER, "cannot set up a session for " + target.display()
                    + ": " + e.getMessage(), e);
        }
        HostKeyCheck hostKeys = new HostKeyCheck(new KnownHostsFile(knownHosts), target.host(), target.port(), prompt);
        s.setHostKeyRepository(hostKeys);
        s.setConfig("StrictHostKeyChecking", "yes");
        s.setConfig("HashKnownHosts", "no");
        s.setConfig("PreferredAuthentications", password == null ? "publickey" : "password,keyboard-interactive");
        s.setIdentityRepository(keys != null ? keys : new Identities(List.of()));
        if (password != null) {
            s.setPassword(password);
        }
        s.setDaemonThread(true);
        int connectMs = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        int aliveMs = (int) Math.min(Integer.MAX_VALUE, keepAliveInterval.toMillis());
        JumpProxy proxy = null;
        if (jump != null) {
            proxy = new JumpProxy(jump, target.jump().display());
            s.setProxy(proxy);
        }
        try {
            s.connect(connectMs);
            if (aliveMs > 0) {
                s.setServerAliveInterval(aliveMs);
                s.setServerAliveCountMax(keepAliveCountMax);
                if (proxy != null) {
                    proxy.setReadTimeout(aliveMs);
                }
            } else if (proxy != null) {
                proxy.setReadTimeout(0);
            }
            return s;
        } catch (JSchException e) {
            s.disconnect();
            if (isAuthFailure(e)) {
                throw new AuthFailure(e);
            }
            throw translate(e, target, hostKeys, jump != null);
        }
    }

    private static boolean isAuthFailure(JSchException e) {
        String m = String.valueOf(e.getMessage());
        // JSch's own auth exception classes are not public; their messages are stable.
        String type = e.getClass().getSimpleName();
        return type.equals("JSchAuthCancelException") || type.equals("JSchPartialAuthException")
                || m.startsWith("Auth fail") || m.startsWith("Auth cancel");
    }

    private SshException translate(JSchException e, SshTarget target, HostKeyCheck hostKeys, boolean viaJump) {
        String where = target.display();
        switch (hostKeys.outcome()) {
            case CHANGED -> {
                KnownHostsFile.Verdict v = hostKeys.verdict();
                return new SshException(SshException.Kind.HOST_KEY_CHANGED, "The " + v.keyType() + " host key of "
                        + where + " has changed: known_hosts (" + knownHosts + ") has "
                        + String.join(", ", v.knownFingerprints()) + ", the server now presents "
                        + v.fingerprint() + ". Nothing was sent to the server.", e);
            }
            case REVOKED -> {
                return new SshException(SshException.Kind.HOST_KEY_REJECTED, "The host key of " + where + " ("
                        + hostKeys.verdict().fingerprint() + ") is marked @revoked in " + knownHosts + ".", e);
            }
            case REJECTED -> {
                KnownHostsFile.Verdict v = hostKeys.verdict();
                return new SshException(SshException.Kind.HOST_KEY_REJECTED, "The " + v.keyType() + " host key of "
                        + where + " (" + v.fingerprint() + ") was not accepted.", e);
            }
            case FAILED -> {
                return new SshException(SshException.Kind.HOST_KEY_REJECTED, "Cannot check the host key of " + where
                        + " against " + knownHosts + ": " + hostKeys.failure(), e);
            }
            default -> {
                // not a host-key problem: look at the cause below
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JumpProxy.JumpRefusedException) {
                return new SshException(SshException.Kind.CONNECTION_REFUSED, t.getMessage() + ".", e);
            }
            if (t instanceof UnknownHostException) {
                return new SshException(SshException.Kind.UNKNOWN_HOST, "Unknown host " + target.host()
                        + " (the name does not resolve).", e);
            }
            if (t instanceof ConnectException) {
                return new SshException(SshException.Kind.CONNECTION_REFUSED, "Connection to " + target.host() + ":"
                        + target.port() + " refused.", e);
            }
            if (t instanceof NoRouteToHostException) {
                return new SshException(SshException.Kind.CONNECT_TIMEOUT, "No route to " + target.host() + ".", e);
            }
            if (t instanceof SocketTimeoutException) {
                return new SshException(SshException.Kind.CONNECT_TIMEOUT, "No answer from " + target.host() + ":"
                        + target.port() + " within " + connectTimeout.toSeconds() + " s"
                        + (viaJump ? " (through the jump host)" : "") + ".", e);
            }
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("timeout") || m.contains("timed out")) {
            return new SshException(SshException.Kind.CONNECT_TIMEOUT, "No answer from " + target.host() + ":"
                    + target.port() + " within " + connectTimeout.toSeconds() + " s: " + m, e);
        }
        if (m.contains("closed by foreign host") || m.contains("End of IO Stream")) {
            return new SshException(SshException.Kind.CONNECTION_REFUSED, where
                    + " closed the connection before the SSH handshake finished (is it an SSH server,"
                    + " and does it accept this client?).", e);
        }
        return new SshException(SshException.Kind.OTHER, "Cannot connect to " + where + ": " + m, e);
    }

    private SshException authFailed(SshTarget target, KeyPlan keys, AuthFailure failure, String passwordState) {
        StringBuilder m = new StringBuilder("Authentication failed for ").append(target.display()).append(". Tried: ");
        m.append("ssh-agent (").append(keys.agentNote()).append("); ");
        m.append("publickey with ");
        m.append(keys.fileNotes().isEmpty() ? "no key files" : String.join(", ", keys.fileNotes()));
        m.append("; password (").append(passwordState).append(").");
        if (failure != null && failure.getCause() != null) {
            String server = methodsFrom(failure.getCause().getMessage());
            if (server != null) {
                m.append(" The server accepts: ").append(server).append('.');
            }
        }
        return new SshException(SshException.Kind.AUTH_FAILED, m.toString(), failure == null ? null : failure.getCause());
    }

    /** "Auth fail for methods 'publickey,password'" -> "publickey, password". */
    private static String methodsFrom(String jschMessage) {
        if (jschMessage == null) {
            return null;
        }
        int a = jschMessage.indexOf('\'');
        int b = jschMessage.lastIndexOf('\'');
        return a >= 0 && b > a + 1 ? jschMessage.substring(a + 1, b).replace(",", ", ") : null;
    }

    private static byte[] utf8(char[] password) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        if (bb.hasArray()) {
            Arrays.fill(bb.array(), (byte) 0);
        }
        return out;
    }

    /** The keys to offer and what became of each source, for the failure message. */
    private record KeyPlan(IdentityRepository repository, String agentNote, List<String> fileNotes) {}

    private KeyPlan keyPlan(SshTarget target) {
        List<Identity> identities = new ArrayList<>();
        String agentNote;
        if (agentSocket == null) {
            agentNote = "SSH_AUTH_SOCK not set";
        } else {
            try {
                SSHAgentConnector connector = new SSHAgentConnector(agentSocket);
                if (!connector.isAvailable()) {
                    agentNote = "not reachable at " + agentSocket;
                } else {
                    Vector<Identity> fromAgent = new AgentIdentityRepository(connector).getIdentities();
                    identities.addAll(fromAgent);
                    agentNote = fromAgent.size() + (fromAgent.size() == 1 ? " key" : " keys");
                }
            } catch (Exception | LinkageError e) {
                agentNote = "not usable: " + e.getMessage();
            }
        }
        List<Path> files = target.identityFiles().isEmpty() ? defaultIdentities : target.identityFiles();
        boolean explicit = !target.identityFiles().isEmpty();
        List<String> notes = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Path f : files) {
            if (!seen.add(f.toAbsolutePath().normalize())) {
                continue;
            }
            if (!Files.isRegularFile(f)) {
                if (explicit) {
                    notes.add(f + " (not found)");
                }
                continue;
            }
            try {
                JSch loader = new JSch();
                loader.addIdentity(f.toString());
                Vector<Identity> loaded = loader.getIdentityRepository().getIdentities();
                boolean encrypted = !loaded.isEmpty() && loaded.get(0).isEncrypted();
                if (encrypted) {
                    // No passphrase is asked for or stored: the agent is the way to use such a key.
                    notes.add(f + " (passphrase-protected: load it into ssh-agent)");
                } else {
                    identities.addAll(loaded);
                    notes.add(f.toString());
                }
            } catch (JSchException e) {
                notes.add(f + " (unreadable: " + e.getMessage() + ")");
            }
        }
        return new KeyPlan(new Identities(identities), agentNote, notes);
    }

    /** The agent's keys followed by the files' keys, offered in that order, never modified. */
    private static final class Identities implements IdentityRepository {
        private final List<Identity> identities;

        Identities(List<Identity> identities) {
            this.identities = List.copyOf(identities);
        }

        @Override
        public String getName() {
            return "twinshift";
        }

        @Override
        public int getStatus() {
            return RUNNING;
        }

        @Override
        public Vector<Identity> getIdentities() {
            return new Vector<>(identities);
        }

        @Override
        public boolean add(byte[] identity) {
            return false;
        }

        @Override
        public boolean remove(byte[] blob) {
            return false;
        }

        @Override
        public void removeAll() {
        }
    }

    /** Internal signal that the server refused every method of one attempt. */
    private static final class AuthFailure extends Exception {
        private static final long serialVersionUID = 1L;

        AuthFailure(JSchException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
