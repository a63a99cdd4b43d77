package dev.twinshift.bench;

import atlantafx.base.theme.PrimerLight;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.logs.ActivityView;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.LogLine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javafx.animation.AnimationTimer;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.collections.ListChangeListener;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The log console under a flood: a task streams a million lines into the real Activity panel as
 * fast as it can; prints the longest gap between frames (an AnimationTimer's deltas), how fast lines
 * reach the screen, and the heap after a GC at 100,000 and at 1,000,000 lines. First it measures the
 * console's cold start in fresh JVMs ({@link ColdStartBench}).
 *
 *   bash src/test/bench/log-console.sh [lines] [cold-start runs]      (defaults 1000000, 3)
 */
public final class LogConsoleBench {
    private LogConsoleBench() {}

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int coldRuns = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int checkpoint = Math.min(100_000, total);

        System.out.printf("log console: platform %s, %d cores, max heap %,d MB, load average %s%n",
                System.getProperty("glass.platform", "default"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, loadAverage());
        coldStarts(coldRuns);

        CountDownLatch shown = new CountDownLatch(1);
        AtomicReference<LogBuffer> logRef = new AtomicReference<>();
        AtomicReference<FxTaskExecutor> tasksRef = new AtomicReference<>();
        Frames frames = new Frames();
        AtomicLong drawnThroughList = new AtomicLong();
        Platform.startup(() -> {
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
            LogBuffer log = new LogBuffer(LogBuffer.DEFAULT_LINES);
            FxTaskExecutor tasks = new FxTaskExecutor(log);
            ActivityView view = new ActivityView(log, tasks);
            Scene scene = new Scene(view.root(), 1280, 800);
            scene.getStylesheets().add(LogConsoleBench.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
            Stage stage = new Stage();
            stage.setTitle("Twinshift log console bench");
            stage.setScene(scene);
            stage.show();
            log.start();
            log.entries().addListener((ListChangeListener<LogLine>) c -> {
                while (c.next()) {
                    drawnThroughList.addAndGet(c.getAddedSize());
                }
            });
            frames.watched = log;
            frames.start();
            logRef.set(log);
            tasksRef.set(tasks);
            shown.countDown();
        });
        shown.await(60, TimeUnit.SECONDS);
        LogBuffer log = logRef.get();
        // Let the window settle before anything is measured.
        Thread.sleep(2000);
        long heapEmpty = heapAfterGc();
        int warmUp = Math.min(200_000, total);
        warmUp(tasksRef.get(), log, warmUp);
        long heap0 = heapAfterGc();
        long onDisk0 = log.dropped();

        long warmed = log.total();
        long drawnBefore = drawnThroughList.get();
        CountDownLatch atCheckpoint = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        CountDownLatch produced = new CountDownLatch(1);
        long[] producerNanos = new long[2];
        frames.measuring = true;
        long start = System.nanoTime();
        Platform.runLater(() -> tasksRef.get().submit(BackgroundTask.of("Stream " + String.format("%,d", total) + " lines", p -> {
            p.message("pg_upgrade --verbose, as fast as it can write");
            long t0 = System.nanoTime();
            for (int i = 0; i < total; i++) {
                if (i == checkpoint) {
                    producerNanos[0] = System.nanoTime() - t0;
                    atCheckpoint.countDown();
                    goOn.await();
                    t0 = System.nanoTime();
                }
                String line = i % 1000 == 999 ? "WARNING:  relation public.t" + i + " has no primary key"
                        : "copying \"/var/lib/postgresql/13/main/base/16384/" + (16384 + i) + "\" to the new cluster";
                if (i % 50 == 49) {
                    p.logError("pg_upgrade: could not stat file " + i + ": retrying");
                } else {
                    p.log(line);
                }
                if (i % 10_000 == 0) {
                    p.progress((double) i / total);
                }
            }
            producerNanos[1] = System.nanoTime() - t0;
            produced.countDown();
            return total;
        })));

        atCheckpoint.await();
        long shown1 = frames.waitShown(log, warmed + checkpoint) - start;
        frames.measuring = false;
        long heap1 = heapAfterGc();
        long onDisk1 = log.dropped() - onDisk0;

        frames.measuring = true;
        long t1 = System.nanoTime();
        goOn.countDown();
        produced.await();
        long shown2 = frames.waitShown(log, warmed + total) - t1;
        frames.measuring = false;
        Thread.sleep(500);
        long heapN = heapAfterGc();
        long spillBytes = log.spillFile().map(f -> {
            try {
                return Files.size(f);
            } catch (java.io.IOException e) {
                return -1L;
            }
        }).orElse(0L);

        long[] g = frames.gaps();
        Arrays.sort(g);
        double seconds = (shown1 + shown2) / 1e9;
        double producerSeconds = (producerNanos[0] + producerNanos[1]) / 1e9;
        System.out.printf("  streamed %,d lines: producer %,.0f lines/s; shown (newest line on screen) %,.0f lines/s over %.2f s%n",
                total, total / producerSeconds, total / seconds, seconds);
        System.out.printf("  lines that passed through the list %,d; the rest went straight to disk between two frames%n",
                drawnThroughList.get() - drawnBefore);
        System.out.printf("  frames %d, frame gap mean %.1f ms, p50 %.1f ms, p99 %.1f ms, longest %.1f ms; gaps over 100 ms: %d%n",
                g.length, Arrays.stream(g).average().orElse(0) / 1e6, pct(g, 0.50), pct(g, 0.99),
                g.length == 0 ? 0 : g[g.length - 1] / 1e6, Arrays.stream(g).filter(x -> x > 100_000_000L).count());
        long[] cpu = frames.cpu();
        Arrays.sort(cpu);
        System.out.printf("  FX thread's own CPU time per frame: mean %.1f ms, p99 %.1f ms, longest %.1f ms (the rest of a gap is waiting"
                + " for a core)%n", Arrays.stream(cpu).average().orElse(0) / 1e6, pct(cpu, 0.99), cpu.length == 0 ? 0 : cpu[cpu.length - 1] / 1e6);
        System.out.printf("  heap used after GC: %,.1f MB with the console empty, %,.1f MB after the warm-up, %,.1f MB at %,d lines,"
                + " %,.1f MB at %,d lines%n", heapEmpty / 1048576.0, heap0 / 1048576.0, heap1 / 1048576.0, checkpoint, heapN / 1048576.0, total);
        System.out.printf("  in memory %,d lines (cap %,d); on disk %,d then %,d lines, spill file %,.1f MB%n",
                log.entries().size(), log.capacity(), onDisk1, log.dropped() - onDisk0, spillBytes / 1048576.0);
        System.out.printf("  machine load average at the end: %s%n", loadAverage());
        log.close();
        Platform.exit();
        System.exit(0);
    }

    /** Frame gaps as an AnimationTimer sees them, while {@link #measuring}. */
    private static final class Frames extends AnimationTimer {
        volatile boolean measuring;
        private final List<Long> gaps = new ArrayList<>();
        private final List<Long> cpu = new ArrayList<>();
        private final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private long last;
        private long lastCpu;
        private volatile long shownSeq = -1;
        private volatile long shownAt;

        @Override
        public void handle(long now) {
            long c = threads.getCurrentThreadCpuTime();
            if (measuring && last != 0) {
                gaps.add(now - last);
                cpu.add(c - lastCpu);
            }
            last = now;
            lastCpu = c;
            LogBuffer log = watched;
            if (log != null && !log.entries().isEmpty()) {
                long s = log.entries().get(log.entries().size() - 1).seq();
                if (s != shownSeq) {
                    shownSeq = s;
                    shownAt = System.nanoTime();
                }
            }
        }

        volatile LogBuffer watched;

        /** Waits until the line numbered {@code count} is the newest in the list; when that frame came. */
        long waitShown(LogBuffer log, long count) throws InterruptedException {
            while (shownSeq < count - 1) {
                Thread.sleep(1);
            }
            return shownAt;
        }

        long[] gaps() {
            return read(gaps);
        }

        /** CPU time the FX thread spent from one frame to the next: its own work, apart from waiting for a core. */
        long[] cpu() {
            return read(cpu);
        }

        private static long[] read(List<Long> values) {
            CountDownLatch l = new CountDownLatch(1);
            long[][] out = new long[1][];
            Platform.runLater(() -> {
                out[0] = values.stream().mapToLong(Long::longValue).toArray();
                l.countDown();
            });
            try {
                l.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return out[0] == null ? new long[0] : out[0];
        }
    }

    /**
     * The same stream, unmeasured, so that the figures are the console's steady state and not the JIT
     * compiling it (the cold start is measured on its own).
     */
    private static void warmUp(FxTaskExecutor tasks, LogBuffer log, int lines) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Platform.runLater(() -> tasks.submit(BackgroundTask.of("Warm up", p -> {
            for (int i = 0; i < lines; i++) {
                if (i % 50 == 49) {
                    p.logError("pg_upgrade: could not stat file " + i + ": retrying");
                } else {
                    p.log("copying \"/var/lib/postgresql/13/main/base/16384/" + (16384 + i) + "\" to the new cluster");
                }
            }
            return lines;
        }).onSuccess(n -> done.countDown())));
        done.await();
        long before = log.total();
        while (log.entries().isEmpty() || log.entries().get(log.entries().size() - 1).seq() < before - 1) {
            Thread.sleep(10);
        }
        Thread.sleep(1000);
        System.out.printf("  warmed up with %,d lines (not measured)%n", lines);
    }

    private static void coldStarts(int runs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ColdStartBench.class.getName());
        List<Long> first = new ArrayList<>();
        List<Long> second = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String l;
                while ((l = r.readLine()) != null) {
                    if (l.startsWith(ColdStartBench.PREFIX)) {
                        String[] f = l.substring(ColdStartBench.PREFIX.length()).trim().split(" ");
                        first.add(Long.parseLong(f[0]));
                        second.add(Long.parseLong(f[1]));
                    }
                }
            }
            p.waitFor(120, TimeUnit.SECONDS);
        }
        if (first.isEmpty()) {
            System.out.println("  cold start: no measurement (the console did not start)");
            return;
        }
        System.out.printf("  cold start, JVM start to the first frame of the shown main window: %s ms (runs), median %d ms;"
                + " next frame %s ms%n", first, median(first), second);
    }

    private static long median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String loadAverage() {
        try {
            return Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
    }
}
