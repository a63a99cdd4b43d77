package dev.twinshift.ui.tasks;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.animation.AnimationTimer;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Log lines from any thread, shown on the FX thread in batches: one list change per frame instead
 * of one {@code runLater} per line, and a cap so a 100,000-line pg_upgrade log cannot eat memory.
 */
public final class LogBuffer {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final ConcurrentLinkedQueue<String> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final ObservableList<String> lines = FXCollections.observableArrayList();
    private final int maxLines;
    private final AnimationTimer pump;
    private long dropped;

    public LogBuffer(int maxLines) {
        this.maxLines = maxLines;
        this.pump = new AnimationTimer() {
            @Override
            public void handle(long now) {
                drain();
            }
        };
    }

    /** Starts draining on each frame; call on the FX thread. */
    public void start() {
        pump.start();
    }

    public void stop() {
        pump.stop();
    }

    public void append(String source, String line) {
        pending.add(LocalTime.now().format(TIME) + "  " + source + "  " + line);
        // Producers far ahead of the screen: keep only what could ever be shown.
        if (pendingCount.incrementAndGet() > maxLines * 2) {
            if (pending.poll() != null) {
                pendingCount.decrementAndGet();
                dropped++;
            }
        }
    }

    /** Moves pending lines into {@link #lines()}; on the FX thread. */
    public void drain() {
        if (pending.isEmpty()) {
            return;
        }
        List<String> batch = new ArrayList<>();
        String l;
        while ((l = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            batch.add(l);
        }
        if (batch.size() > maxLines) {
            dropped += batch.size() - maxLines;
            batch = batch.subList(batch.size() - maxLines, batch.size());
        }
        int overflow = lines.size() + batch.size() - maxLines;
        if (overflow > 0) {
            dropped += overflow;
            lines.remove(0, overflow);
        }
        lines.addAll(batch);
    }

    public ObservableList<String> lines() {
        return lines;
    }

    /** Lines no longer shown because the cap was reached (the full logs stay on the server). */
    public long dropped() {
        return dropped;
    }
}
