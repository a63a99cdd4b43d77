package dev.twinshift.ui.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.bisect.BisectCheck;
import dev.twinshift.bisect.BisectResult;
import dev.twinshift.bisect.BisectService;
import dev.twinshift.bisect.Probe;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.tasks.ManualTaskExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Bisect dialog and its result on the axis, headless. The run hands back the result a bisect of
 * these six snapshots saved (read with BisectStore.parse), its probes one by one on a worker thread.
 */
@ExtendWith(ApplicationExtension.class)
class BisectViewTest {
    private final List<SnapshotRecord> snaps = new ArrayList<>(TimelineFixtures.hourly(6, BisectTimelineTest.NEWEST));
    private final List<BisectService.Request> asked = new CopyOnWriteArrayList<>();
    private final List<Boolean> onFxThread = new CopyOnWriteArrayList<>();
    private ShownTimeline shown;
    private TimelineViewModel model;
    private TimelineChart chart;

    @Start
    void start(Stage stage) {
        ClusterViewModel cluster = TimelineFixtures.showing(new ManualTaskExecutor(), snaps, List.of());
        BisectResult saved = BisectTimelineTest.sample();
        shown = ShownTimeline.show(stage, cluster, m -> m.setBisect(t -> {
            onFxThread.add(Platform.isFxApplicationThread());
            return Optional.empty();
        }, (t, req, listener, cancel) -> {
            onFxThread.add(Platform.isFxApplicationThread());
            asked.add(req);
            listener.line("bisect: 6 snapshot(s) of 13/main, " + req.check().describe());
            for (Probe p : saved.probes()) {
                listener.probe(p);
            }
            return saved;
        }));
        model = shown.model;
        chart = shown.chart;
    }

    @AfterEach
    void stop() {
        shown.close();
    }


    private static String error(FxRobot robot) {
        return robot.lookup("#bisect-error").queryAs(Label.class).getText();
    }

    @Test
    @SuppressWarnings("unchecked")
    void badInputIsRefusedWithWhatIsWrongAndAFinishedSearchShowsOnTheAxis(FxRobot robot) {
        ShownTimeline.waitFor("the axis is drawn", () -> chart.frameProperty().get() != null, () -> "");
        robot.interact(() -> model.selectedProperty().set(snaps.get(1)));
        Button bisect = robot.lookup("#timeline-bisect").queryButton();
        assertFalse(bisect.isDisabled(), "six snapshots and a service: the button is on");
        Platform.runLater(bisect::fire);
        ShownTimeline.waitFor("the dialog opens", () -> robot.lookup("#bisect-dialog").tryQuery().isPresent(), () -> "");
        WaitForAsyncUtils.waitForFxEvents();

        Button run = robot.lookup("#bisect-run").queryButton();
        robot.interact(run::fire);
        assertEquals("the check's SQL is empty", error(robot));
        assertTrue(robot.lookup("#bisect-dialog").tryQuery().isPresent(), "the dialog stays to be corrected");

        ComboBox<BisectForm.Check> check = robot.lookup("#bisect-check").queryAs(ComboBox.class);
        robot.interact(() -> check.setValue(BisectForm.Check.UPGRADE_CHECK));
        robot.interact(() -> robot.lookup("#bisect-version").queryAs(TextField.class).setText("fifteen"));
        robot.interact(run::fire);
        assertEquals("'fifteen' is not a PostgreSQL major version (e.g. 15)", error(robot));

        ComboBox<SnapshotRecord> from = robot.lookup("#bisect-from").queryAs(ComboBox.class);
        ComboBox<SnapshotRecord> to = robot.lookup("#bisect-to").queryAs(ComboBox.class);
        robot.interact(() -> robot.lookup("#bisect-version").queryAs(TextField.class).setText("15"));
        robot.interact(() -> {
            from.setValue(snaps.get(4));
            to.setValue(snaps.get(1));
        });
        robot.interact(run::fire);
        assertTrue(error(robot).contains("is newer than"), error(robot));
        assertTrue(asked.isEmpty(), "nothing ran while the input was refused");

        robot.interact(() -> to.setValue(null));
        robot.interact(() -> robot.lookup("#bisect-from-selected").queryButton().fire());
        robot.interact(run::fire);
        ShownTimeline.waitFor("the search ran and its result pane opened", () -> robot.lookup("#bisect-report").tryQuery().isPresent(), () -> asked);
        assertEquals(1, asked.size());
        assertEquals(new BisectCheck.UpgradeCheck("15"), asked.get(0).check());
        assertEquals(snaps.get(1).id(), asked.get(0).from(), "the timeline's selection as the oldest end");
        assertEquals(null, asked.get(0).to(), "up to the newest");
        assertFalse(onFxThread.contains(true), "neither the read of the saved result nor the run was on the FX thread");

        String report = robot.lookup("#bisect-report").queryAs(TextArea.class).getText();
        assertTrue(report.startsWith("FOUND: last good: 13-main/20261130T110000Z"), report);
        assertTrue(report.contains("First bad: 13-main/20261130T120000Z"), report);
        assertTrue(report.contains("public.callbacks"), "the change report: " + report);

        ShownTimeline.waitFor("the marks are on the axis", () -> {
            TimelineChart.Frame f = chart.frameProperty().get();
            return f != null && "13-main/20261130T120000Z".equals(f.firstBadShown()) && f.marksShown().size() == 6;
        }, () -> chart.frameProperty().get());
        TimelineChart.Frame f = chart.frameProperty().get();
        assertEquals("13-main/20261130T110000Z", f.lastGoodShown());
        assertTrue(robot.lookup("#bisect-status").queryAs(Label.class).getText().contains("FOUND"));
        assertTrue(List.copyOf(shown.log.lines()).stream().anyMatch(l -> l.contains("bisect: 6 snapshot(s) of 13/main")), "progress goes to the log");
    }
}
