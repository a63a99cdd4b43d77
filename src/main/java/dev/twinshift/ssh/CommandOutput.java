package dev.twinshift.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A command's two output streams as JSch delivers them, turned into lines for a {@link LineListener}
 * and into the captured text of a {@link CommandResult}.
 *
 * <p>JSch writes into {@link #stdout()} and {@link #stderr()} from its session thread, which serves
 * every channel of the connection; a slow listener there would stall all of them. So the writes
 * only queue the bytes, and one task at a time per command drains the queue on the executor: the
 * listener sees lines in the order they arrived, stdout and stderr interleaved, never concurrently.
 * The queue is bounded; a listener that stays far behind eventually slows the session down rather
 * than filling the heap.
 *
 * <p>The first stderr line equal to the marker prefix followed by a number is the wrapper's report
 * of the remote process id: it goes to {@link #pid()}, not to the listener or the capture.
 */
final class CommandOutput {
    private static final System.Logger LOG = System.getLogger(CommandOutput.class.getName());
    private static final long MAX_QUEUED_BYTES = 8L * 1024 * 1024;
    /** Longer "lines" (binary output without newlines) are handed over in pieces of this size. */
    private static final int MAX_LINE = 1024 * 1024;
    /**
     * stderr is kept up to at least this much whatever the capture limit: a caller that wants no
     * output (a write through tee) still needs the reason when the command fails.
     */
    static final int MIN_STDERR_CAPTURE = 64 * 1024;

    private final LineListener listener;
    private final String marker;
    private final Executor executor;

    private final Stream out = new Stream(LineListener.Stream.STDOUT);
    private final Stream err = new Stream(LineListener.Stream.STDERR);
    private final CompletableFuture<Long> pid = new CompletableFuture<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean draining;

    private record Chunk(Stream stream, byte[] bytes) {}

    /**
     * @param marker stderr line prefix that announces the remote process id; null when there is none
     */
    CommandOutput(LineListener listener, int captureLimit, String marker, Executor executor) {
        this.listener = listener == null ? LineListener.IGNORE : listener;
        out.captureLimit = Math.max(0, captureLimit);
        err.captureLimit = Math.max(MIN_STDERR_CAPTURE, captureLimit);
        this.marker = marker;
        this.executor = executor;
        err.awaitingMarker = marker != null;
    }

    OutputStream stdout() {
        return out.sink;
    }

    OutputStream stderr() {
        return err.sink;
    }

    /** The remote process id once the wrapper reported it; null if the output ended without it. */
    CompletableFuture<Long> pid() {
        return pid;
    }

    /** Completes when both streams ended and the listener has seen every line. */
    CompletableFuture<Void> finished() {
        return finished;
    }

    String capturedStdout() {
        return out.capture.toString();
    }

    String capturedStderr() {
        return err.capture.toString();
    }

    private void enqueue(Stream s, byte[] bytes) {
        boolean schedule;
        synchronized (queue) {
            // Never block on the end-of-stream marker: it is what lets the drain finish.
            while (bytes != null && queuedBytes > MAX_QUEUED_BYTES && draining) {
                try {
                    queue.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            queue.add(new Chunk(s, bytes));
            queuedBytes += bytes == null ? 0 : bytes.length;
            schedule = !draining;
            draining = true;
        }
        if (schedule) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        while (true) {
            Chunk c;
            synchronized (queue) {
                c = queue.poll();
                if (c == null) {
                    draining = false;
                    queue.notifyAll();
                    return;
                }
                queuedBytes -= c.bytes() == null ? 0 : c.bytes().length;
                queue.notifyAll();
            }
            try {
                if (c.bytes() == null) {
                    c.stream().end();
                    if (out.ended && err.ended && !finished.isDone()) {
                        pid.complete(null);
                        finished.complete(null);
                    }
                } else {
                    c.stream().decode(c.bytes(), false);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "output handling failed", e);
            }
        }
    }

    private void deliver(LineListener.Stream s, String line) {
        try {
            listener.onLine(s, line);
        } catch (RuntimeException e) {
            // One faulty listener must not lose the rest of the output or the result.
            LOG.log(System.Logger.Level.WARNING, "line listener failed", e);
        }
    }

    private final class Stream {
        final LineListener.Stream kind;
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer leftover = ByteBuffer.allocate(0);
        final CharBuffer chars = CharBuffer.allocate(8192);
        final StringBuilder line = new StringBuilder();
        final StringBuilder capture = new StringBuilder();
        int captureLimit;
        boolean awaitingMarker;
        boolean ended;
        boolean closed;

        final OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (len > 0 && !closed) {
                    byte[] copy = new byte[len];
                    System.arraycopy(b, off, copy, 0, len);
                    enqueue(Stream.this, copy);
                }
            }

            @Override
            public void close() throws IOException {
                synchronized (Stream.this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                }
                enqueue(Stream.this, null);
            }
        };

        Stream(LineListener.Stream kind) {
            this.kind = kind;
        }

        void decode(byte[] bytes, boolean endOfInput) {
            ByteBuffer in;
            if (leftover.hasRemaining()) {
                in = ByteBuffer.allocate(leftover.remaining() + bytes.length);
                in.put(leftover).put(bytes).flip();
            } else {
                in = ByteBuffer.wrap(bytes);
            }
            while (true) {
                chars.clear();
                var r = decoder.decode(in, chars, endOfInput);
                chars.flip();
                accept(chars);
                if (!r.isOverflow()) {
                    break;
                }
            }
            if (endOfInput) {
                chars.clear();
                decoder.flush(chars);
                chars.flip();
                accept(chars);
            }
            leftover = in.hasRemaining() ? ByteBuffer.wrap(copyRemaining(in)) : ByteBuffer.allocate(0);
        }

        private static byte[] copyRemaining(ByteBuffer b) {
            byte[] r = new byte[b.remaining()];
            b.get(r);
            return r;
        }

        private void accept(CharBuffer cs) {
            int start = cs.position();
            int end = cs.limit();
            // Until the marker has gone by, stderr is captured line by line (so the marker can be
            // left out); from then on, as it comes.
            int captureFrom = awaitingMarker ? -1 : start;
            for (int i = start; i < end; i++) {
                char c = cs.get(i);
                if (c == '\n') {
                    boolean before = awaitingMarker;
                    completeLine();
                    if (before && !awaitingMarker) {
                        captureFrom = i + 1;
                    }
                } else {
                    line.append(c);
                    if (line.length() >= MAX_LINE) {
                        completePiece();
                    }
                }
            }
            if (captureFrom >= 0 && captureFrom < end) {
                capture(cs.subSequence(captureFrom - start, end - start));
            }
        }

        private void capture(CharSequence cs) {
            int room = captureLimit - capture.length();
            if (room > 0) {
                capture.append(cs, 0, Math.min(room, cs.length()));
            }
        }

        private void completeLine() {
            if (awaitingMarker) {
                String l = line.toString();
                line.setLength(0);
                Long p = parseMarker(l);
                if (p != null) {
                    awaitingMarker = false;
                    pid.complete(p);
                    return;
                }
                capture(l + "\n");
                emit(l);
                return;
            }
            String l = line.toString();
            line.setLength(0);
            emit(l);
        }

        private void completePiece() {
            if (awaitingMarker) {
                // Far too long to be the marker: whatever precedes the wrapper is just output.
                capture(line);
            }
            String l = line.toString();
            line.setLength(0);
            deliver(kind, l);
        }

        private void emit(String l) {
            deliver(kind, l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        }

        private Long parseMarker(String l) {
            if (marker == null || !l.startsWith(marker)) {
                return null;
            }
            try {
                long p = Long.parseLong(l.substring(marker.length()).strip());
                return p > 1 ? p : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        void end() {
            decode(new byte[0], true);
            if (!line.isEmpty()) {
                if (awaitingMarker) {
                    capture(line);
                }
                String l = line.toString();
                line.setLength(0);
                emit(l);
            }
            ended = true;
        }
    }
}
