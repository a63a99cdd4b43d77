package dev.twinshift.ui.timeline;

import static dev.twinshift.ui.timeline.TimelineFixtures.PARIS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import atlantafx.base.theme.PrimerLight;
import dev.twinshift.bisect.BisectCheck;
import dev.twinshift.bisect.BisectResult;
import dev.twinshift.bisect.BisectService;
import dev.twinshift.bisect.Probe;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.ManualTaskExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
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
    private LogBuffer log;
    private FxTaskExecutor tasks;
    private TimelineViewModel model;
    private TimelineChart chart;

    @Start
    void start(Stage stage) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        ClusterViewModel cluster = TimelineFixtures.showing(new ManualTaskExecutor(), snaps, List.of());
        log = new LogBuffer(200);
        log.start();
        tasks = new FxTaskExecutor(log);
        model = new TimelineViewModel(cluster, tasks, PARIS);
        BisectResult saved = BisectTimelineTest.sample();
        model.setBisect(t -> {
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
        });
        TimelineView view = new TimelineView(model);
        chart = view.chart();
        Scene scene = new Scene(view.root(), 1200, 760);
        scene.getStylesheets().add(BisectViewTest.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
        stage.setScene(scene);
        stage.show();
        stage.toFront();
    }

    @AfterEach
    void stop() {
        tasks.shutdown();
        log.stop();
    }

    private static void waitFor(String what, BooleanSupplier cond, Supplier<Object> shown) {
        try {
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, cond::getAsBoolean);
        } catch (TimeoutException e) {
            throw new AssertionError(what + "; shown: " + shown.get());
        }
    }

    private static String error(FxRobot robot) {
        return robot.lookup("#bisect-error").queryAs(Label.class).getText();
    }

    @Test
    @SuppressWarnings("unchecked")
    void badInputIsRefusedWithWhatIsWrongAndAFinishedSearchShowsOnTheAxis(FxRobot robot) {
        waitFor("the axis is drawn", () -> chart.frameProperty().get() != null, () -> "");
        robot.interact(() -> model.selectedProperty().set(snaps.get(1)));
        Button bisect = robot.lookup("#timeline-bisect").queryButton();
        assertFalse(bisect.isDisabled(), "six snapshots and a service: the button is on");
        Platform.runLater(bisect::fire);
        waitFor("the dialog opens", () -> robot.lookup("#bisect-dialog").tryQuery().isPresent(), () -> "");
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
        waitFor("the search ran and its result pane opened", () -> robot.lookup("#bisect-report").tryQuery().isPresent(), () -> asked);
        assertEquals(1, asked.size());
        assertEquals(new BisectCheck.UpgradeCheck("15"), asked.get(0).check());
        assertEquals(snaps.get(1).id(), asked.get(0).from(), "the timeline's selection as the oldest end");
        assertEquals(null, asked.get(0).to(), "up to the newest");
        assertFalse(onFxThread.contains(true), "neither the read of the saved result nor the run was on the FX thread");

        String report = robot.lookup("#bisect-report").queryAs(TextArea.class).getText();
        assertTrue(report.startsWith("FOUND: last good: 13-main/20261130T110000Z"), report);
        assertTrue(report.contains("First bad: 13-main/20261130T120000Z"), report);
        assertTrue(report.contains("public.callbacks"), "the change report: " + report);

        waitFor("the marks are on the axis", () -> {
            TimelineChart.Frame f = chart.frameProperty().get();
            return f != null && "13-main/20261130T120000Z".equals(f.firstBadShown()) && f.marksShown().size() == 6;
        }, () -> chart.frameProperty().get());
        TimelineChart.Frame f = chart.frameProperty().get();
        assertEquals("13-main/20261130T110000Z", f.lastGoodShown());
        assertTrue(robot.lookup("#bisect-status").queryAs(Label.class).getText().contains("FOUND"));
        assertTrue(List.copyOf(log.lines()).stream().anyMatch(l -> l.contains("bisect: 6 snapshot(s) of 13/main")), "progress goes to the log");
    }
}
