package dev.twinshift.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One live SSH session to a server, reused by every command as a separate channel.
 *
 * <p>Each command runs in its own exec channel, so commands run concurrently; channels beyond what
 * sshd allows per connection (MaxSessions) wait for a free one. One channel is always kept for
 * stopping commands, so a cancel never waits behind the work it is cancelling.
 *
 * <p>A command's life on its channel (launch, output, cancel, timeout, result) is a
 * {@link RemoteProcess}. Closing an SSH channel does not stop the remote process, so a cancel stops
 * it by its process id on the reserved channel, the one way there is ({@link RemoteStop}), through
 * {@code sudo -n} when the command ran under sudo. Closing the connection stops what still runs.
 */
public final class SshConnection implements RemoteShell, PortForwarding, AutoCloseable {
    private final SshTarget target;
    private final Session session;
    private final List<Session> jumps;
    private final AuditLog audit;
    private final Semaphore commandChannels;
    private final Semaphore controlChannels = new Semaphore(1, true);
    private final Set<RemoteProcess> running = ConcurrentHashMap.newKeySet();
    private final Set<ForwardedPort> tunnels = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    SshConnection(SshTarget target, Session session, List<Session> jumps, AuditLog audit, int maxChannels) {
        this.target = target;
        this.session = session;
        this.jumps = List.copyOf(jumps);
        this.audit = audit;
        this.commandChannels = new Semaphore(Math.max(1, maxChannels - 1), true);
    }

    public SshTarget target() {
        return target;
    }

    @Override
    public String serverName() {
        return target.alias();
    }

    /** The server's host key fingerprint for this session, {@code SHA256:...}. */
    public String hostKeyFingerprint() {
        HostKey k = session.getHostKey();
        return k == null ? null : KnownHostsFile.fingerprint(Base64.getDecoder().decode(k.getKey()));
    }

    public boolean isConnected() {
        return !closed && session.isConnected();
    }

    @Override
    public Tunnel openTunnel(String remoteHost, int remotePort, int preferredLocalPort) throws SshException {
        if (!isConnected()) {
            throw new SshException(SshException.Kind.CONNECTION_LOST, "not connected to " + serverName());
        }
        int wanted = LocalPorts.choose(preferredLocalPort);
        int local;
        try {
            local = session.setPortForwardingL(LocalPorts.LOOPBACK, wanted, remoteHost, remotePort);
        } catch (JSchException e) {
            if (wanted == 0) {
                throw new SshException(SshException.Kind.OTHER, "cannot forward a local port to " + remoteHost + ":" + remotePort
                        + " on " + serverName() + ": " + e.getMessage(), e);
            }
            // Someone took the preferred port between the check and the bind: any free port will do.
            try {
                local = session.setPortForwardingL(LocalPorts.LOOPBACK, 0, remoteHost, remotePort);
            } catch (JSchException again) {
                throw new SshException(SshException.Kind.OTHER, "cannot forward a local port to " + remoteHost + ":"
                        + remotePort + " on " + serverName() + ": " + again.getMessage(), again);
            }
        }
        ForwardedPort t = new ForwardedPort(local, remoteHost, remotePort);
        tunnels.add(t);
        return t;
    }

    /** Tunnels opened on this session and not yet closed. */
    public int tunnelCount() {
        return tunnels.size();
    }

    private final class ForwardedPort implements Tunnel {
        private final int local;
        private final String host;
        private final int port;
        private final AtomicBoolean open = new AtomicBoolean(true);

        ForwardedPort(int local, String host, int port) {
            this.local = local;
            this.host = host;
            this.port = port;
        }

        @Override
        public int localPort() {
            return local;
        }

        @Override
        public String remoteHost() {
            return host;
        }

        @Override
        public int remotePort() {
            return port;
        }

        @Override
        public boolean isOpen() {
            return open.get() && isConnected();
        }

        @Override
        public void close() {
            if (!open.compareAndSet(true, false)) {
                return;
            }
            tunnels.remove(this);
            try {
                session.delPortForwardingL(LocalPorts.LOOPBACK, local);
            } catch (JSchException e) {
                // Already gone with the session: nothing listens any more.
            }
        }
    }

    /** Commands started and not yet finished. */
    public int runningCount() {
        return running.size();
    }

    @Override
    public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException {
        ExecOptions opts = options == null ? ExecOptions.defaults() : options;
        if (closed) {
            throw new SshException(SshException.Kind.CONNECTION_LOST, "The connection to " + target.display()
                    + " is closed.");
        }
        if (!session.isConnected()) {
            throw new SshException(SshException.Kind.CONNECTION_LOST, "The connection to " + target.display()
                    + " was lost.");
        }
        return begin(new RemoteProcess(this, command, opts, listener, commandChannels, false));
    }

    private RemoteProcess begin(RemoteProcess p) {
        running.add(p);
        p.begin();
        return p;
    }

    /** Runs an internal command (stopping another one) on the reserved channel; never throws. */
    private CommandResult control(RemoteCommand command) {
        RemoteProcess p = begin(new RemoteProcess(this, command, ExecOptions.defaults().withTimeout(null)
                .withCaptureLimit(64 * 1024), LineListener.IGNORE, controlChannels, true));
        try {
            return p.result().get(RemoteProcess.STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.cancel();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            p.cancel();
            return null;
        }
    }

    /**
     * Stops a remote process and what it started, the one way there is ({@link RemoteStop}); null when
     * it is gone, else why not.
     */
    String stopProcess(long pid, String runAs) {
        String why = "";
        for (RemoteCommand a : RemoteStop.process(pid, runAs)) {
            CommandResult r = control(a);
            if (r != null && r.ok()) {
                return null;
            }
            why = r == null ? "no answer" : "exit " + r.exitCode() + " " + r.stderr().strip();
        }
        return why;
    }

    Session session() {
        return session;
    }

    AuditLog audit() {
        return audit;
    }

    boolean isClosed() {
        return closed;
    }

    /** A process has ended and no longer needs stopping when the connection closes. */
    void forget(RemoteProcess p) {
        running.remove(p);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Stop what still runs first: a dropped channel would leave its process running on the server.
        // Stops under way are let finish; they end by themselves within seconds.
        List<RemoteProcess> left = new ArrayList<>(running);
        left.stream().filter(p -> !p.isControl()).forEach(p -> p.stop(ProcessLife.Stop.CLOSED));
        left = new ArrayList<>(running);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (RemoteProcess p : left) {
            long ms = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            try {
                p.result().get(ms, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // reported to whoever waits on it
            }
        }
        // A forward left behind would keep a local port that leads nowhere.
        new ArrayList<>(tunnels).forEach(ForwardedPort::close);
        session.disconnect();
        for (int i = jumps.size() - 1; i >= 0; i--) {
            jumps.get(i).disconnect();
        }
    }
}
