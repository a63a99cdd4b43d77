package dev.twinshift.ui.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import atlantafx.base.theme.Styles;
import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.inventory.Inventory;
import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.lab.ConsoleSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.TreeView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Adding servers by hand and from ~/.ssh/config, as an administrator with one server listed does it. */
@ExtendWith(ApplicationExtension.class)
class AddServerAndImportTest {
    private Path dir;
    private TwinshiftApp app;

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("twinshift-add");
        new Inventory(dir.resolve("servers.json")).load()
                .put(new ServerEntry("known1", "known1.example.com", 22, "dba", null, null, ServerEntry.Source.MANUAL));
        Files.writeString(dir.resolve("ssh_config"), """
                Host db1
                    HostName db1.example.com
                    User dba
                Host db2
                    HostName db2.example.com
                    Port 2200
                    User dba
                Host known1
                    HostName known1.example.com
                    User dba
                """);
        TwinshiftApp.useSettings(ConsoleSettings.inFolder(dir, dir.resolve("no-lab.json")));
        app = new TwinshiftApp();
        app.start(stage);
        stage.toFront();
        stage.requestFocus();
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> app.stop()).get(5, TimeUnit.SECONDS);
        TwinshiftApp.useSettings(null);
    }

    private static boolean marked(Node field) {
        return field.getPseudoClassStates().contains(Styles.STATE_DANGER);
    }

    private static void set(FxRobot robot, String id, String text) {
        robot.interact(() -> robot.lookup(id).queryAs(TextField.class).setText(text));
    }

    @Test
    void theAddDialogListsEveryProblemAtOnceBesideItsField(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("known1").tryQuery().isPresent());
        robot.clickOn("#add-button");
        WaitForAsyncUtils.waitForFxEvents();
        set(robot, "#host-field", "db 9");
        set(robot, "#port-field", "0");
        set(robot, "#user-field", "");
        WaitForAsyncUtils.waitForFxEvents();

        Label host = robot.lookup("#host-problem").queryAs(Label.class);
        Label port = robot.lookup("#port-problem").queryAs(Label.class);
        Label user = robot.lookup("#user-problem").queryAs(Label.class);
        Label name = robot.lookup("#name-problem").queryAs(Label.class);
        assertTrue(host.isVisible() && host.getText().contains("is not a host name"), host.getText());
        assertTrue(port.isVisible() && port.getText().contains("1 to 65535"), port.getText());
        assertTrue(user.isVisible() && user.getText().contains("login name"), user.getText());
        assertFalse(name.isVisible(), "the name filled from the host is fine");
        assertTrue(marked(robot.lookup("#host-field").query()));
        assertTrue(marked(robot.lookup("#port-field").query()));
        assertTrue(marked(robot.lookup("#user-field").query()));
        assertFalse(marked(robot.lookup("#name-field").query()));
        String all = robot.lookup("#add-server-problems").queryAs(Label.class).getText();
        assertTrue(all.startsWith("3 problems"), all);
        // Each message is laid out whole: as tall as its wrapped text needs.
        for (Label l : List.of(host, port, user)) {
            assertTrue(l.getHeight() >= l.prefHeight(l.getWidth()) - 0.5, l.getId() + " is cut");
        }
        assertTrue(robot.lookup("#add-server-ok").queryButton().isDisabled());

        set(robot, "#host-field", "db9.example.com");
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(host.isVisible());
        assertFalse(marked(robot.lookup("#host-field").query()));
        assertTrue(marked(robot.lookup("#port-field").query()), "the other problems stay shown");
        robot.interact(() -> robot.lookup("#add-server-ok").queryButton().getScene().getWindow().hide());
    }

    @Test
    void theImportPreviewListsTheHostsAndAddsOnlyTheCheckedOnes(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("known1").tryQuery().isPresent());
        robot.clickOn("#import-button");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#import-hosts").tryQuery().isPresent());
        List<CheckBox> boxes = robot.lookup("#import-hosts .check-box").queryAllAs(CheckBox.class).stream().toList();
        List<String> texts = boxes.stream().map(CheckBox::getText).toList();
        assertEquals(3, boxes.size(), texts.toString());
        CheckBox db1 = boxes.stream().filter(b -> b.getText().startsWith("db1 ")).findFirst().orElseThrow();
        CheckBox db2 = boxes.stream().filter(b -> b.getText().startsWith("db2 ")).findFirst().orElseThrow();
        CheckBox known = boxes.stream().filter(b -> b.getText().startsWith("known1 ")).findFirst().orElseThrow();
        assertTrue(db2.getText().contains("dba@db2.example.com:2200"), db2.getText());
        assertTrue(known.getText().contains(ImportPreviewDialog.KNOWN) && known.isDisabled() && !known.isSelected());
        assertTrue(db1.isSelected() && db2.isSelected());
        assertEquals(List.of("known1"), new Inventory(dir.resolve("servers.json")).load().entries().stream()
                .map(ServerEntry::name).toList(), "nothing is added before the choice");

        robot.clickOn(db2);
        Button ok = robot.lookup("#import-ok").queryButton();
        assertEquals("Add 1 server", ok.getText());
        robot.clickOn(ok);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("db1").tryQuery().isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of("known1", "db1"), new Inventory(dir.resolve("servers.json")).load().entries().stream()
                .map(ServerEntry::name).toList());
        TreeView<?> tree = robot.lookup("#server-tree").queryAs(TreeView.class);
        assertEquals(2, tree.getRoot().getChildren().size());
    }
}
