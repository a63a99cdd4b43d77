package dev.twinshift.ui.tasks;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javafx.animation.AnimationTimer;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Log lines from any thread, shown on the FX thread in batches, with bounded memory.
 *
 * <p>Producers write into a ring of the newest {@code maxLines} lines; the line a new one pushes out of
 * the ring goes to a writer thread that appends it to a spill file on disk. Once per frame the FX
 * thread copies what is new in the ring into {@link #entries()} (one list change for a whole frame's
 * lines, never one {@code runLater} per line) and trims the list to the same cap. A producer far ahead
 * of the screen costs nothing more: lines it pushed out before a frame saw them are on disk, and
 * {@link #saveTo} writes the spilled lines and the ones in memory, in order, as one log.
 *
 * <p>Only the writer thread touches the disk. A producer waits when the writer falls far behind, so
 * the lines on their way to disk stay bounded too; the thread that drains (the FX thread) never waits.
 */
public final class LogBuffer {
    /** Lines kept in memory by a console that does not say otherwise. */
    public static final int DEFAULT_LINES = 10_000;
    /** Pushed-out lines not yet on disk beyond which a producer waits for the writer. */
    static final int SPILL_BACKLOG = 16_384;
    /**
     * Lines a producer may append ahead of the last frame's drain before it waits for the next frame.
     * 20,000 a frame is over a million lines a second at 60 frames; a producer beyond that only takes
     * the cores the FX thread needs to draw, and the window stutters.
     */
    static final int FRAME_BUDGET = 20_000;
    /** The longest a producer waits for a frame: a window that draws no more must not stall the work. */
    static final long FRAME_WAIT_MS = 40;

    private final int maxLines;
    private final Path spillDir;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition spillWork = lock.newCondition();
    private final Condition spillRoom = lock.newCondition();
    private final Condition spillWritten = lock.newCondition();
    private final Condition frameDrained = lock.newCondition();
    // Guarded by lock.
    private final LogLine[] ring;
    private long next;
    private ArrayDeque<LogLine> toSpill = new ArrayDeque<>();
    private long spilled;
    private long lost;
    private IOException spillFailure;
    private Path spillFile;
    private Thread writer;
    private boolean closed;
    /** Whether frames drain this log (start() was called): only then does a producer wait for one. */
    private boolean pumping;
    /** The sequence number up to which a producer may append before it waits for a frame. */
    private long allowedUntil;
    private final int frameBudget;
    private final long frameWaitNanos;

    // The draining thread's own.
    private final ObservableList<LogLine> entries = FXCollections.observableArrayList();
    private ObservableList<String> lines;
    private long shownFirst;
    private long shownEnd;
    private volatile Thread drainer;
    private final AnimationTimer pump;

    /** Keeps {@code maxLines} in memory and spills older ones to a file in the temporary directory. */
    public LogBuffer(int maxLines) {
        this(maxLines, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Keeps {@code maxLines} in memory and spills older ones to a file in {@code spillDir}. */
    public LogBuffer(int maxLines, Path spillDir) {
        this(maxLines, spillDir, FRAME_BUDGET, FRAME_WAIT_MS);
    }

    LogBuffer(int maxLines, Path spillDir, int frameBudget, long frameWaitMs) {
        this.frameBudget = frameBudget;
        this.frameWaitNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(frameWaitMs);
        this.allowedUntil = frameBudget;
        if (maxLines < 1) {
            throw new IllegalArgumentException("a log keeps at least one line: " + maxLines);
        }
        this.maxLines = maxLines;
        this.spillDir = spillDir;
        this.ring = new LogLine[maxLines];
        this.pump = new AnimationTimer() {
            @Override
            public void handle(long now) {
                drain();
            }
        };
    }

    /** Starts draining on each frame; call on the FX thread. */
    public void start() {
        setPumping(true);
        pump.start();
    }

    public void stop() {
        pump.stop();
        setPumping(false);
    }

    /** Whether frames drain the log; a test that drains by hand says so here. */
    void setPumping(boolean on) {
        lock.lock();
        try {
            pumping = on;
            allowedUntil = next + frameBudget;
            frameDrained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A line that belongs to no task. */
    public void append(String source, String line) {
        append(0, source, line, false);
    }

    /**
     * A line of task {@code task} (0 for none), from any thread. A text of several lines becomes
     * several lines, so that a line of the log is a line of a saved file.
     */
    public void append(int task, String source, String text, boolean stderr) {
        String src = source == null ? "" : source;
        String t = text == null ? "" : text;
        long now = System.currentTimeMillis();
        if (t.indexOf('\n') < 0 && t.indexOf('\r') < 0) {
            add(now, task, src, t, stderr);
            return;
        }
        String[] parts = t.split("\\R");
        for (String part : parts.length == 0 ? new String[] {""} : parts) {
            add(now, task, src, part, stderr);
        }
    }

    private void add(long now, int task, String source, String text, boolean stderr) {
        LogLine.Level level = LogLine.levelOf(text);
        boolean mayWait = Thread.currentThread() != drainer;
        lock.lock();
        try {
            if (mayWait && pumping && next >= allowedUntil) {
                awaitFrame();
            }
            while (mayWait && toSpill.size() >= SPILL_BACKLOG && !closed && spillFailure == null) {
                try {
                    spillRoom.await();
                } catch (InterruptedException e) {
                    // A cancelled read still gets its last line in; the backlog bends by one.
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            long seq = next++;
            int slot = (int) (seq % maxLines);
            LogLine out = ring[slot];
            ring[slot] = new LogLine(seq, now, task, source, text, stderr, level);
            if (out == null) {
                return;
            }
            if (closed || spillFailure != null) {
                lost++;
                return;
            }
            toSpill.add(out);
            if (writer == null) {
                // Started, not opened, here: the file is created on the writer's thread, never on the FX one.
                writer = new Thread(this::writeSpill, "twinshift-log-spill");
                writer.setDaemon(true);
                writer.start();
            } else if (toSpill.size() == 1) {
                spillWork.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits (the lock held on entry) until a frame drains, at most {@link #FRAME_WAIT_MS}; either way the
     * producer may then append another frame's budget.
     */
    private void awaitFrame() {
        long left = frameWaitNanos;
        long target = allowedUntil;
        while (pumping && !closed && allowedUntil == target && left > 0) {
            try {
                left = frameDrained.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (allowedUntil == target) {
            allowedUntil = next + frameBudget;
        }
    }

    /** Moves new lines into {@link #entries()} and trims it to the cap; on the FX thread (or a test's). */
    public void drain() {
        drainer = Thread.currentThread();
        long end;
        long first;
        LogLine[] batch;
        lock.lock();
        try {
            end = next;
            // This frame took the lines: a producer held back may go on for another frame's worth.
            allowedUntil = end + frameBudget;
            frameDrained.signalAll();
            if (end == shownEnd) {
                return;
            }
            first = Math.max(0, end - maxLines);
            long from = Math.max(shownEnd, first);
            batch = new LogLine[(int) (end - from)];
            for (long s = from; s < end; s++) {
                batch[(int) (s - from)] = ring[(int) (s % maxLines)];
            }
        } finally {
            lock.unlock();
        }
        int trim = (int) Math.min(entries.size(), first - shownFirst);
        if (trim == entries.size()) {
            entries.setAll(batch);
        } else {
            if (trim > 0) {
                entries.remove(0, trim);
            }
            entries.addAll(batch);
        }
        shownFirst = first;
        shownEnd = end;
    }

    /** The newest lines, at most the cap, oldest first; changed by {@link #drain()} only. */
    public ObservableList<LogLine> entries() {
        return entries;
    }

    /** {@link #entries()} as the text of each line, for views that show plain strings. */
    public ObservableList<String> lines() {
        if (lines == null) {
            lines = new MappedList<>(entries, LogLine::formatted);
        }
        return lines;
    }

    /** How many lines the log keeps in memory. */
    public int capacity() {
        return maxLines;
    }

    /** Lines appended so far. */
    public long total() {
        lock.lock();
        try {
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** Lines no longer in memory: they are in the spill file, and {@link #saveTo} writes them. */
    public long dropped() {
        lock.lock();
        try {
            return Math.max(0, next - maxLines);
        } finally {
            lock.unlock();
        }
    }

    /** The file older lines go to, once some have. */
    public Optional<Path> spillFile() {
        lock.lock();
        try {
            return Optional.ofNullable(spillFile);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the whole log as it stands now (spilled lines, then the ones in memory, in order) to
     * {@code target}, replacing it only once complete. Reads and writes files: never on the FX thread.
     */
    public void saveTo(Path target) throws IOException, InterruptedException {
        long first;
        LogLine[] memory;
        Path spill;
        lock.lock();
        try {
            long end = next;
            first = Math.max(0, end - maxLines);
            memory = new LogLine[(int) (end - first)];
            for (long s = first; s < end; s++) {
                memory[(int) (s - first)] = ring[(int) (s % maxLines)];
            }
            while (spilled < first && spillFailure == null && lost == 0 && !closed) {
                spillWritten.await();
            }
            if (closed) {
                throw new IOException("the log was closed");
            }
            if (spillFailure != null || lost > 0) {
                throw new IOException("the log's older lines could not be kept on disk"
                        + (spillFailure == null ? "" : ": " + spillFailure.getMessage()), spillFailure);
            }
            spill = spillFile;
        } finally {
            lock.unlock();
        }
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)) {
            if (first > 0) {
                copyLines(spill, first, out);
            }
            TimeText time = new TimeText();
            for (LogLine l : memory) {
                time.write(l, out);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        try {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Copies the first {@code count} lines of {@code from}: the writer may already be past them. */
    private static void copyLines(Path from, long count, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        long seen = 0;
        try (InputStream in = Files.newInputStream(from)) {
            int n;
            while (seen < count && (n = in.read(buf)) > 0) {
                int upTo = n;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n' && ++seen == count) {
                        upTo = i + 1;
                        break;
                    }
                }
                out.write(buf, 0, upTo);
            }
        }
        if (seen < count) {
            throw new IOException("the log's spill file " + from + " holds " + seen + " lines, not " + count);
        }
    }

    /** Stops the writer and deletes the spill file; lines appended afterwards stay in memory only. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            frameDrained.signalAll();
            spillWork.signalAll();
            spillRoom.signalAll();
            spillWritten.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void writeSpill() {
        Path file = null;
        try {
            file = Files.createTempFile(spillDir, "twinshift-log-", ".log");
            file.toFile().deleteOnExit();
            lock.lock();
            try {
                spillFile = file;
            } finally {
                lock.unlock();
            }
            TimeText time = new TimeText();
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.APPEND), 1 << 16)) {
                while (true) {
                    ArrayDeque<LogLine> batch;
                    lock.lock();
                    try {
                        while (toSpill.isEmpty() && !closed) {
                            spillWork.await();
                        }
                        if (closed) {
                            return;
                        }
                        batch = toSpill;
                        toSpill = new ArrayDeque<>();
                        spillRoom.signalAll();
                    } finally {
                        lock.unlock();
                    }
                    for (LogLine l : batch) {
                        time.write(l, out);
                    }
                    out.flush();
                    lock.lock();
                    try {
                        spilled += batch.size();
                        spillWritten.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            }
        } catch (IOException e) {
            lock.lock();
            try {
                spillFailure = e;
                lost += toSpill.size();
                toSpill.clear();
                spillRoom.signalAll();
                spillWritten.signalAll();
            } finally {
                lock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            boolean done;
            lock.lock();
            try {
                done = closed;
            } finally {
                lock.unlock();
            }
            if (done && file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // deleteOnExit still has it.
                }
            }
        }
    }

    /**
     * Writes lines as {@link LogLine#formatted()} reads, with the time formatted once per second and a
     * source's bytes kept while it stays the same: the writer keeps pace with a fast producer.
     */
    private static final class TimeText {
        private static final byte[] GAP = {' ', ' '};
        private long second = Long.MIN_VALUE;
        private byte[] time;
        private String source;
        private byte[] sourceBytes;

        void write(LogLine l, OutputStream out) throws IOException {
            long s = Math.floorDiv(l.millis(), 1000);
            if (s != second) {
                second = s;
                time = l.time().getBytes(StandardCharsets.UTF_8);
            }
            if (!l.source().equals(source)) {
                source = l.source();
                sourceBytes = source.getBytes(StandardCharsets.UTF_8);
            }
            out.write(time);
            out.write(GAP);
            out.write(sourceBytes);
            out.write(GAP);
            out.write(l.text().getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
    }
}
