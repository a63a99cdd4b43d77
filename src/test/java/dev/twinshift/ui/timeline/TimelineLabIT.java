package dev.twinshift.ui.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabConsole;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.connections.FxPrompts;
import dev.twinshift.ui.dashboard.ClusterRow;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The timeline tab of the real console on the lab's 13/main: the same snapshots as its table, a
 * snapshot taken for the test and chosen from the keyboard shows its real sidecar, and the timeline's
 * Delete removes it from the server. Run under the lab rules (it snapshots 13/main).
 */
@ExtendWith(ApplicationExtension.class)
class TimelineLabIT {
    private final LabConsole console = new LabConsole();

    @Start
    void start(Stage stage) throws Exception {
        Lab.require();
        console.start(stage, "twinshift-timeline-lab");
    }

    @AfterEach
    void stop() throws Exception {
        console.stop();
    }

    @Test
    void theTimelineShowsARealSnapshotsSidecarAndDeletesIt(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#server-title").queryAs(Label.class).getText().isEmpty());
        robot.clickOn("#connect-button");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#host-key-fingerprint").tryQuery().isPresent());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(FxPrompts.TRUST_BUTTON).queryAll().stream()
                .anyMatch(n -> n instanceof ButtonBase && n.getScene() != null && n.getScene().getWindow().isShowing()));
        ButtonBase trust = (ButtonBase) robot.lookup(FxPrompts.TRUST_BUTTON).queryAll().stream()
                .filter(n -> n instanceof ButtonBase).findFirst().orElseThrow();
        Platform.runLater(trust::fire);
        @SuppressWarnings("unchecked")
        TableView<ClusterRow> clusters = robot.lookup("#cluster-table").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> dev.twinshift.lab.ConsoleRobot.onFx(() -> clusters.getItems().stream()
                .anyMatch(r -> r.id().equals("13/main"))));
        robot.interact(() -> clusters.getSelectionModel().select(
                clusters.getItems().stream().filter(r -> r.id().equals("13/main")).findFirst().orElseThrow()));
        @SuppressWarnings("unchecked")
        TableView<SnapshotRecord> table = robot.lookup("#snapshot-table").queryAs(TableView.class);
        Label message = robot.lookup("#cluster-message").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !robot.lookup("#snapshot-now").queryButton().isDisabled());

        // A snapshot of our own, so the axis has a real sidecar to show; deleted from the timeline's own button.
        String label = "tl-" + System.currentTimeMillis() % 100000;
        robot.interact(() -> robot.lookup("#snapshot-label").queryTextInputControl().setText(label));
        Platform.runLater(() -> robot.lookup("#snapshot-now").queryButton().fire());
        try {
            // The list and the outcome are set one after the other: wait for the outcome.
            WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> message.getText().startsWith("Snapshot ")
                    || message.getText().contains("failed"));
            WaitForAsyncUtils.waitForFxEvents();
            assertTrue(message.getText().startsWith("Snapshot "), message.getText());
            SnapshotRecord ours = table.getItems().stream().filter(s -> label.equals(s.label())).findFirst().orElseThrow();
            robot.interact(() -> robot.lookup("#cluster-tabs").queryAs(TabPane.class).getSelectionModel().select(1));
            TimelineChart chart = robot.lookup("#timeline-chart").queryAs(TimelineChart.class);
            assertEquals("Timeline of 13/main", robot.lookup("#timeline-title").queryAs(Label.class).getText());
            int n = table.getItems().size();
            System.out.println("13/main on the lab holds " + n + " snapshots");
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> chart.frameProperty().get() != null
                    && robot.lookup("#timeline-count").queryAs(Label.class).getText().startsWith(String.format("%,d snapshot", n)));
            robot.interact(chart::requestFocus);
            robot.type(KeyCode.DIGIT0);
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> chart.frameProperty().get().snapshotsDrawn() == n);

            SnapshotRecord newest = table.getItems().stream().max(Comparator.comparing(SnapshotRecord::createdAt)).orElseThrow();
            assertEquals(ours.id(), newest.id(), "ours is the newest");
            robot.type(KeyCode.END);
            robot.press(KeyCode.ALT);
            try {
                for (int i = 0; i <= n && !ours.id().equals(detail(robot, "#detail-snapshot")); i++) {
                    robot.type(KeyCode.RIGHT);
                }
            } finally {
                robot.release(KeyCode.ALT);
            }
            assertEquals(ours.id(), detail(robot, "#detail-snapshot"), "Alt+Right reaches the newest");
            assertEquals(label, detail(robot, "#detail-label"));
            assertEquals("manual", detail(robot, "#detail-reason"));
            assertEquals(ours.walLsn(), detail(robot, "#detail-wal"), "its sidecar as the server has it");
            assertEquals(ours.location(), detail(robot, "#detail-location"));
            // The editor reads the schedule from the server: the lab's 13/main has none.
            Label schedule = robot.lookup("#schedule-status").queryAs(Label.class);
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> schedule.getText().contains("Not scheduled")
                    || schedule.getText().contains("failed"));
            assertTrue(schedule.getText().contains("Not scheduled"), schedule.getText());

            Platform.runLater(() -> robot.lookup("#timeline-delete").queryButton().fire());
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("Delete snapshot " + ours.id()).tryQuery().isPresent());
            WaitForAsyncUtils.waitForFxEvents();
            ButtonBase delete = robot.lookup(".dialog-pane .button").queryAllAs(ButtonBase.class).stream()
                    .filter(b -> b.getText().equals("Delete")).findFirst().orElseThrow();
            Platform.runLater(delete::fire);
            WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> message.getText().endsWith(" deleted.")
                    || message.getText().contains("failed"));
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals("Snapshot " + ours.id() + " deleted.", message.getText());
            assertTrue(table.getItems().stream().noneMatch(s -> s.id().equals(ours.id())));
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> chart.frameProperty().get().snapshotsDrawn() == n - 1);
        } finally {
            // What a failure above (or an earlier run's) left of this test's snapshots: removed the way the table does it.
            WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> !robot.lookup("#snapshot-now").queryButton().isDisabled());
            for (SnapshotRecord left : List.copyOf(table.getItems())) {
                if (left.label() == null || !left.label().matches("tl-[0-9]+")) {
                    continue;
                }
                robot.interact(() -> robot.lookup("#cluster-tabs").queryAs(TabPane.class).getSelectionModel().select(0));
                robot.interact(() -> table.getSelectionModel().select(left));
                Platform.runLater(() -> robot.lookup("#delete-snapshot").queryButton().fire());
                WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane .button").queryAllAs(ButtonBase.class)
                        .stream().anyMatch(b -> b.getText().equals("Delete")));
                WaitForAsyncUtils.waitForFxEvents();
                ButtonBase delete = robot.lookup(".dialog-pane .button").queryAllAs(ButtonBase.class).stream()
                        .filter(b -> b.getText().equals("Delete")).findFirst().orElseThrow();
                Platform.runLater(delete::fire);
                WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> dev.twinshift.lab.ConsoleRobot.onFx(() -> table.getItems().stream()
                        .noneMatch(s -> s.id().equals(left.id()))));
                WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> !robot.lookup("#snapshot-now").queryButton().isDisabled());
            }
        }
    }

    private static String detail(FxRobot robot, String id) {
        return robot.lookup(id).tryQuery().map(x -> ((TextField) x).getText()).orElse("");
    }
}
