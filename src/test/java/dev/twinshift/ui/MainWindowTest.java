package dev.twinshift.ui;

import dev.twinshift.lab.ConsoleSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.inventory.Inventory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TreeView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The first window as a newcomer without servers sees it, clicked through headless. */
@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    private Path dir;
    private TwinshiftApp app;

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("twinshift-ui");
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

    @Test
    void emptyListOffersBothWaysToAddAServer(FxRobot robot) {
        WaitForAsyncUtils.waitForFxEvents();
        TreeView<?> tree = robot.lookup("#server-tree").queryAs(TreeView.class);
        assertTrue(tree.getRoot().getChildren().isEmpty());
        assertTrue(robot.lookup("No servers yet").tryQuery().isPresent(), "empty state shown");
        Button add = robot.lookup("#empty-add-server").queryButton();
        Button imp = robot.lookup("#empty-import").queryButton();
        assertTrue(add.isVisible() && !add.isDisabled());
        assertTrue(imp.isVisible() && imp.getText().contains("~/.ssh/config"));
    }

    @Test
    void addServerRefusesBadInputThenSavesAGoodServer(FxRobot robot) throws Exception {
        robot.clickOn("#empty-add-server");
        WaitForAsyncUtils.waitForFxEvents();
        Button ok = robot.lookup("#add-server-ok").queryButton();
        assertTrue(ok.isDisabled(), "nothing typed yet: Add is disabled");

        robot.clickOn("#host-field").write("db1.example.com; rm -rf /");
        robot.interact(() -> robot.lookup("#user-field").queryTextInputControl().setText("dba"));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(ok.isDisabled());
        Label problems = robot.lookup("#add-server-problems").queryAs(Label.class);
        assertTrue(problems.getText().contains("is not a host name"), problems.getText());

        robot.doubleClickOn("#host-field");
        robot.interact(() -> robot.lookup("#host-field").queryTextInputControl().setText("db1.example.com"));
        robot.interact(() -> robot.lookup("#port-field").queryTextInputControl().setText("2200"));
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(ok.isDisabled(), problems.getText());
        robot.clickOn(ok);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !robot.lookup("#server-tree").queryAs(TreeView.class).getRoot().getChildren().isEmpty());

        // The cell is laid out on a later pulse than the item lands in the list: wait for what the user sees.
        try {
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("dba@db1.example.com:2200").tryQuery().isPresent());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("not listed with its address; the list holds "
                    + robot.lookup("#server-tree").queryAs(TreeView.class).getRoot().getChildren());
        }
        Node title = robot.lookup("#server-title").query();
        assertEquals("db1.example.com", ((Label) title).getText(), "the new server is shown");
        var saved = new Inventory(dir.resolve("servers.json")).load().entries();
        assertEquals(1, saved.size());
        assertEquals(2200, saved.get(0).port());
    }
}
