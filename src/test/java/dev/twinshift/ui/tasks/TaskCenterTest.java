package dev.twinshift.ui.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import atlantafx.base.theme.PrimerLight;
import dev.twinshift.ui.logs.ActivityView;
import dev.twinshift.ui.logs.LogStyles;
import dev.twinshift.upgrade.CancelPolicyTestPlans;
import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.Cutover;
import dev.twinshift.upgrade.UpgradePlan;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Activity panel's task list, headless: each task's Cancel button says what it would do now, and
 * pressing it never interrupts a task that changes a server.
 */
@ExtendWith(ApplicationExtension.class)
class TaskCenterTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private LogBuffer log;
    private FxTaskExecutor tasks;

    @Start
    void start(Stage stage) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        log = new LogBuffer(200);
        log.start();
        tasks = new FxTaskExecutor(log);
        ActivityView view = new ActivityView(log, tasks);
        stage.setScene(new Scene(view.root(), 900, 400));
        stage.show();
        stage.toFront();
        stage.requestFocus();
    }

    @AfterEach
    void stop() {
        release.countDown();
        tasks.shutdown();
        log.stop();
    }

    /** Work that waits for the test, and notes whether its thread was interrupted. */
    private BackgroundTask.Work<String> waiting(AtomicBoolean interrupted) {
        return p -> {
            try {
                release.await(60, TimeUnit.SECONDS);
                return "done";
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
        };
    }

    private FxTaskExecutor.RunningTask submit(BackgroundTask<String> t) throws Exception {
        int before = WaitForAsyncUtils.asyncFx(() -> tasks.running().size()).get(5, TimeUnit.SECONDS);
        WaitForAsyncUtils.asyncFx(() -> tasks.submit(t)).get(5, TimeUnit.SECONDS);
        FxTaskExecutor.RunningTask r = WaitForAsyncUtils.asyncFx(() -> tasks.running().get(before)).get(5, TimeUnit.SECONDS);
        // Its row is drawn on a later pulse.
        WaitForAsyncUtils.waitForFxEvents();
        return r;
    }

    private static ListCell<?> cellOf(FxRobot robot, FxTaskExecutor.RunningTask t) {
        return robot.lookup("#" + ActivityView.TASK_LIST_ID).lookup(".list-cell").queryAllAs(ListCell.class).stream()
                .filter(c -> c.getItem() == t).findFirst().orElseThrow(() -> new AssertionError("no row for " + t.task()));
    }

    private static Button cancelOf(FxRobot robot, FxTaskExecutor.RunningTask t) {
        return (Button) cellOf(robot, t).lookup("." + LogStyles.TASK_CANCEL);
    }

    private static String cancelTextOf(FxRobot robot, FxTaskExecutor.RunningTask t) {
        return ((Label) cellOf(robot, t).lookup("." + LogStyles.TASK_CANCEL_TEXT)).getText();
    }

    @Test
    void aTaskThatChangesTheServerRefusesCancelAndSaysWhy(FxRobot robot) throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        FxTaskExecutor.RunningTask t = submit(BackgroundTask.of("Snapshot 13/main", waiting(interrupted)));
        WaitForAsyncUtils.waitForFxEvents();
        Button b = cancelOf(robot, t);
        assertTrue(b.isDisabled(), "no cancel for a snapshot half-taken");
        assertEquals("Cancel", b.getText());
        assertTrue(b.getTooltip().getText().contains("runs to its end"), b.getTooltip().getText());
        assertTrue(cancelTextOf(robot, t).contains("runs to its end"), cancelTextOf(robot, t));
        robot.interact(t::cancel);
        assertFalse(interrupted.get());
        assertFalse(t.task().isDone(), "a refused cancel leaves the task running");
    }

    @Test
    void aReadIsCancelledAtOnce(FxRobot robot) throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        FxTaskExecutor.RunningTask t = submit(BackgroundTask.of("Read clusters", waiting(interrupted))
                .cancel(TaskCancel.interrupts()));
        WaitForAsyncUtils.waitForFxEvents();
        Button b = cancelOf(robot, t);
        assertFalse(b.isDisabled());
        robot.clickOn(b);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> interrupted.get() && tasks.running().isEmpty());
    }

    @Test
    void aCutoverOffersCancelThenRollBackNowThenNothingAndNeverInterrupts(FxRobot robot) throws Exception {
        UpgradePlan plan = CancelPolicyTestPlans.plan();
        CancelRequest cancel = new CancelRequest();
        AtomicBoolean interrupted = new AtomicBoolean();
        FxTaskExecutor.RunningTask t = submit(BackgroundTask.of("Cutover of 13/main", waiting(interrupted))
                .cancel(TaskCancel.byRequest(cancel, "tsadmin (ann@desk)")));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("Cancel", cancelOf(robot, t).getText());
        assertFalse(cancelOf(robot, t).isDisabled());

        // The engine reaches pg_upgrade (from its worker thread): cancel now means rolling back.
        cancel.boundary(Cutover.cancelPolicy(Cutover.STOP_OLD, plan));
        cancel.boundary(Cutover.cancelPolicy(Cutover.PG_UPGRADE, plan));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> "Roll back now".equals(cancelOf(robot, t).getText()));
        assertFalse(cancelOf(robot, t).isDisabled());
        assertTrue(cancelTextOf(robot, t).contains("13/main comes back on port 5433"), cancelTextOf(robot, t));

        robot.clickOn(cancelOf(robot, t));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> "Cancel asked".equals(cancelOf(robot, t).getText()));
        assertTrue(cancelOf(robot, t).isDisabled(), "asked once is enough");
        assertEquals("tsadmin (ann@desk)", cancel.requestedBy().orElseThrow());
        assertFalse(interrupted.get(), "the worker goes on to the step boundary");
        assertFalse(t.task().isDone());

        release.countDown();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> tasks.running().isEmpty());
        assertFalse(interrupted.get());
        assertEquals("done", WaitForAsyncUtils.asyncFx(() -> t.task().getValue()).get(5, TimeUnit.SECONDS),
                "the task ended by itself");
    }

    @Test
    void afterTheHandOverCancelIsDisabledWithWhatToDoInstead(FxRobot robot) throws Exception {
        UpgradePlan plan = CancelPolicyTestPlans.plan();
        CancelRequest cancel = new CancelRequest();
        FxTaskExecutor.RunningTask t = submit(BackgroundTask.of("Cutover of 13/main", waiting(new AtomicBoolean()))
                .cancel(TaskCancel.byRequest(cancel, "tsadmin")));
        cancel.boundary(Cutover.cancelPolicy(Cutover.ANALYZE, plan));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> cancelOf(robot, t).isDisabled());
        assertEquals("Cancel", cancelOf(robot, t).getText());
        assertTrue(cancelTextOf(robot, t).contains("use Roll back") || cancelTextOf(robot, t).contains("Use Roll back"),
                cancelTextOf(robot, t));
        robot.interact(t::cancel);
        assertFalse(cancel.requested());
        assertTrue(List.of(log.lines().toArray()).stream().noneMatch(l -> String.valueOf(l).contains("cancel asked")));
    }
}
