package dev.twinshift.ui.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.tasks.ManualTaskExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.geometry.Point2D;
import javafx.geometry.VerticalDirection;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The timeline tab, headless: 48 hourly snapshots, an old pinned manual one and an old pre-upgrade one,
 * a clone; previews come from a stand-in for the server's dry run on a worker thread.
 */
@ExtendWith(ApplicationExtension.class)
class TimelineViewTest {
    private static final Instant NEWEST = Instant.parse("2026-11-30T14:00:00Z");

    private final List<SnapshotRecord> snaps = new ArrayList<>();
    private final ManualTaskExecutor clusterTasks = new ManualTaskExecutor();
    private final List<Boolean> previewOnFxThread = new CopyOnWriteArrayList<>();
    private ShownTimeline shown;
    private TimelineViewModel model;
    private TimelineChart chart;

    @Start
    void start(Stage stage) {
        snaps.addAll(TimelineFixtures.hourly(48, NEWEST));
        snaps.add(TimelineFixtures.snapshot(NEWEST.minus(Duration.ofHours(45)).plusSeconds(600), Reason.MANUAL, "month-end", true));
        snaps.add(TimelineFixtures.snapshot(NEWEST.minus(Duration.ofHours(40)).plusSeconds(1800), Reason.PRE_UPGRADE, "before-15", true));
        ClusterViewModel cluster = TimelineFixtures.showing(clusterTasks, snaps, List.of(TimelineFixtures.clone("rehearsal", snaps.get(30), true)));
        shown = ShownTimeline.show(stage, cluster, m -> m.setPreviewer((t, p) -> {
            previewOnFxThread.add(Platform.isFxApplicationThread());
            return TimelineFixtures.plan(snaps, p);
        }));
        model = shown.model;
        chart = shown.chart;
    }

    @AfterEach
    void stop() {
        shown.close();
    }


