package dev.twinshift.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.ConsoleRobot;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.PgBouncerFixture;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.ui.bluegreen.BlueGreenViewModel;
import dev.twinshift.ui.bluegreen.BlueGreenWindow;
import dev.twinshift.ui.bluegreen.RemoteBlueGreenService;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.upgrade.BlueGreen;
import dev.twinshift.upgrade.Cutover;
import dev.twinshift.upgrade.CutoverIT;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradeWorkspace;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.scene.control.Button;
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
 * The blue/green window against the real lab: a scratch 13 cluster behind a real PgBouncer is
 * preflighted, green is prepared, the clients are switched to it and back and green is abandoned,
 * all through the window's buttons and confirmations, with the window's own status polling.
 */
@ExtendWith(ApplicationExtension.class)
class BlueGreenLabIT {
    static final Actor ME = new Actor("tsadmin", "it", "bluegreen-ui-it");
    private RemoteShell shell;
    private ScratchCluster sc;
    private PgBouncerFixture bouncer;
    private BlueGreenViewModel model;
    private Stage window;

    @Start
    void start(Stage stage) throws Exception {
        shell = LabShell.admin(Lab.require());
        CutoverIT.shell = shell;
        sc = CutoverIT.scratch("bgui");
        bouncer = PgBouncerFixture.start(shell, sc.cluster().port(), List.of("postgres", "app"));
        LogBuffer log = new LogBuffer(1000);
        model = new BlueGreenViewModel(new FxTaskExecutor(log), new RemoteBlueGreenService(shell, ME, sc.cluster()),
                new LogBuffer(1000));
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        // The primary stage only owns the window, as the main window does in the console.
        stage.setScene(new javafx.scene.Scene(new Label("Twinshift"), 200, 100));
        stage.show();
        window = BlueGreenWindow.open(stage, model, () -> { });
    }

    @AfterEach
    void cleanUp() throws Exception {
        Platform.runLater(() -> window.hide());
        UpgradePlan plan = model.plan().orElse(null);
        if (plan != null) {
            BlueGreen bg = new BlueGreen(shell, ME, null);
            Catalog cat = UpgradeWorkspace.catalogOf(shell, plan);
            try {
                var op = bg.current(cat, plan.oldId());
                if (op.isPresent()) {
                    if ("green".equals(bg.state(cat, op.get()).serving())) {
                        bg.switchBack(cat, op.get(), null);
                    }
                    bg.abandon(cat, op.get());
                }
            } catch (Exception e) {
                System.err.println("[bluegreen-ui] clean-up: " + e.getMessage());
            }
        }
        bouncer.close();
        if (plan != null) {
            CutoverIT.cleanUp(plan);
        }
        sc.close();
    }

    @Test
    void preparesSwitchesOverRollsBackAndAbandonsThroughTheWindow(FxRobot robot) throws Exception {
        waitFor(60, () -> !robot.lookup("#bluegreen-plan").queryAs(Label.class).getText().isEmpty());
        robot.interact(() -> {
            robot.lookup("#pooler-port").queryTextInputControl().setText(Integer.toString(bouncer.port()));
            robot.lookup("#pooler-socket").queryTextInputControl().setText(bouncer.socketDirectory());
            robot.lookup("#pooler-ini").queryTextInputControl().setText(bouncer.pooler().iniFile());
        });
        press(robot, "#bluegreen-preflight");
        TableView<?> findings = robot.lookup("#bluegreen-findings").queryAs(TableView.class);
        waitFor(60, () -> !findings.getItems().isEmpty());
        assertTrue(findings.getItems().stream().anyMatch(f -> f.toString().contains("PgBouncer pauses app, postgres")
                || f.toString().contains("PgBouncer pauses postgres, app")), findings.getItems().toString());

        press(robot, "#bluegreen-prepare");
        // The window reads the lag every two seconds; the switchover opens once every guardrail is green.
        waitFor(300, () -> !robot.lookup("#bluegreen-switchover").queryButton().isDisabled()
                || !robot.lookup("#bluegreen-message").queryAs(Label.class).getText().isEmpty());
        assertEquals("", robot.lookup("#bluegreen-message").queryAs(Label.class).getText());
        UpgradePlan plan = model.plan().orElseThrow();
        int greenPort = new ClusterDiscovery(shell).find(plan.newId()).port();

        press(robot, "#bluegreen-switchover");
        confirm(robot, "Switch over");
        waitFor(60, () -> label(robot, "#bluegreen-serving").startsWith(plan.newId() + " (green) serves"));
        assertEquals(Integer.toString(greenPort), bouncer.backendPorts().get("postgres"), "PgBouncer points at green");
        assertTrue(label(robot, "#bluegreen-last-switch").contains("clients were paused"), label(robot, "#bluegreen-last-switch"));

        waitFor(60, () -> !robot.lookup("#bluegreen-rollback").queryButton().isDisabled());
        press(robot, "#bluegreen-rollback");
        confirm(robot, "Roll back");
        waitFor(60, () -> label(robot, "#bluegreen-serving").startsWith(plan.oldId() + " (blue) serves"));
        assertEquals(Integer.toString(plan.oldPort()), bouncer.backendPorts().get("postgres"), "PgBouncer points at blue");

        press(robot, "#bluegreen-abandon");
        confirm(robot, "Abandon green");
        waitFor(120, () -> robot.lookup("#bluegreen-done").query().isVisible());
        assertTrue(label(robot, "#bluegreen-outcome").contains("serves as before"), label(robot, "#bluegreen-outcome"));
        assertTrue(new ClusterDiscovery(shell).listed(plan.newId()).isEmpty(), "green is dropped");
    }

    private static String label(FxRobot robot, String id) {
        return new ConsoleRobot(robot).label(id);
    }

    /** Clicks the action of the confirmation now shown (its default button is Cancel). */
    private static void confirm(FxRobot robot, String action) throws Exception {
        new ConsoleRobot(robot).clickWhenShown(action);
    }

    private static void waitFor(int seconds, BooleanSupplier cond) throws Exception {
        ConsoleRobot.waitFor(seconds, cond);
    }

    private static void press(FxRobot robot, String id) {
        new ConsoleRobot(robot).press(id);
    }
}
