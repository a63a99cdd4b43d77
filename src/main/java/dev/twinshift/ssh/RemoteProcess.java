package dev.twinshift.ssh;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import dev.twinshift.ssh.ProcessLife.Change;
import dev.twinshift.ssh.ProcessLife.State;
import dev.twinshift.ssh.ProcessLife.Stop;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One command on an exec channel of an {@link SshConnection}, from the wait for a channel to its
 * result: launch, output, timeout, cancel. Where it stands is its {@link ProcessLife}; this class only
 * does what each change of it asks for.
 *
 * <p>Closing an SSH channel does not stop the remote process, so the command is started as
 * {@code printf MARKER "$$" >&2; exec COMMAND}: the login shell reports its process id (which sshd
 * made a session and process-group leader) and then becomes the command, so the exit code is the
 * command's own. A stop runs {@link RemoteStop} with that pid on the connection's reserved channel.
 */
final class RemoteProcess implements RunningCommand {
    static final ExecutorService IO = Executors.newCachedThreadPool(daemon("twinshift-ssh-io"));
    private static final ScheduledExecutorService TIMER =
            Executors.newSingleThreadScheduledExecutor(daemon("twinshift-ssh-timer"));
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How long the channel may stay open once the stop returned, before it is dropped regardless. */
    static final Duration STOP_GRACE = Duration.ofSeconds(15);
    /** How long a stop waits for the process id before it gives up on signalling and drops the channel. */
    private static final Duration PID_WAIT = Duration.ofSeconds(5);
    /** How long a channel that sshd refused to open is retried (a full MaxSessions, say). */
    private static final Duration OPEN_RETRY = Duration.ofSeconds(10);