    private static <T> T fx(java.util.concurrent.Callable<T> c) {
        try {
            return WaitForAsyncUtils.asyncFx(c).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private TimelineChart.Frame frame() {
        return chart.frameProperty().get();
    }

    private String text(FxRobot robot, String id) {
        var n = robot.lookup(id).query();
        return n instanceof TextField f ? f.getText() : ((Label) n).getText();
    }

    private SnapshotRecord hourly(int i) {
        return snaps.get(i);
    }

    /** Clicks a snapshot where the axis draws it. */
    private void clickOn(FxRobot robot, SnapshotRecord s) {
        Point2D p = fx(() -> chart.localToScreen(chart.xOf(s.id()), chart.axisY()));
        robot.clickOn(p);
    }

    @Test
    void showsEverySnapshotAndGathersThemIntoCountsWhenZoomedOut(FxRobot robot) {
        ShownTimeline.waitFor("all 50 drawn one by one", () -> frame() != null && frame().snapshotsDrawn() == 50 && frame().singles() == 50, this::frame);
        assertTrue(text(robot, "#timeline-count").startsWith("50 snapshots · 2026-11-28 16:00:00 CET"), text(robot, "#timeline-count"));
        assertEquals(List.of("rehearsal"), frame().clonesShown());

        robot.interact(() -> chart.zoom(1 / 200.0));
        ShownTimeline.waitFor("a year wide: counts, and still every snapshot counted", () -> frame().groups() > 0 && frame().snapshotsDrawn() == 50
                && frame().singles() < 10, this::frame);
    }

    @Test
    void keysWheelAndDragMoveTheVisibleRange(FxRobot robot) {
        ShownTimeline.waitFor("first frame", () -> frame() != null && frame().snapshotsDrawn() == 50, this::frame);
        robot.interact(chart::requestFocus);
        TimeWindow before = chart.windowProperty().get();
        String range = text(robot, "#timeline-range");

        robot.type(KeyCode.ADD);
        TimeWindow zoomed = chart.windowProperty().get();
        assertEquals(before.span() / 1.5, zoomed.span(), 1, "+ zooms in");
        assertNotEquals(range, text(robot, "#timeline-range"), "the range shown in the header follows");

        robot.type(KeyCode.LEFT);
        assertEquals(zoomed.start() - 0.15 * zoomed.span(), chart.windowProperty().get().start(), 1, "Left shows earlier times");

        TimeWindow beforeDrag = chart.windowProperty().get();
        Point2D centre = fx(() -> chart.localToScreen(chart.getWidth() / 2, chart.getHeight() - 20));
        robot.drag(centre).moveBy(-300, 0).drop();
        assertTrue(chart.windowProperty().get().start() > beforeDrag.start() + 0.1 * beforeDrag.span(),
                "dragging to the left shows later times");
        assertEquals(beforeDrag.span(), chart.windowProperty().get().span(), 1, "a drag does not zoom");

        double spanBeforeWheel = chart.windowProperty().get().span();
        robot.moveTo(centre).scroll(3, VerticalDirection.UP);
        assertNotEquals(spanBeforeWheel, chart.windowProperty().get().span(), "the wheel zooms");

        robot.type(KeyCode.HOME);
        TimeWindow home = chart.windowProperty().get();
        double oldest = snaps.stream().mapToLong(s -> s.createdAt().toEpochMilli()).min().orElseThrow();
        assertTrue(home.start() < oldest && oldest < home.start() + 0.1 * home.span(), "Home: the oldest at the left edge");
        robot.type(KeyCode.END);
        TimeWindow end = chart.windowProperty().get();
        assertTrue(end.end() > NEWEST.toEpochMilli() && NEWEST.toEpochMilli() > end.end() - 0.1 * end.span(), "End: the newest at the right");
        robot.type(KeyCode.DIGIT0);
        ShownTimeline.waitFor("0 fits everything again", () -> frame().snapshotsDrawn() == 50, this::frame);
    }

    @Test
    void aClickSelectsAndTheDetailsShowTheSidecarAltArrowsStep(FxRobot robot) {
        ShownTimeline.waitFor("first frame", () -> frame() != null && frame().snapshotsDrawn() == 50, this::frame);
        SnapshotRecord s = hourly(20);
        clickOn(robot, s);
        ShownTimeline.waitFor("the clicked snapshot is shown", () -> s.id().equals(text(robot, "#detail-snapshot")), () -> model.selectedProperty().get());
        assertEquals("2026-11-29 12:00:00 CET", text(robot, "#detail-taken"), "11:00Z, in Paris, to the second");
        assertEquals("scheduled", text(robot, "#detail-reason"));
        assertEquals("/srv/data/.twinshift/snapshots/" + s.id(), text(robot, "#detail-location"));
        assertFalse(robot.lookup("#timeline-pin").queryButton().isDisabled());
        assertFalse(robot.lookup("#no-selection").query().isVisible());

        robot.press(KeyCode.ALT).type(KeyCode.RIGHT).release(KeyCode.ALT);
        assertEquals(hourly(21).id(), text(robot, "#detail-snapshot"), "Alt+Right: the next snapshot in time");
        robot.press(KeyCode.ALT).type(KeyCode.LEFT, 2).release(KeyCode.ALT);
        assertEquals(hourly(19).id(), text(robot, "#detail-snapshot"));

        SnapshotRecord preUpgrade = snaps.get(49);
        clickOn(robot, preUpgrade);
        ShownTimeline.waitFor("the pre-upgrade snapshot, drawn apart from the hourlies", () -> preUpgrade.id().equals(text(robot, "#detail-snapshot")),
                () -> model.selectedProperty().get());
        assertEquals("pre-upgrade", text(robot, "#detail-reason"));
        assertEquals("yes: retention keeps it", text(robot, "#detail-pinned"));
        assertEquals("Unpin", robot.lookup("#timeline-pin").queryButton().getText());

        robot.type(KeyCode.ESCAPE);
        assertTrue(robot.lookup("#no-selection").query().isVisible());
        assertTrue(robot.lookup("#timeline-delete").queryButton().isDisabled());
    }

    @Test
    void thePreviewListsWhatWouldBePrunedAndCrossesItOnTheAxis(FxRobot robot) {
        ListView<?> list = robot.lookup("#prune-list").queryAs(ListView.class);
        // The default policy keeps 36 hours: of the 14 older snapshots, the pinned and the pre-upgrade one stay.
        ShownTimeline.waitFor("the default policy previewed", () -> list.getItems().size() == 12, () -> text(robot, "#preview-status"));
        assertEquals("Would prune 12 of 50 snapshots.", text(robot, "#preview-status"));

        robot.interact(() -> robot.lookup("#policy-field").queryTextInputControl().setText("hourly=10"));
        ShownTimeline.waitFor("hourly=10 previewed", () -> list.getItems().size() == 38, () -> text(robot, "#preview-status"));
        assertEquals("Would prune 38 of 50 snapshots.", text(robot, "#preview-status"));
        ShownTimeline.waitFor("each one crossed on the axis", () -> frame().prunedShown().size() == 38, this::frame);
        assertTrue(frame().prunedShown().contains(hourly(0).id()));
        assertFalse(frame().prunedShown().contains(hourly(47).id()), "the newest stays");
        assertTrue(previewOnFxThread.stream().noneMatch(b -> b), "previews never run on the FX thread");

        clickOn(robot, hourly(5));
        ShownTimeline.waitFor("its fate in the details", () -> "would be pruned: beyond the newest 10 hours".equals(text(robot, "#detail-retention")),
                () -> text(robot, "#detail-retention"));

        robot.interact(() -> robot.lookup("#policy-field").queryTextInputControl().setText("hourly=ten"));
        ShownTimeline.waitFor("the parser's words under the field", () -> text(robot, "#policy-error").contains("the count must be a whole number"),
                () -> text(robot, "#policy-error"));
        assertTrue(robot.lookup("#policy-error").query().isVisible());
        ShownTimeline.waitFor("no fate drawn for a policy that does not read", () -> frame().prunedShown().isEmpty() && list.getItems().isEmpty(),
                this::frame);
    }

    @Test
    void aSearchsVerdictsAndItsLastGoodAndFirstBadAppearOnTheAxis(FxRobot robot) {
        ShownTimeline.waitFor("first frame", () -> frame() != null && frame().snapshotsDrawn() == 50, this::frame);
        robot.interact(() -> model.showBisect(new BisectMarks("pg_upgrade --check to 15", List.of(
                new TimelineMark(hourly(10).id(), TimelineMark.Kind.GOOD, "Clusters are compatible"),
                new TimelineMark(hourly(21).id(), TimelineMark.Kind.GOOD, "Clusters are compatible"),
                new TimelineMark(hourly(22).id(), TimelineMark.Kind.BAD, "Your installation contains the \"regproc\" data type"),
                new TimelineMark(hourly(30).id(), TimelineMark.Kind.BAD, ""),
                new TimelineMark(hourly(15).id(), TimelineMark.Kind.ERROR, "syntax error at or near \"SELEC\"")),
                hourly(21).id(), hourly(22).id())));
        ShownTimeline.waitFor("five verdicts, last good and first bad", () -> frame().marksShown().size() == 5
                && hourly(21).id().equals(frame().lastGoodShown()) && hourly(22).id().equals(frame().firstBadShown()), this::frame);

        // What is on screen: the first bad snapshot's badge is red.
        WritableImage img = fx(() -> chart.snapshot(null, null));
        double x = chart.xOf(hourly(22).id());
        Color c = img.getPixelReader().getColor((int) Math.round(x - 4.5), (int) Math.round(chart.axisY() - 28));
        assertTrue(c.getRed() > 0.6 && c.getGreen() < 0.4 && c.getBlue() < 0.4, "red badge, was " + c);

        clickOn(robot, hourly(22));
        ShownTimeline.waitFor("its verdict in the details", () -> text(robot, "#detail-check").startsWith("bad (first bad): Your installation"),
                () -> text(robot, "#detail-check"));
    }

    @Test
    void hoveringAGlyphTellsItsTimeToTheSecondAndItsReason(FxRobot robot) {
        ShownTimeline.waitFor("first frame", () -> frame() != null && frame().snapshotsDrawn() == 50, this::frame);
        SnapshotRecord s = snaps.get(48);
        robot.moveTo(fx(() -> chart.localToScreen(chart.xOf(s.id()), chart.axisY())));
        Supplier<String> tip = () -> robot.lookup(".tooltip").queryAll().stream()
                .filter(n -> n instanceof Label && n.getScene() != null && n.getScene().getWindow().isShowing())
                .map(n -> ((Label) n).getText()).findFirst().orElse("");
        ShownTimeline.waitFor("a tooltip for the manual snapshot", () -> tip.get().startsWith("2026-11-28 18:10:00 CET\nmanual · month-end · pinned"),
                tip::get);
    }

    @Test
    void deleteAsksFirstAndEnterIsTheWayOut(FxRobot robot) throws Exception {
        ShownTimeline.waitFor("first frame", () -> frame() != null && frame().snapshotsDrawn() == 50, this::frame);
        SnapshotRecord s = hourly(3);
        robot.interact(() -> model.selectedProperty().set(s));
        Platform.runLater(() -> robot.lookup("#timeline-delete").queryButton().fire());
        ShownTimeline.waitFor("the confirmation names the snapshot", () -> robot.lookup("Delete snapshot " + s.id()).tryQuery().isPresent(), () -> "");
        WaitForAsyncUtils.waitForFxEvents();
        robot.type(KeyCode.ENTER);
        ShownTimeline.waitFor("Enter closes it", () -> robot.lookup("Delete snapshot " + s.id()).tryQuery().isEmpty(), () -> "");
        assertTrue(clusterTasks.pending().isEmpty(), "Enter deleted nothing: " + clusterTasks.pending());

        Platform.runLater(() -> robot.lookup("#timeline-delete").queryButton().fire());
        ShownTimeline.waitFor("asked again", () -> robot.lookup("Delete snapshot " + s.id()).tryQuery().isPresent(), () -> "");
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.Button delete = robot.lookup(".dialog-pane .button").queryAllAs(javafx.scene.control.Button.class).stream()
                .filter(b -> b.getText().equals("Delete")).findFirst().orElseThrow();
        robot.interact(delete::fire);
        ShownTimeline.waitFor("the cluster view's delete is asked for", () -> clusterTasks.pending().size() == 1, clusterTasks::pending);
        assertEquals("Delete " + s.id(), clusterTasks.pending().get(0).title());
    }

    @Test
    void withoutTheScheduleServiceTheEditorSaysSo(FxRobot robot) {
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(text(robot, "#schedule-status").contains("schedule service not available"), text(robot, "#schedule-status"));
        assertTrue(robot.lookup("#schedule-save").queryButton().isDisabled());
        assertTrue(robot.lookup("#schedule-enable").queryButton().isDisabled());
    }
}
