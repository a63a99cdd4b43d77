package dev.twinshift.ssh;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One live SSH session to a server, reused by every command as a separate channel.
 *
 * <p>Each command runs in its own exec channel, so commands run concurrently; channels beyond what
 * sshd allows per connection (MaxSessions) wait for a free one. One channel is always kept for
 * stopping commands, so a cancel never waits behind the work it is cancelling.
 *
 * <p>Closing an SSH channel does not stop the remote process, so every command is started as
 * {@code printf MARKER "$$" >&2; exec COMMAND}: the login shell reports its process id (which sshd
 * made a session and process-group leader) and then becomes the command, so the exit code is the
 * command's own. To cancel, a second channel stops that process the one way there is
 * ({@link RemoteStop}), through {@code sudo -n} when the command ran under sudo.
 */
public final class SshConnection implements RemoteShell, PortForwarding, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SshConnection.class.getName());

    private static final ExecutorService IO = Executors.newCachedThreadPool(daemon("twinshift-ssh-io"));
    private static final ScheduledExecutorService TIMER =
            Executors.newSingleThreadScheduledExecutor(daemon("twinshift-ssh-timer"));
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How long a stop may take before the channel is dropped regardless. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    /** How long a channel that sshd refused to open is retried (a full MaxSessions, say). */
    private static final Duration OPEN_RETRY = Duration.ofSeconds(10);

    private static final Map<String, Integer> SIGNALS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8),
            Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12),
            Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15));

    private enum Ending { CANCELLED, TIMEOUT, CLOSED }

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
        RemoteProcess p = new RemoteProcess(command, opts, listener, commandChannels, false);
        p.begin();
        return p;
    }

    /** Runs an internal command (stopping another one) on the reserved channel; never throws. */
    private CommandResult control(RemoteCommand command) {
        RemoteProcess p = new RemoteProcess(command, ExecOptions.defaults().withTimeout(null).withCaptureLimit(64 * 1024),
                LineListener.IGNORE, controlChannels, true);
        try {
            p.begin();
            return p.result.get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
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
    private String stop(long pid, String runAs) {
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

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Stop what still runs first: a dropped channel would leave its process running on the server.
        // Stops under way are let finish; they end by themselves within seconds.
        List<RemoteProcess> left = new ArrayList<>(running);
        left.stream().filter(p -> !p.control).forEach(p -> p.terminate(Ending.CLOSED));
        left = new ArrayList<>(running);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (RemoteProcess p : left) {
            long ms = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            try {
                p.result.get(ms, TimeUnit.MILLISECONDS);
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

    static String wrap(RemoteCommand command, String marker) {
        // The marker's text is fixed here; only the shell's own $$ goes into it.
        return "printf '" + marker.replace("\u001e", "\\036") + "%s\\n' \"$$\" >&2; exec " + command.toShell();
    }

    private static int exitCodeOf(int status, String signal) {
        if (status >= 0) {
            return status;
        }
        if (signal != null) {
            return 128 + SIGNALS.getOrDefault(signal, 0);
        }
        return -1;
    }

    /** A command from start to end: launch, output, timeout and cancel, result. */
    private final class RemoteProcess implements RunningCommand {
        final RemoteCommand command;
        final ExecOptions options;
        final Semaphore channels;
        /** An internal stop command: not stopped itself, except by a dropped channel. */
        final boolean control;
        final Instant startedAt = Instant.now();
        final long t0 = System.nanoTime();
        final String marker = "\u001ets-" + HexFormat.of().formatHex(nonce()) + " ";
        final CommandOutput output;
        final CompletableFuture<CommandResult> result = new CompletableFuture<>();
        final AtomicBoolean stopping = new AtomicBoolean();
        final AtomicInteger openAttempts = new AtomicInteger();

        private Ending ending;
        private boolean finished;
        private boolean holdsChannel;
        private volatile ChannelExec channel;
        private volatile ScheduledFuture<?> timeout;
        private volatile String stopFailure;

        RemoteProcess(RemoteCommand command, ExecOptions options, LineListener listener, Semaphore channels,
                boolean control) {
            this.command = command;
            this.options = options;
            this.channels = channels;
            this.control = control;
            this.output = new CommandOutput(listener, options.captureLimit(), marker, IO);
        }

        void begin() {
            running.add(this);
            Duration t = options.timeout();
            if (t != null && !t.isZero() && !t.isNegative()) {
                timeout = TIMER.schedule(() -> terminate(Ending.TIMEOUT), t.toMillis(), TimeUnit.MILLISECONDS);
            }
            boolean now;
            try {
                now = channels.tryAcquire(0, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                now = false;
            }
            if (now) {
                launch();
            } else {
                IO.execute(this::acquireThenLaunch);
            }
        }

        private void acquireThenLaunch() {
            try {
                channels.acquire();
            } catch (InterruptedException e) {
                fail("interrupted while waiting for a free channel", null);
                return;
            }
            launch();
        }

        /** Runs with a channel permit held. */
        private void launch() {
            synchronized (this) {
                if (finished) {
                    channels.release();
                    return;
                }
                holdsChannel = true;
                if (ending != null) {
                    // Stopped before it started: nothing runs on the server.
                    finishEarly();
                    return;
                }
            }
            ChannelExec ch;
            Channel c = null;
            try {
                c = session.openChannel("exec");
                if (c == null) {
                    throw new JSchException("channel is not opened.");
                }
                ch = (ChannelExec) c;
                ch.setCommand(wrap(command, marker).getBytes(StandardCharsets.UTF_8));
                ch.setOutputStream(output.stdout());
                ch.setExtOutputStream(output.stderr());
                // No timeout here on purpose: with one, JSch polls every 10 ms for the exec reply.
                // A failed exec shows as the channel closing without an exit status anyway.
                ch.connect();
            } catch (JSchException e) {
                if (c != null) {
                    c.disconnect();
                }
                synchronized (this) {
                    if (ending != null) {
                        finishEarly();
                        return;
                    }
                }
                if (!session.isConnected() || closed) {
                    lost();
                    return;
                }
                if (Duration.ofNanos(System.nanoTime() - t0).compareTo(OPEN_RETRY) < 0) {
                    // sshd refuses channels beyond its MaxSessions; one frees up when a command ends.
                    long backoff = Math.min(500, 20L << Math.min(5, openAttempts.getAndIncrement()));
                    synchronized (this) {
                        holdsChannel = false;
                    }
                    channels.release();
                    TIMER.schedule(() -> IO.execute(this::acquireThenLaunch), backoff, TimeUnit.MILLISECONDS);
                    return;
                }
                fail("The server refused to open a channel for `" + command.toShell() + "` (" + e.getMessage()
                        + "); its MaxSessions may be lower than this connection's channel limit.", e);
                return;
            }
            channel = ch;
            output.finished().whenComplete((v, ex) -> end());
            byte[] in = options.stdin();
            if (in == null || in.length == 0) {
                closeStdin(ch);
            } else {
                // Writing can block on the server's window: keep it off the caller's thread.
                IO.execute(() -> {
                    try (OutputStream o = ch.getOutputStream()) {
                        o.write(in);
                    } catch (IOException e) {
                        // The command ended before reading all of its input: its exit code says how it went.
                    }
                });
            }
            boolean stopNow;
            synchronized (this) {
                stopNow = ending != null;
            }
            if (stopNow) {
                stopRemote();
            }
        }

        private void closeStdin(ChannelExec ch) {
            try {
                ch.getOutputStream().close();
            } catch (IOException e) {
                // The channel is already gone; end() reports why.
            }
        }

        @Override
        public CommandResult await() throws SshException, InterruptedException {
            try {
                return result.get();
            } catch (InterruptedException e) {
                // Whoever waited has given up: do not leave the remote process behind.
                cancel();
                throw e;
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof SshException se) {
                    throw new SshException(se.kind(), se.getMessage(), se);
                }
                throw new SshException(SshException.Kind.OTHER, String.valueOf(c), c);
            }
        }

        @Override
        public void cancel() {
            terminate(Ending.CANCELLED);
        }

        @Override
        public boolean isDone() {
            return result.isDone();
        }

        void terminate(Ending why) {
            boolean launched;
            synchronized (this) {
                if (finished || ending != null) {
                    return;
                }
                ending = why;
                launched = channel != null;
                if (!launched && holdsChannel) {
                    // launch() is between its check and connect(): it will see `ending` and stop.
                    return;
                }
            }
            if (!launched) {
                // Still waiting for a channel: end now; launch() releases the permit when it gets one.
                synchronized (this) {
                    finishEarly();
                }
                return;
            }
            if (control) {
                // Stopping a stop command by another would never end; it only needs its channel gone.
                channel.disconnect();
                return;
            }
            stopRemote();
        }

        private void stopRemote() {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            IO.execute(() -> {
                Long pid = null;
                try {
                    pid = output.pid().get(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    // no report from the wrapper: the channel is dropped below
                }
                if (pid != null && !output.finished().isDone()) {
                    stopFailure = stop(pid, command.runAs());
                    if (stopFailure != null) {
                        stopFailure = "process " + pid + " could not be stopped: " + stopFailure;
                    }
                } else if (pid == null && !output.finished().isDone()) {
                    stopFailure = "the remote process id was never reported";
                }
                try {
                    output.finished().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    ChannelExec ch = channel;
                    if (ch != null) {
                        ch.disconnect();
                    }
                }
            });
        }

        /** Both output streams have ended: the channel is closed, with or without an exit status. */
        private void end() {
            ChannelExec ch = channel;
            int status = ch.getExitStatus();
            String signal = ch.getExitSignal();
            ch.disconnect();
            Ending why;
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
                why = ending;
            }
            release();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            String shown = "`" + command.toShell() + "` on " + target.alias();
            String note = stopFailure == null ? "" : " Warning: " + stopFailure + ".";
            if (why == Ending.CANCELLED || why == Ending.CLOSED) {
                audit(AuditLog.CANCELLED, took);
                result.completeExceptionally(new SshException(SshException.Kind.CANCELLED, shown + " was cancelled after "
                        + seconds(took) + (why == Ending.CLOSED ? " (connection closed)" : "") + "." + note));
            } else if (why == Ending.TIMEOUT) {
                audit(AuditLog.TIMEOUT, took);
                result.completeExceptionally(new SshException(SshException.Kind.COMMAND_TIMEOUT, shown
                        + " ran longer than " + seconds(options.timeout()) + " and was stopped." + note));
            } else if (status < 0 && signal == null && !sessionGoingDown()) {
                // The server closed the channel without saying how the command ended, yet the
                // connection is fine: the exec request itself was refused (ForceCommand, a shell
                // that cannot start, ...).
                audit.record(startedAt, target.alias(), target.user(), command.effectiveArgv(), -1, took);
                result.completeExceptionally(new SshException(SshException.Kind.OTHER, "The server closed the channel"
                        + " of " + shown + " without an exit status: " + output.capturedStderr().strip(), null));
            } else if (status < 0 && signal == null) {
                audit(AuditLog.LOST, took);
                result.completeExceptionally(new SshException(SshException.Kind.CONNECTION_LOST, "The connection to "
                        + target.display() + " was lost while " + shown + " ran (after " + seconds(took)
                        + "); its outcome is unknown."));
            } else {
                int code = exitCodeOf(status, signal);
                audit.record(startedAt, target.alias(), target.user(), command.effectiveArgv(), code, took);
                CommandResult r = new CommandResult(command, code, output.capturedStdout(), output.capturedStderr(), took);
                if (code != 0 && !control && FailureCause.outOfSpace(r.stderr()) != null) {
                    // Ask the server how full it is before anyone sees the failure: that is its cause.
                    IO.execute(() -> {
                        try {
                            result.complete(r.withCause(FailureCause.diagnose(SshConnection.this, r)));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            result.complete(r);
                        } catch (RuntimeException e) {
                            result.complete(r);
                        }
                    });
                } else {
                    result.complete(r);
                }
            }
        }

        /** JSch closes the channels of a dropped session just before it marks the session down. */
        private boolean sessionGoingDown() {
            for (int i = 0; i < 30; i++) {
                if (!session.isConnected()) {
                    return true;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return !session.isConnected();
                }
            }
            return false;
        }

        private void lost() {
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
            }
            release();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            audit(AuditLog.LOST, took);
            result.completeExceptionally(new SshException(SshException.Kind.CONNECTION_LOST, "The connection to "
                    + target.display() + " was lost; `" + command.toShell() + "` was not started."));
        }

        private void fail(String message, Throwable cause) {
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
            }
            release();
            result.completeExceptionally(new SshException(SshException.Kind.OTHER, message, cause));
        }

        /** Caller holds the monitor. */
        private void finishEarly() {
            if (finished) {
                return;
            }
            finished = true;
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            String ending = this.ending == Ending.TIMEOUT ? AuditLog.TIMEOUT : AuditLog.CANCELLED;
            audit(ending, took);
            SshException.Kind kind = this.ending == Ending.TIMEOUT ? SshException.Kind.COMMAND_TIMEOUT
                    : SshException.Kind.CANCELLED;
            String m = this.ending == Ending.TIMEOUT
                    ? "`" + command.toShell() + "` waited longer than " + seconds(options.timeout())
                            + " for a free channel and was not started."
                    : "`" + command.toShell() + "` was cancelled before it started.";
            if (holdsChannel) {
                holdsChannel = false;
                channels.release();
            }
            running.remove(this);
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            result.completeExceptionally(new SshException(kind, m));
        }

        private void release() {
            boolean permit;
            synchronized (this) {
                permit = holdsChannel;
                holdsChannel = false;
            }
            if (permit) {
                channels.release();
            }
            running.remove(this);
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
        }

        private void audit(String ending, Duration took) {
            audit.record(startedAt, target.alias(), target.user(), command.effectiveArgv(), ending, took);
        }
    }

    private static byte[] nonce() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String seconds(Duration d) {
        if (d == null) {
            return "?";
        }
        long ms = d.toMillis();
        return ms < 10_000 ? String.format("%.1f s", ms / 1000.0) : (ms / 1000) + " s";
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
