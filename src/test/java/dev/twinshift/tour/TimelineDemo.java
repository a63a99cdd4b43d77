package dev.twinshift.tour;

import atlantafx.base.theme.PrimerLight;
import dev.twinshift.schedule.RetentionPlan;
import dev.twinshift.schedule.SnapshotPolicy;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.timeline.BisectMarks;
import dev.twinshift.ui.timeline.TimeWindow;
import dev.twinshift.ui.timeline.TimelineFixtures;
import dev.twinshift.ui.timeline.TimelineMark;
import dev.twinshift.ui.timeline.TimelineView;
import dev.twinshift.ui.timeline.TimelineViewModel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.VBox;
import javafx.geometry.Insets;
import javafx.stage.Stage;

/**
 * The timeline with a year of a realistic catalog (what an hourly schedule under the default policy
 * leaves, plus manual, upgrade and rehearsal snapshots, two clones, a search's verdicts), no server
 * needed. {@code --all} opens on the whole year instead of the last month, {@code --dark} in the dark theme. {@code --shoot FILE} captures the screen (under Xvfb, with ImageMagick's import) and exits;
 * without it the window stays for a look.
 */
public final class TimelineDemo {
    static final Instant NOW = Instant.parse("2026-11-30T14:05:00Z");
    private static String shootTo;
    private static boolean dark;

    private static boolean wholeRange;