    private static final Map<String, Integer> SIGNALS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8),
            Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12),
            Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15));

    private final SshConnection connection;
    private final RemoteCommand command;
    private final ExecOptions options;
    private final Semaphore channels;
    /** An internal stop command: never stopped by another one, only by dropping its channel. */
    private final boolean control;
    private final Instant startedAt = Instant.now();
    private final long t0 = System.nanoTime();
    private final String marker = "\u001ets-" + HexFormat.of().formatHex(nonce()) + " ";
    private final CommandOutput output;
    private final CompletableFuture<CommandResult> result = new CompletableFuture<>();
    private final AtomicInteger openAttempts = new AtomicInteger();
    private final ProcessLife life = new ProcessLife();

    /** Set once, before the life moves past OPENING. */
    private volatile ChannelExec channel;
    private volatile ScheduledFuture<?> timeout;
    /** Why a stop may have left something behind; shown with the result. */
    private volatile String stopFailure;

    RemoteProcess(SshConnection connection, RemoteCommand command, ExecOptions options, LineListener listener,
            Semaphore channels, boolean control) {
        this.connection = connection;
        this.command = command;
        this.options = options;
        this.channels = channels;
        this.control = control;
        this.output = new CommandOutput(listener, options.captureLimit(), marker, IO);
    }

    static String wrap(RemoteCommand command, String marker) {
        // The marker's text is fixed here; only the shell's own $$ goes into it.
        return "printf '" + marker.replace("\u001e", "\\036") + "%s\\n' \"$$\" >&2; exec " + command.toShell();
    }

    boolean isControl() {
        return control;
    }

    CompletableFuture<CommandResult> result() {
        return result;
    }

    void begin() {
        Duration t = options.timeout();
        if (t != null && !t.isZero() && !t.isNegative()) {
            timeout = TIMER.schedule(() -> stop(Stop.TIMEOUT), t.toMillis(), TimeUnit.MILLISECONDS);
        }
        boolean now;
        try {
            now = channels.tryAcquire(0, TimeUnit.MILLISECONDS); // unlike tryAcquire(), queues fairly
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
            end(life.end(State.FAILED), new SshException(SshException.Kind.OTHER,
                    "interrupted while waiting for a free channel", null));
            return;
        }
        launch();
    }

    /** Runs with a channel permit held. */
    private void launch() {
        if (!life.channelGranted().changed()) {
            channels.release(); // stopped while it waited: nothing to run
            return;
        }
        ChannelExec ch;
        Channel c = null;
        try {
            c = connection.session().openChannel("exec");
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
            notOpened(e);
            return;
        }
        channel = ch;
        Change opened = life.opened();
        // Only now: the state machine takes a pid or an end once the channel is known to be open.
        output.pid().thenAccept(p -> {
            if (p != null) {
                act(life.pidReported(p));
            }
        });
        output.finished().whenComplete((v, ex) -> closed());
        writeStdin(ch);
        act(opened);
    }

    private void notOpened(JSchException e) {
        if (!connection.session().isConnected() || connection.isClosed()) {
            end(life.end(State.LOST), new SshException(SshException.Kind.CONNECTION_LOST, "The connection to "
                    + connection.target().display() + " was lost; `" + command.toShell() + "` was not started."));
        } else if (Duration.ofNanos(System.nanoTime() - t0).compareTo(OPEN_RETRY) < 0) {
            // sshd refuses channels beyond its MaxSessions; one frees up when a command ends.
            Change c = life.retry();
            if (c.ended()) {
                end(c, null);
                return;
            }
            channels.release();
            long backoff = Math.min(500, 20L << Math.min(5, openAttempts.getAndIncrement()));
            TIMER.schedule(() -> IO.execute(this::acquireThenLaunch), backoff, TimeUnit.MILLISECONDS);
        } else {
            end(life.end(State.FAILED), new SshException(SshException.Kind.OTHER, "The server refused to open a"
                    + " channel for `" + command.toShell() + "` (" + e.getMessage() + "); its MaxSessions may be"
                    + " lower than this connection's channel limit.", e));
        }
    }

    private void writeStdin(ChannelExec ch) {
        byte[] in = options.stdin();
        if (in == null || in.length == 0) {
            try {
                ch.getOutputStream().close();
            } catch (IOException e) {
                // The channel is already gone; closed() reports why.
            }
            return;
        }
        // Writing can block on the server's window: keep it off the caller's thread.
        IO.execute(() -> {
            try (OutputStream o = ch.getOutputStream()) {
                o.write(in);
            } catch (IOException e) {
                // The command ended before reading all of its input: its exit code says how it went.
            }
        });
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
        stop(Stop.CANCELLED);
    }

    @Override
    public boolean isDone() {
        return result.isDone();
    }

    /** Asks for a stop; the change says where the command was when the stop came. */
    Change stop(Stop why) {
        Change c = life.requestStop(why);
        act(c);
        return c;
    }

    /** Does what a change of the life asks for. */
    private void act(Change c) {
        if (c.ended()) {
            end(c, null);
        } else if (c.to() == State.STOPPING && c.from() != State.STOPPING) {
            if (control) {
                // Stopping a stop command by another would never end; it only needs its channel gone.
                drop();
            } else if (!c.signal()) {
                TIMER.schedule(this::pidNeverCame, PID_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        if (c.signal() && !control) {
            IO.execute(() -> signal(c.pid()));
        }
    }

    private void pidNeverCame() {
        if (life.state() == State.STOPPING && life.pid() < 0) {
            stopFailure = "the remote process id was never reported";
            drop();
        }
    }

    private void signal(long pid) {
        String why = connection.stopProcess(pid, command.runAs());
        if (why != null) {
            stopFailure = "process " + pid + " could not be stopped: " + why;
        }
        try {
            output.finished().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            drop();
        }
    }

    private void drop() {
        ChannelExec ch = channel;
        if (ch != null) {
            ch.disconnect();
        }
    }

    /** Both output streams have ended: the channel is closed, with or without an exit status. */
    private void closed() {
        ChannelExec ch = channel;
        int status = ch.getExitStatus();
        String signal = ch.getExitSignal();
        ch.disconnect();
        if (status >= 0 || signal != null) {
            end(life.end(State.EXITED), null, exitCodeOf(status, signal));
        } else if (life.stop() != null) {
            end(life.end(State.LOST), null); // a stop was asked: it ends as stopped whatever happened
        } else if (!sessionGoingDown()) {
            // The server closed the channel without saying how the command ended, yet the
            // connection is fine: the exec request itself was refused (ForceCommand, a shell
            // that cannot start, ...).
            end(life.end(State.FAILED), new SshException(SshException.Kind.OTHER, "The server closed the channel of "
                    + shown() + " without an exit status: " + output.capturedStderr().strip(), null), -1);
        } else {
            end(life.end(State.LOST), new SshException(SshException.Kind.CONNECTION_LOST, "The connection to "
                    + connection.target().display() + " was lost while " + shown() + " ran (after " + seconds(took())
                    + "); its outcome is unknown."));
        }
    }

    private void end(Change c, SshException failure) {
        end(c, failure, null);
    }

    /**
     * Completes the result for a change that ended the command; any other change is ignored.
     *
     * @param failure what a natural LOST or FAILED end reports
     * @param code    the exit code to audit for EXITED, or for a FAILED exec (-1); null to audit by state
     */
    private void end(Change c, SshException failure, Integer code) {
        if (!c.ended()) {
            return;
        }
        if (c.from().holdsChannel()) {
            channels.release();
        }
        connection.forget(this);
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
        Duration took = took();
        Stop why = life.stop();
        switch (c.to()) {
            case EXITED -> exited(code, took);
            case STOPPED -> {
                audit(why == Stop.TIMEOUT ? AuditLog.TIMEOUT : AuditLog.CANCELLED, took);
                String note = stopFailure == null ? "" : " Warning: " + stopFailure + ".";
                result.completeExceptionally(why == Stop.TIMEOUT
                        ? new SshException(SshException.Kind.COMMAND_TIMEOUT, shown() + " ran longer than "
                                + seconds(options.timeout()) + " and was stopped." + note)
                        : new SshException(SshException.Kind.CANCELLED, shown() + " was cancelled after " + seconds(took)
                                + (why == Stop.CLOSED ? " (connection closed)" : "") + "." + note));
            }
            case NOT_STARTED -> {
                audit(why == Stop.TIMEOUT ? AuditLog.TIMEOUT : AuditLog.CANCELLED, took);
                result.completeExceptionally(why == Stop.TIMEOUT
                        ? new SshException(SshException.Kind.COMMAND_TIMEOUT, "`" + command.toShell()
                                + "` waited longer than " + seconds(options.timeout()) + " for a free channel and was not started.")
                        : new SshException(SshException.Kind.CANCELLED, "`" + command.toShell()
                                + "` was cancelled before it started."));
            }
            case LOST -> {
                audit(AuditLog.LOST, took);
                result.completeExceptionally(failure);
            }
            case FAILED -> {
                if (code != null) {
                    connection.audit().record(startedAt, connection.target().alias(), connection.target().user(),
                            command.effectiveArgv(), code, took);
                }
                result.completeExceptionally(failure);
            }
            default -> throw new IllegalStateException("not an end: " + c);
        }
    }

    private void exited(int code, Duration took) {
        connection.audit().record(startedAt, connection.target().alias(), connection.target().user(),
                command.effectiveArgv(), code, took);
        CommandResult r = new CommandResult(command, code, output.capturedStdout(), output.capturedStderr(), took);
        if (code == 0 || control || FailureCause.outOfSpace(r.stderr()) == null) {
            result.complete(r);
            return;
        }
        // Ask the server how full it is before anyone sees the failure: that is its cause.
        IO.execute(() -> {
            try {
                result.complete(r.withCause(FailureCause.diagnose(connection, r)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result.complete(r);
            } catch (RuntimeException e) {
                result.complete(r);
            }
        });
    }

    /** JSch closes the channels of a dropped session just before it marks the session down. */
    private boolean sessionGoingDown() {
        for (int i = 0; i < 30; i++) {
            if (!connection.session().isConnected()) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !connection.session().isConnected();
            }
        }
        return false;
    }

    private void audit(String ending, Duration took) {
        connection.audit().record(startedAt, connection.target().alias(), connection.target().user(),
                command.effectiveArgv(), ending, took);
    }

    private String shown() {
        return "`" + command.toShell() + "` on " + connection.target().alias();
    }

    private Duration took() {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    static int exitCodeOf(int status, String signal) {
        if (status >= 0) {
            return status;
        }
        if (signal != null) {
            return 128 + SIGNALS.getOrDefault(signal, 0);
        }
        return -1;
    }

    static String seconds(Duration d) {
        if (d == null) {
            return "?";
        }
        long ms = d.toMillis();
        return ms < 10_000 ? String.format("%.1f s", ms / 1000.0) : (ms / 1000) + " s";
    }

    @Override
    public String toString() {
        return command.toShell() + " [" + life + "]";
    }

    private static byte[] nonce() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
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
