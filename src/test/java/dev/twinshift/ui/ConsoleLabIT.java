package dev.twinshift.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.ConsoleRobot;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabConsole;
import dev.twinshift.ui.connections.FxPrompts;
import dev.twinshift.ui.dashboard.ClusterRow;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A newcomer's first minute against the real lab: the lab is offered, Connect asks about its host
 * key, and the overview shows the real system and its PostgreSQL 13 cluster on btrfs.
 */
@ExtendWith(ApplicationExtension.class)
class ConsoleLabIT {
    private Lab lab;
    private final LabConsole console = new LabConsole();

    @Start
    void start(Stage stage) throws Exception {
        lab = Lab.require();
        console.start(stage, "twinshift-ui-lab");
    }

    @AfterEach
    void stop() throws Exception {
        console.stop();
    }

    @Test
    void connectsToTheLabAfterTheHostKeyIsAccepted(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#server-title").tryQuery().isPresent()
                && robot.lookup("#server-title").queryAs(Label.class).isVisible()
                && !robot.lookup("#server-title").queryAs(Label.class).getText().isEmpty());
        assertEquals("Twinshift lab", robot.lookup("#server-title").queryAs(Label.class).getText(), "the lab is chosen for a newcomer");

        robot.clickOn("#connect-button");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#host-key-fingerprint").tryQuery().isPresent());
        Label fp = robot.lookup("#host-key-fingerprint").queryAs(Label.class);
        assertEquals(lab.hostKeyFingerprint(), fp.getText(), "the dialog shows the lab's real fingerprint");
        clickWhenShown(robot, FxPrompts.TRUST_BUTTON);