    public static void main(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--shoot") && i + 1 < args.length) {
                shootTo = args[++i];
            } else if (args[i].equals("--all")) {
                wholeRange = true;
            } else if (args[i].equals("--dark")) {
                dark = true;
            }
        }
        // Launched from a class that is not the Application, so it runs from a plain class path.
        Application.launch(App.class, args);
    }

    /** A year of hourly runs kept by {@link SnapshotPolicy#DEFAULT}, and what people added by hand. */
    public static List<SnapshotRecord> catalog() {
        List<SnapshotRecord> all = new ArrayList<>();
        Instant start = NOW.minus(Duration.ofDays(400)).truncatedTo(ChronoUnit.HOURS);
        for (Instant t = start; !t.isAfter(NOW); t = t.plus(Duration.ofHours(1))) {
            all.add(TimelineFixtures.snapshot(t.plusSeconds(2 + (t.getEpochSecond() / 3600) % 5), Reason.SCHEDULED, null, false));
        }
        RetentionPlan year = ScriptRetention.plan(all, List.of(), SnapshotPolicy.DEFAULT, NOW);
        List<SnapshotRecord> kept = new ArrayList<>(all.stream().filter(s -> year.verdictOf(s.id()).orElseThrow().kept()).toList());
        kept.add(TimelineFixtures.snapshot(NOW.minus(Duration.ofDays(3)).plusSeconds(1234), Reason.MANUAL, "before-index", false));
        kept.add(TimelineFixtures.snapshot(NOW.minus(Duration.ofDays(9)).plusSeconds(4321), Reason.PRE_UPGRADE, "before-15", true));
        kept.add(TimelineFixtures.snapshot(NOW.minus(Duration.ofDays(9)).plusSeconds(9000), Reason.REHEARSAL, null, false));
        kept.add(TimelineFixtures.snapshot(NOW.minus(Duration.ofDays(8)).plusSeconds(700), Reason.PRE_ROLLBACK, null, false));
        kept.add(TimelineFixtures.snapshot(NOW.minus(Duration.ofDays(20)).plusSeconds(5000), Reason.MANUAL, "month-end", true));
        kept.add(TimelineFixtures.snapshot(NOW.minus(Duration.ofHours(5)).plusSeconds(1800), Reason.MANUAL, "hotfix", false));
        kept.sort(Comparator.comparing(SnapshotRecord::createdAt));
        return kept;
    }

    /** A search over the last three weeks' dailies: good until 13 days ago, bad since. */
    static BisectMarks search(List<SnapshotRecord> snaps) {
        List<SnapshotRecord> range = snaps.stream().filter(s -> s.reason() == Reason.SCHEDULED
                && s.createdAt().isAfter(NOW.minus(Duration.ofDays(27))) && s.createdAt().isBefore(NOW.minus(Duration.ofDays(2)))
                && s.createdAt().atZone(ZoneId.of("UTC")).getHour() == 0).toList();
        Instant fault = NOW.minus(Duration.ofDays(13));
        List<TimelineMark> marks = new ArrayList<>();
        String lastGood = null;
        String firstBad = null;
        int[] probes = {0, range.size() / 2, range.size() / 4, range.size() * 3 / 8, range.size() * 3 / 8 + 1, range.size() - 1};
        for (int i : probes) {
            SnapshotRecord s = range.get(i);
            boolean bad = s.createdAt().isAfter(fault);
            marks.add(new TimelineMark(s.id(), bad ? TimelineMark.Kind.BAD : TimelineMark.Kind.GOOD,
                    bad ? "pg_upgrade --check: Your installation contains the \"regproc\" data type in user tables." : "Clusters are compatible"));
        }
        for (SnapshotRecord s : range) {
            if (!s.createdAt().isAfter(fault)) {
                lastGood = s.id();
            } else if (firstBad == null) {
                firstBad = s.id();
            }
        }
        // A binary search ends having probed both sides of the change.
        for (String id : new String[] {lastGood, firstBad}) {
            if (marks.stream().noneMatch(m -> m.snapshotId().equals(id))) {
                boolean bad = id.equals(firstBad);
                marks.add(new TimelineMark(id, bad ? TimelineMark.Kind.BAD : TimelineMark.Kind.GOOD,
                        bad ? "pg_upgrade --check: Your installation contains the \"regproc\" data type in user tables." : "Clusters are compatible"));
            }
        }
        return new BisectMarks("pg_upgrade --check to 15", marks, lastGood, firstBad);
    }

    /** The demo's window. */
    public static final class App extends Application {
        @Override
        public void start(Stage stage) {
            show(stage);
        }
    }

    static TimelineView show(Stage stage) {
        Application.setUserAgentStylesheet(dark ? new atlantafx.base.theme.PrimerDark().getUserAgentStylesheet()
                : new PrimerLight().getUserAgentStylesheet());
        List<SnapshotRecord> snaps = catalog();
        SnapshotRecord preUpgrade = snaps.stream().filter(s -> s.reason() == Reason.PRE_UPGRADE).findFirst().orElseThrow();
        SnapshotRecord manual = snaps.stream().filter(s -> "before-index".equals(s.label())).findFirst().orElseThrow();
        List<CloneItem> clones = List.of(TimelineFixtures.clone("rehearsal-15", preUpgrade, true),
                TimelineFixtures.clone("index-test", manual, false));
        ClusterViewModel cluster = TimelineFixtures.showing(snaps, clones);
        LogBuffer log = new LogBuffer(200);
        FxTaskExecutor tasks = new FxTaskExecutor(log);
        ZoneId zone = ZoneId.of("Europe/Paris");
        TimelineViewModel model = new TimelineViewModel(cluster, tasks, zone);
        model.setPreviewer((t, p) -> ScriptRetention.plan(snaps, clones, p, NOW));
        model.policyTextProperty().set("hourly=24 daily=14 weekly=8 monthly=12 yearly=3");
        model.showBisect(search(snaps));
        TimelineView view = new TimelineView(model);

        VBox page = new VBox(view.root());
        page.setPadding(new Insets(16));
        page.getStyleClass().add("dashboard");
        ScrollPane scroll = new ScrollPane(page);
        scroll.setFitToWidth(true);
        // The page fills the window, so the theme's background reaches its bottom edge.
        scroll.setFitToHeight(true);
        Scene scene = new Scene(scroll, 1280, 800);
        scene.getStylesheets().add(TimelineDemo.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
        stage.setTitle("Twinshift timeline");
        stage.setScene(scene);
        stage.setX(0);
        stage.setY(0);
        stage.show();

        // The last five weeks: the dailies, the upgrade, the search, with the hourlies of the last days as counts.
        Platform.runLater(() -> {
            if (wholeRange) {
                view.chart().fitAll();
            } else {
                view.chart().setWindow(new TimeWindow(NOW.minus(Duration.ofDays(30)).toEpochMilli(), 31.5 * TimeWindow.DAY));
            }
            BisectMarks b = model.bisectProperty().get();
            model.selectedProperty().set(snaps.stream().filter(s -> s.id().equals(b.firstBadId())).findFirst().orElseThrow());
        });
        if (shootTo != null) {
            Thread t = new Thread(() -> shoot(Path.of(shootTo)), "shoot");
            t.setDaemon(true);
            t.start();
        }
        return view;
    }

    private static void shoot(Path file) {
        try {
            // Let the preview come back and a few frames be drawn before capturing.
            for (int i = 0; i < 20; i++) {
                CountDownLatch pulse = new CountDownLatch(1);
                Platform.runLater(pulse::countDown);
                pulse.await(5, TimeUnit.SECONDS);
                Thread.sleep(100);
            }
            Process p = new ProcessBuilder("import", "-window", "root", "-crop", "1280x800+0+0", file.toString()).inheritIO().start();
            System.out.println(p.waitFor() == 0 ? "captured " + file : "import failed");
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            Platform.exit();
            System.exit(0);
        }
    }
}
