package dev.twinshift.ui.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.lab.ConsoleSettings;
import dev.twinshift.lab.Lab;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.connections.FxPrompts;
import dev.twinshift.ui.dashboard.ClusterRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
 * The timeline tab of the real console on the lab's 13/main: the same snapshots as its table, and a
 * snapshot chosen from the keyboard shows its real sidecar. Reads only; changes nothing on the lab.
 */
@ExtendWith(ApplicationExtension.class)
class TimelineLabIT {
    private TwinshiftApp app;

    @Start
    void start(Stage stage) throws Exception {
        Lab.require();
        Path dir = Files.createTempDirectory("twinshift-timeline-lab");
        TwinshiftApp.useSettings(ConsoleSettings.inFolder(dir, Lab.descriptorPath()));
        app = new TwinshiftApp();
        app.start(stage);
        stage.requestFocus();
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            WaitForAsyncUtils.asyncFx(() -> app.stop()).get(5, TimeUnit.SECONDS);
        }
        TwinshiftApp.useSettings(null);
    }

    @Test
    void theTimelineShowsTheLabClustersSnapshotsAndTheirSidecar(FxRobot robot) throws Exception {
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
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> clusters.getItems().stream().anyMatch(r -> r.id().equals("13/main")));
        robot.interact(() -> clusters.getSelectionModel().select(
                clusters.getItems().stream().filter(r -> r.id().equals("13/main")).findFirst().orElseThrow()));
        @SuppressWarnings("unchecked")
        TableView<SnapshotRecord> table = robot.lookup("#snapshot-table").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !robot.lookup("#snapshot-now").queryButton().isDisabled());

        robot.interact(() -> robot.lookup("#cluster-tabs").queryAs(TabPane.class).getSelectionModel().select(1));
        TimelineChart chart = robot.lookup("#timeline-chart").queryAs(TimelineChart.class);
        assertEquals("Timeline of 13/main", robot.lookup("#timeline-title").queryAs(Label.class).getText());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> chart.frameProperty().get() != null);
        int n = table.getItems().size();
        System.out.println("13/main on the lab holds " + n + " snapshots");
        String count = robot.lookup("#timeline-count").queryAs(Label.class).getText();
        if (n == 0) {
            assertEquals("no snapshot", count);
            return;
        }
        assertTrue(count.startsWith(String.format("%,d snapshot", n)), count + " for " + n + " in the table");
        robot.interact(chart::requestFocus);
        robot.type(KeyCode.DIGIT0);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> chart.frameProperty().get().snapshotsDrawn() == n);

        SnapshotRecord newest = table.getItems().stream().max(Comparator.comparing(SnapshotRecord::createdAt)).orElseThrow();
        robot.type(KeyCode.END);
        robot.press(KeyCode.ALT);
        try {
            for (int i = 0; i <= n && !newest.id().equals(detail(robot, "#detail-snapshot")); i++) {
                robot.type(KeyCode.RIGHT);
            }
        } finally {
            robot.release(KeyCode.ALT);
        }
        assertEquals(newest.id(), detail(robot, "#detail-snapshot"), "Alt+Right reaches the newest");
        assertEquals(newest.walLsn(), detail(robot, "#detail-wal"), "its sidecar as the server has it");
        assertEquals(newest.location(), detail(robot, "#detail-location"));
        assertTrue(robot.lookup("#schedule-status").queryAs(Label.class).getText().contains("schedule service not available"));
    }

    private static String detail(FxRobot robot, String id) {
        return robot.lookup(id).tryQuery().map(x -> ((TextField) x).getText()).orElse("");
    }
}
