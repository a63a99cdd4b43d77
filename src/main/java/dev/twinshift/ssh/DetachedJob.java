package dev.twinshift.ssh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A long command run detached on the server (its own session, output to a log file, exit status to a
 * file), so that it outlives the SSH connection and the console that started it. Any console follows
 * it by polling its job directory: a reattached console reads the log from the start or from where it
 * stopped.
 */
public final class DetachedJob {
    /** How a job stands on the server. */
    public enum State { RUNNING, EXITED, LOST, MISSING }

    /** One look at the job: its state, exit code (when exited), and the log bytes read so far. */
    public record Status(State state, int exitCode, long logOffset) {
        public boolean finished() {
            return state != State.RUNNING;
        }

        public boolean succeeded() {
            return state == State.EXITED && exitCode == 0;
        }
    }

    private static final String START = RemoteStop.resource("job-start.sh");
    private static final String POLL = RemoteStop.resource("job-poll.sh");

    private final RemoteShell shell;
    private final String directory;

    public DetachedJob(RemoteShell shell, String directory) {
        this.shell = shell;
        this.directory = directory;
    }

    /**
     * Starts the command detached, as root or as the command's own user. The directory must not hold
     * an earlier job: a job is started once, then only followed.
     */
    public static DetachedJob start(RemoteShell shell, String directory, RemoteCommand command)
            throws SshException, InterruptedException {
        String user = command.runAs() == null ? "root" : command.runAs();
        List<String> argv = new ArrayList<>(List.of("sh", "-c", START, "job-start", directory, user));
        argv.addAll(command.argv());
        shell.run(RemoteCommand.of(argv).asRoot(), Duration.ofSeconds(30)).requireSuccess();
        return new DetachedJob(shell, directory);
    }

    /** The state now, and the log from {@code offset} handed to the listener line by line. */
    public Status poll(long offset, LineAssembler lines) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("sh", "-c", POLL, "job-poll", directory, Long.toString(offset))
                .asRoot(), Duration.ofMinutes(2)).requireSuccess();
        String out = r.stdout();
        int nl = out.indexOf('\n');
        String head = nl < 0 ? out : out.substring(0, nl);
        String body = nl < 0 ? "" : out.substring(nl + 1);
        Status s = parseHead(head, offset);
        if (!body.isEmpty() && lines != null) {
            lines.accept(body);
        }
        if (s.finished() && lines != null) {
            lines.flush();
        }
        return s;
    }

    static Status parseHead(String head, long offset) {
        String[] f = head.strip().split(" ");
        try {
            long size = Long.parseLong(f[f.length - 1]);
            long next = Math.max(offset, size);
            return switch (f[0]) {
                case "running" -> new Status(State.RUNNING, -1, next);
                case "exit" -> new Status(State.EXITED, Integer.parseInt(f[1]), next);
                case "lost" -> new Status(State.LOST, -1, next);
                case "missing" -> new Status(State.MISSING, -1, offset);
                default -> throw new IllegalStateException("unexpected job status: " + head);
            };
        } catch (RuntimeException e) {
            throw new IllegalStateException("unexpected job status line: " + head, e);
        }
    }

    /**
     * Follows the job until it ends, handing its log lines to the listener from {@code offset}.
     * Returns the final status; a job that is {@link State#LOST} ended without an exit status.
     */
    public Status follow(long offset, LineListener listener, Duration pollEvery) throws SshException, InterruptedException {
        LineAssembler lines = new LineAssembler(listener);
        long off = offset;
        while (true) {
            Status s = poll(off, lines);
            off = s.logOffset();
            if (s.finished()) {
                return s;
            }
            Thread.sleep(pollEvery.toMillis());
        }
    }

    /**
     * Stops the job, everything in its process group and what it started, and returns once they are
     * gone: true when it was running. A start still under way (its console killed mid-start) is marked so that it never runs.
     * Fails when the job survives SIGKILL.
     */
    public boolean stop() throws SshException, InterruptedException {
        return shell.run(RemoteStop.job(directory), Duration.ofSeconds(60)).requireSuccess().stdout().strip()
                .equals("stopped");
    }

    /** The whole log as it is now. */
    public String log() throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("cat", "--", directory + "/log").asRoot()).requireSuccess().stdout();
    }

    /** Cuts a stream of text chunks into lines; a partial last line waits for the next chunk. */
    public static final class LineAssembler {
        private final LineListener listener;
        private final StringBuilder partial = new StringBuilder();

        public LineAssembler(LineListener listener) {
            this.listener = listener;
        }

        public void accept(String chunk) {
            partial.append(chunk);
            int start = 0;
            for (int i = 0; i < partial.length(); i++) {
                if (partial.charAt(i) == '\n') {
                    listener.onLine(LineListener.Stream.STDOUT, partial.substring(start, i));
                    start = i + 1;
                }
            }
            partial.delete(0, start);
        }

        public void flush() {
            if (!partial.isEmpty()) {
                listener.onLine(LineListener.Stream.STDOUT, partial.toString());
                partial.setLength(0);
            }
        }
    }
}
