package dev.twinshift.storage;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.SshException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * This machine as the server, for unit tests that run the server's scripts for real: each command
 * runs here as its argument list (as root when the test runs as root; another user through
 * runuser), its lines streamed to the listener as a session's would be.
 */
public final class LocalShell implements RemoteShell {

    public static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Override
    public String serverName() {
        return "localhost";
    }

    @Override
    public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException {
        List<String> argv = new ArrayList<>();
        if (command.runAs() != null && !command.runAs().equals("root")) {
            argv.addAll(List.of("runuser", "-u", command.runAs(), "--"));
        }
        argv.addAll(command.argv());
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new SshException(SshException.Kind.COMMAND_FAILED, "cannot run " + argv + ": " + e.getMessage(), e);
        }
        long started = System.nanoTime();
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        Thread o = pump(p.getInputStream(), out, LineListener.Stream.STDOUT, listener);
        Thread e = pump(p.getErrorStream(), err, LineListener.Stream.STDERR, listener);
        Thread in = new Thread(() -> {
            try (OutputStream os = p.getOutputStream()) {
                if (options.stdin() != null) {
                    os.write(options.stdin());
                }
            } catch (IOException ignored) {
                // the command ended without reading all of it
            }
        });
        in.start();
        return new RunningCommand() {
            @Override
            public CommandResult await() throws SshException, InterruptedException {
                Duration t = options.timeout() == null ? Duration.ofMinutes(5) : options.timeout();
                if (!p.waitFor(t.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new SshException(SshException.Kind.COMMAND_FAILED, "timed out: " + argv);
                }
                o.join();
                e.join();
                in.join();
                return new CommandResult(command, p.exitValue(), out.toString(), err.toString(),
                        Duration.ofNanos(System.nanoTime() - started));
            }

            @Override
            public void cancel() {
                p.destroyForcibly();
            }

            @Override
            public boolean isDone() {
                return !p.isAlive();
            }
        };
    }

    private static Thread pump(InputStream s, StringBuilder into, LineListener.Stream stream, LineListener listener) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (into) {
                        into.append(line).append('\n');
                    }
                    listener.onLine(stream, line);
                }
            } catch (IOException ignored) {
                // the stream closed with the process
            }
        });
        t.start();
        return t;
    }
}
