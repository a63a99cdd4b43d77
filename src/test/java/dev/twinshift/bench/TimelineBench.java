package dev.twinshift.bench;

import atlantafx.base.theme.PrimerLight;
import dev.twinshift.schedule.SnapshotPolicy;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.timeline.BisectMarks;
import dev.twinshift.ui.timeline.TimeWindow;
import dev.twinshift.ui.timeline.TimelineChart;
import dev.twinshift.ui.timeline.TimelineFixtures;
import dev.twinshift.ui.timeline.TimelineMark;
import dev.twinshift.ui.timeline.TimelineView;
import dev.twinshift.ui.timeline.TimelineViewModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.animation.AnimationTimer;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The timeline with 10,000 snapshots (hourly for 14 months, a manual or upgrade one every few days,
 * clones, a search's verdicts, a preview that prunes half) zoomed from hours to years and back and
 * panned on every pulse; prints the gaps between pulses, as an AnimationTimer sees them.
 *
 *   bash src/test/bench/timeline.sh [seconds] [snapshots]      (defaults 20, 10000)
 */
public final class TimelineBench {
    private TimelineBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        Instant newest = Instant.parse("2026-11-30T14:00:00Z");
        List<SnapshotRecord> snaps = new ArrayList<>(TimelineFixtures.hourly(count, newest));
        Reason[] rare = {Reason.MANUAL, Reason.PRE_UPGRADE, Reason.REHEARSAL, Reason.PRE_ROLLBACK};
        for (int i = 0; i < count / 100; i++) {
            snaps.set(i * 100 + 37, TimelineFixtures.snapshot(snaps.get(i * 100 + 37).createdAt().plusSeconds(900), rare[i % 4],
                    "b" + i, i % 7 == 0));
        }
        List<ClusterViewModel.CloneItem> clones = List.of(TimelineFixtures.clone("rehearsal", snaps.get(count - 200), true),
                TimelineFixtures.clone("report", snaps.get(count / 2), false), TimelineFixtures.clone("audit", snaps.get(count - 199), true));
        List<TimelineMark> marks = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            int at = count - 1000 + i * 80;
            marks.add(new TimelineMark(snaps.get(at).id(), at < count - 600 ? TimelineMark.Kind.GOOD : TimelineMark.Kind.BAD, ""));
        }

        CountDownLatch done = new CountDownLatch(1);
        long[][] result = new long[1][];
        int[] drawn = new int[1];
        long[] drawMax = new long[1];
        long[] drawSum = new long[1];
        double[] spans = {Double.MAX_VALUE, 0};
        Platform.startup(() -> {
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
            ClusterViewModel cluster = TimelineFixtures.showing(snaps, clones);
            FxTaskExecutor tasks = new FxTaskExecutor(new LogBuffer(100));
            TimelineViewModel model = new TimelineViewModel(cluster, tasks);
            model.setPreviewer((t, p) -> TimelineFixtures.plan(snaps, p));
            model.policyTextProperty().set(new SnapshotPolicy(count / 2, 0, 0, 0, 0, true, 0).toString());
            model.showBisect(new BisectMarks("check", marks, marks.get(4).snapshotId(), marks.get(5).snapshotId()));
            TimelineView view = new TimelineView(model);
            Scene scene = new Scene(view.root(), 1280, 800);
            scene.getStylesheets().add(TimelineBench.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
            Stage stage = new Stage();
            stage.setScene(scene);
            stage.show();
            TimelineChart chart = view.chart();
            chart.frameProperty().addListener((o, a, b) -> {
                drawn[0]++;
                drawMax[0] = Math.max(drawMax[0], b.drawNanos());
                drawSum[0] += b.drawNanos();
            });
            model.selectedProperty().set(snaps.get(count - 300));

            double full = TimeWindow.fit(snaps.get(0).createdAt().toEpochMilli(), newest.toEpochMilli()).span() * 1.5;
            new AnimationTimer() {
                long start;
                long last;
                final long[] gaps = new long[seconds * 1000];
                int n;
                double factor = 1.06;
                double pan = 9;

                @Override
                public void handle(long now) {
                    if (start == 0) {
                        start = now;
                        last = now;
                        return;
                    }
                    boolean warm = now - start > 2_000_000_000L;
                    if (warm && n < gaps.length) {
                        gaps[n++] = now - last;
                    }
                    last = now;
                    // Zoom around a point that wanders across the width, from an hour to the whole range and back,
                    // panning all the while.
                    TimeWindow w = chart.windowProperty().get();
                    if (w.span() <= TimeWindow.MIN_SPAN * 1.01) {
                        factor = 1 / 1.06;
                    } else if (w.span() >= full) {
                        factor = 1.06;
                    }
                    double anchor = chart.getWidth() * (0.5 + 0.4 * Math.sin((now - start) / 1.5e9));
                    chart.zoom(factor, anchor);
                    if (((now - start) / 3_000_000_000L) % 2 == 1) {
                        pan = -pan;
                    }
                    chart.pan(pan);
                    spans[0] = Math.min(spans[0], chart.windowProperty().get().span());
                    spans[1] = Math.max(spans[1], chart.windowProperty().get().span());
                    if (now - start > (seconds + 2) * 1_000_000_000L || n == gaps.length) {
                        stop();
                        result[0] = Arrays.copyOf(gaps, n);
                        done.countDown();
                    }
                }
            }.start();
        });
        if (!done.await(seconds + 120, TimeUnit.SECONDS)) {
            System.err.println("the benchmark did not finish");
            System.exit(2);
        }
        long[] g = result[0].clone();
        Arrays.sort(g);
        double mean = Arrays.stream(g).average().orElse(0) / 1e6;
        System.out.printf("timeline: %,d snapshots, %d s of continuous zoom (%.1f h to %.0f days) and pan, platform %s%n", count, seconds,
                spans[0] / TimeWindow.HOUR, spans[1] / TimeWindow.DAY, System.getProperty("glass.platform", "default"));
        System.out.printf("  pulses %d, frames drawn %d, pulse gap mean %.1f ms, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, longest %.1f ms%n",
                g.length, drawn[0], mean, pct(g, 0.50), pct(g, 0.95), pct(g, 0.99), g.length == 0 ? 0 : g[g.length - 1] / 1e6);
        long over = Arrays.stream(g).filter(x -> x > 100_000_000L).count();
        System.out.printf("  pulse gaps over 100 ms: %d of %d%n", over, g.length);
        System.out.printf("  drawing a frame on the FX thread: mean %.2f ms, longest %.2f ms%n",
                drawn[0] == 0 ? 0 : drawSum[0] / 1e6 / drawn[0], drawMax[0] / 1e6);
        System.out.printf("  machine load average at the end: %s%n", loadAverage());
        Platform.exit();
        System.exit(0);
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
    }
}