        Label status = robot.lookup("#connection-status").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> status.getText().startsWith("Connected"));
        // The server's facts are read right after the connection opens, a moment after "Connected" shows.
        Label os = robot.lookup("#os-label").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> os.getText().contains("Debian"));

        @SuppressWarnings("unchecked")
        TableView<ClusterRow> table = robot.lookup("#cluster-table").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> ConsoleRobot.onFx(() -> !table.getItems().isEmpty()));
        ClusterRow main = table.getItems().stream().filter(r -> r.id().equals("13/main")).findFirst().orElseThrow();
        assertEquals(5433, main.port());
        assertEquals("online", main.status());
        assertTrue(main.filesystem().contains("btrfs"), main.filesystem());
        assertTrue(main.storageMethod().toLowerCase().contains("btrfs"), main.storageMethod());

        String known = Files.readString(console.folder().resolve("known_hosts"));
        assertTrue(known.contains("[127.0.0.1]:2222"), "accepted key saved: " + known);
    }

    @Test
    void aChangedHostKeyIsRefusedWithAnExplanation(FxRobot robot) throws Exception {
        // A key of another type for the same address: what a replaced server would present.
        Files.writeString(console.folder().resolve("known_hosts"),
                "[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEc9vqj9YV3kZxV3l8m7lXl3GmPGa1m3A8fXnLwq8s3T\n");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#server-title").queryAs(Label.class).getText().isEmpty());
        robot.clickOn("#connect-button");
        Label error = robot.lookup("#error-text").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !error.getText().isEmpty());
        assertTrue(robot.lookup("#host-key-fingerprint").tryQuery().isEmpty(), "no prompt for a changed key");
        String hint = robot.lookup("#error-hint").queryAs(Label.class).getText();
        assertTrue(hint.contains("known_hosts"), hint);
        assertTrue(robot.lookup("#connection-status").queryAs(Label.class).getText().startsWith("Not connected"));
    }

    @Test
    void snapshotCloneAndCleanUpFromTheClusterView(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#server-title").queryAs(Label.class).getText().isEmpty());
        robot.clickOn("#connect-button");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#host-key-fingerprint").tryQuery().isPresent());
        clickWhenShown(robot, FxPrompts.TRUST_BUTTON);
        @SuppressWarnings("unchecked")
        TableView<ClusterRow> clusters = robot.lookup("#cluster-table").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> ConsoleRobot.onFx(() -> clusters.getItems().stream()
                .anyMatch(r -> r.id().equals("13/main"))));
        robot.interact(() -> clusters.getSelectionModel().select(
                clusters.getItems().stream().filter(r -> r.id().equals("13/main")).findFirst().orElseThrow()));

        @SuppressWarnings("unchecked")
        TableView<dev.twinshift.storage.SnapshotRecord> snaps = robot.lookup("#snapshot-table").queryAs(TableView.class);
        Label message = robot.lookup("#cluster-message").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#snapshot-now").queryButton().isDisabled() == false);
        String label = "ui-" + System.currentTimeMillis() % 100000;
        robot.interact(() -> robot.lookup("#snapshot-label").queryTextInputControl().setText(label));
        press(robot, "#snapshot-now");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> ConsoleRobot.onFx(() -> snaps.getItems().stream()
                .anyMatch(s -> label.equals(s.label())) && message.getText().startsWith("Snapshot ") || message.getText().contains("failed")));
        assertTrue(message.getText().startsWith("Snapshot "), message.getText());
        var snap = ConsoleRobot.onFx(() -> snaps.getItems().stream().filter(s -> label.equals(s.label())).findFirst().orElseThrow());

        // Rollback cannot be clicked through: the button stays off until the cluster's name is typed.
        robot.interact(() -> snaps.getSelectionModel().select(snap));
        press(robot, "#rollback-snapshot");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#typed-confirmation").tryQuery().isPresent());
        javafx.scene.control.Button rollBack = robot.lookup("Roll back").queryButton();
        assertTrue(rollBack.isDisabled());
        robot.interact(() -> robot.lookup("#typed-confirmation").queryTextInputControl().setText("13/main"));
        assertTrue(!rollBack.isDisabled());
        clickWhenShown(robot, "Cancel");

        String cloneName = "uiclone" + System.currentTimeMillis() % 100000;
        press(robot, "#clone-snapshot");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#clone-name").tryQuery().isPresent());
        robot.interact(() -> robot.lookup("#clone-name").queryTextInputControl().setText(cloneName));
        clickWhenShown(robot, "Clone");
        ConsoleRobot console = new ConsoleRobot(robot);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> console.cloneInTree(cloneName).map(c -> c.running()).orElse(false));
        var clone = console.cloneInTree(cloneName).orElseThrow();
        assertTrue(clone.connectionString().contains("port=" + clone.record().port()), clone.connectionString());
        assertTrue(clone.ownBytes() != null, "btrfs says how much space the clone holds alone");

        // The server's idle-clone rule: a clone just started is in use; protected from its row's menu.
        assertTrue(clone.use() != null && clone.use().text().startsWith("in use"), String.valueOf(clone.use()));
        console.chooseInTreeMenu(cloneName, "Protect from the idle policy");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> console.cloneInTree(cloneName).map(c -> c.protectedClone()).orElse(false));
        assertEquals("protected", console.cloneInTree(cloneName).orElseThrow().use().text());

        // The policy dialog previews a policy through the server's own rule before Save is offered; cancelled here.
        press(robot, "#idle-policy");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#idle-action").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        javafx.scene.control.ChoiceBox<dev.twinshift.schedule.IdleClonePolicy.Action> action =
                robot.lookup("#idle-action").queryAs(javafx.scene.control.ChoiceBox.class);
        robot.interact(() -> {
            action.setValue(dev.twinshift.schedule.IdleClonePolicy.Action.STOP);
            robot.lookup("#idle-after").queryTextInputControl().setText("2d");
        });
        assertTrue(robot.lookup("#idle-save").queryButton().isDisabled(), "nothing is saved before it is previewed");
        press(robot, "#idle-preview-button");
        javafx.scene.layout.VBox preview = robot.lookup("#idle-preview").queryAs(javafx.scene.layout.VBox.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> preview.getChildren().stream()
                .anyMatch(n -> ((Label) n).getText().startsWith(cloneName + ": protected")));
        assertTrue(!robot.lookup("#idle-save").queryButton().isDisabled(), "previewed: Save is offered");
        clickWhenShown(robot, "Cancel");

        // A snapshot of the clone, taken from its row's menu, shows under the clone; deleted from its own.
        console.chooseInTreeMenu(cloneName, "Snapshot this clone...");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup(".dialog-pane .text-field").tryQuery().isPresent());
        robot.interact(() -> robot.lookup(".dialog-pane .text-field").queryTextInputControl().setText("in-clone"));
        clickWhenShown(robot, "OK");
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> console.childrenInTree(cloneName).stream()
                .anyMatch(n -> n.endsWith("-in-clone")));
        String ofClone = console.childrenInTree(cloneName).stream().filter(n -> n.endsWith("-in-clone")).findFirst().orElseThrow();
        console.chooseInTreeMenu(ofClone, "Delete...");
        clickWhenShown(robot, "Delete");
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> console.childrenInTree(cloneName).isEmpty());

        console.selectCloneInTree(cloneName);
        press(robot, "#destroy-clone");
        clickWhenShown(robot, "Destroy");
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> console.cloneInTree(cloneName).isEmpty());

        robot.interact(() -> snaps.getSelectionModel().select(
                snaps.getItems().stream().filter(s -> label.equals(s.label())).findFirst().orElseThrow()));
        press(robot, "#delete-snapshot");
        clickWhenShown(robot, "Delete");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> ConsoleRobot.onFx(() -> snaps.getItems().stream()
                .noneMatch(s -> label.equals(s.label()))));
    }

    private static void press(FxRobot robot, String id) {
        new ConsoleRobot(robot).press(id);
    }

    private static void clickWhenShown(FxRobot robot, String query) throws Exception {
        new ConsoleRobot(robot).clickWhenShown(query);
    }
}
