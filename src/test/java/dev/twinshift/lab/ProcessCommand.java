package dev.twinshift.lab;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.SshException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RunningCommand} backed by a local process (bash, or the OpenSSH client): test
 * infrastructure that executes for real, until the JSch connection is available to the tests.
 */
final class ProcessCommand implements RunningCommand {
    private final RemoteCommand command;
    private final ExecOptions options;
    private final Process process;
    private final StringBuilder out = new StringBuilder();
    private final StringBuilder err = new StringBuilder();
    private final Thread outReader;
    private final Thread errReader;
    private final long startNanos = System.nanoTime();
    private volatile boolean cancelled;

    ProcessCommand(RemoteCommand command, List<String> localArgv, ExecOptions options, LineListener listener)
            throws SshException {
        this.command = command;
        this.options = options == null ? ExecOptions.defaults() : options;
        LineListener l = listener == null ? LineListener.IGNORE : listener;
        try {
            process = new ProcessBuilder(localArgv).start();
        } catch (IOException e) {
            throw new SshException(SshException.Kind.OTHER, "cannot start " + localArgv.get(0) + ": " + e.getMessage(), e);
        }
        outReader = reader(process.getInputStream(), out, LineListener.Stream.STDOUT, l);
        errReader = reader(process.getErrorStream(), err, LineListener.Stream.STDERR, l);
        byte[] in = this.options.stdin();
        Thread writer = new Thread(() -> {
            try (OutputStream os = process.getOutputStream()) {
                if (in != null) {
                    os.write(in);
                }
            } catch (IOException ignored) {
                // the command exited without reading all of its input
            }
        }, "stdin");
        writer.setDaemon(true);
        writer.start();
    }

    private Thread reader(InputStream s, StringBuilder sink, LineListener.Stream stream, LineListener l) {
        int limit = options.captureLimit();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    l.onLine(stream, line);
                    synchronized (sink) {
                        if (sink.length() < limit) {
                            sink.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException ignored) {
                // stream closed by cancel
            }
        }, stream.name().toLowerCase());
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public CommandResult await() throws SshException, InterruptedException {
        Duration timeout = options.timeout();
        boolean done;
        if (timeout == null) {
            process.waitFor();
            done = true;
        } else {
            done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (!done) {
            cancel();
            throw new SshException(SshException.Kind.COMMAND_TIMEOUT,
                    "`" + command.toShell() + "` did not end within " + timeout);
        }
        outReader.join(5000);
        errReader.join(5000);
        if (cancelled) {
            throw new SshException(SshException.Kind.CANCELLED, "`" + command.toShell() + "` was cancelled");
        }
        String o;
        String e;
        synchronized (out) {
            o = out.toString();
        }
        synchronized (err) {
            e = err.toString();
        }
        return new CommandResult(command, process.exitValue(), o, e, Duration.ofNanos(System.nanoTime() - startNanos));
    }

    @Override
    public void cancel() {
        cancelled = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public boolean isDone() {
        return !process.isAlive();
    }
}
