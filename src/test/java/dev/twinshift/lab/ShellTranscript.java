package dev.twinshift.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.SshException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * What a server answered, command by command, kept so that a test can run the real engine against
 * it again without the server. {@link Recording} wraps a real shell (the lab's) and writes every
 * command with its exit code, stdout and stderr as one JSON line; {@link Replay} answers from such a
 * file and refuses any command it has no answer for, so that an engine that starts asking something
 * else fails the test instead of being fed what the test expects.
 *
 * <p>Commands are matched on their user and argument list with what differs from run to run (time
 * stamps, names made from them, mktemp's random suffixes, lock tokens) replaced by
 * placeholders. A command asked more often than recorded (a lease renewal, a poll) gets its last
 * answer again.
 */
public final class ShellTranscript {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Map.Entry<Pattern, String>> VARYING = List.of(
            Map.entry(Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z"), "<instant>"),
            Map.entry(Pattern.compile("\\d{8}T\\d{6}Z"), "<stamp>"),
            Map.entry(Pattern.compile("\\brh\\d{12}-"), "rh<stamp>-"),
            Map.entry(Pattern.compile("(/tmp/twinshift-[a-z]+-)[A-Za-z0-9]+"), "$1<random>"),
            Map.entry(Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
            // The server scripts' sizes in their install command: an edit of a script is not the engine asking
            // something else (the install itself still has to be asked, and answered as recorded).
            Map.entry(Pattern.compile("(\\.sh)\u0001\\d+"), "$1\u0001<size>"));

    /** One command and what the server answered. */
    public record Exchange(String runAs, List<String> argv, int exit, String stdout, String stderr) {
        String key() {
            return key(runAs, argv);
        }

        static String key(String runAs, List<String> argv) {
            String k = (runAs == null ? "" : runAs) + "|" + String.join("\u0001", argv);
            for (Map.Entry<Pattern, String> v : VARYING) {
                k = v.getKey().matcher(k).replaceAll(v.getValue());
            }
            return k;
        }
    }

    private ShellTranscript() {}

    /** A real shell whose every command is kept, in the order asked. */
    public static final class Recording implements RemoteShell {
        private final RemoteShell real;
        private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

        public Recording(RemoteShell real) {
            this.real = real;
        }

        @Override
        public String serverName() {
            return real.serverName();
        }

        @Override
        public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException {
            RunningCommand running = real.start(command, options, listener);
            return new RunningCommand() {
                @Override
                public CommandResult await() throws SshException, InterruptedException {
                    CommandResult r = running.await();
                    exchanges.add(new Exchange(command.runAs(), command.argv(), r.exitCode(), r.stdout(), r.stderr()));
                    return r;
                }

                @Override
                public void cancel() {
                    running.cancel();
                }

                @Override
                public boolean isDone() {
                    return running.isDone();
                }
            };
        }

        public void write(Path file) throws IOException {
            Files.createDirectories(file.getParent());
            StringBuilder b = new StringBuilder();
            for (Exchange e : exchanges) {
                b.append(JSON.writeValueAsString(e)).append('\n');
            }
            Files.writeString(file, b.toString());
        }
    }

    /** Answers from a recording; a command it has no answer for fails the test. */
    public static final class Replay implements RemoteShell {
        private final String server;
        private final String source;
        private final Map<String, Deque<Exchange>> answers = new HashMap<>();
        private final Map<String, Exchange> last = new HashMap<>();
        private final List<String> asked = new CopyOnWriteArrayList<>();
        private final List<String> unexpected = new CopyOnWriteArrayList<>();

        private Replay(String server, String source, List<Exchange> exchanges) {
            this.server = server;
            this.source = source;
            for (Exchange e : exchanges) {
                answers.computeIfAbsent(e.key(), k -> new ArrayDeque<>()).add(e);
            }
        }

        /** A transcript kept as a test resource beside {@code near}. */
        public static Replay of(Class<?> near, String resource, String server) {
            List<Exchange> ex = new ArrayList<>();
            for (String line : Resources.text(near, resource).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    ex.add(JSON.readValue(line, Exchange.class));
                } catch (IOException e) {
                    throw new UncheckedIOException(resource + ": " + line, e);
                }
            }
            return new Replay(server, resource, ex);
        }

        @Override
        public String serverName() {
            return server;
        }

        /** Commands asked that the recording has no answer for; empty in a test that passes. */
        public List<String> unexpected() {
            return List.copyOf(unexpected);
        }

        /** Every command asked, as matched. */
        public List<String> asked() {
            return List.copyOf(asked);
        }

        @Override
        public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException {
            String key = Exchange.key(command.runAs(), command.argv());
            asked.add(key);
            Exchange e;
            synchronized (this) {
                Deque<Exchange> q = answers.get(key);
                e = q == null ? null : q.isEmpty() ? last.get(key) : q.poll();
                if (e != null) {
                    last.put(key, e);
                }
            }
            if (e == null) {
                unexpected.add(key);
                throw new AssertionError("the engine asked " + source + " for a command it never recorded: "
                        + (command.runAs() == null ? "" : "(as " + command.runAs() + ") ") + command.argv());
            }
            Exchange answer = e;
            for (String l : answer.stdout().lines().toList()) {
                listener.onLine(LineListener.Stream.STDOUT, l);
            }
            for (String l : answer.stderr().lines().toList()) {
                listener.onLine(LineListener.Stream.STDERR, l);
            }
            return new RunningCommand() {
                @Override
                public CommandResult await() {
                    return new CommandResult(command, answer.exit(), answer.stdout(), answer.stderr(), Duration.ZERO);
                }

                @Override
                public void cancel() {
                }

                @Override
                public boolean isDone() {
                    return true;
                }
            };
        }
    }

}
