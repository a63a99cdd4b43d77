package dev.twinshift.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.ConsoleRobot;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabConsole;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ui.connections.FxPrompts;
import dev.twinshift.ui.dashboard.ClusterRow;
import dev.twinshift.ui.wizard.StepRow;
import dev.twinshift.ui.wizard.StepState;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.upgrade.CutoverIT;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradeState;
import dev.twinshift.upgrade.Upgrades;
import dev.twinshift.upgrade.Validation;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The upgrade wizard against the real lab: a scratch PostgreSQL 13 cluster is planned, preflighted,
 * rehearsed on a twin, cut over to 15 and rolled back, all through the windows a DBA would use.
 */
@ExtendWith(ApplicationExtension.class)
class WizardLabIT {
    private RemoteShell shell;
    private final LabConsole console = new LabConsole();

    @Start
    void start(Stage stage) throws Exception {
        Lab lab = Lab.require();
        shell = LabShell.admin(lab);
        CutoverIT.shell = shell;
        console.start(stage, "twinshift-wizard-lab");
    }

    @AfterEach
    void stop() throws Exception {
        console.stop();
    }

    @Test
    void upgradesAScratchClusterThroughEveryPageAndRollsItBack(FxRobot robot) throws Exception {
        try (ScratchCluster sc = CutoverIT.scratch("wiz")) {
            int port = sc.cluster().port();
            try {
                connectAndChoose(robot, sc.id());
                press(robot, "#upgrade-cluster");
                waitFor(10, () -> robot.lookup("#upgrade-wizard").tryQuery().isPresent());
                Stage window = (Stage) robot.lookup("#upgrade-wizard").query().getScene().getWindow();
                // The server is named too: a window left open is never taken for another server's.
                assertTrue(window.getTitle().startsWith("Upgrade " + sc.id() + " on "), window.getTitle());

                // 1. The plan: the newest installed version, reflinks on btrfs.
                Label planText = robot.lookup("#plan-text").queryAs(Label.class);
                waitFor(60, () -> !planText.getText().isEmpty() || !robot.lookup("#wizard-message").queryAs(Label.class)
                        .getText().isEmpty());
                assertTrue(planText.getText().contains("pg_upgrade --clone"), planText.getText()
                        + robot.lookup("#wizard-message").queryAs(Label.class).getText());
                assertEquals("15", robot.lookup("#target-version").queryComboBox().getValue());
                assertFalse(robot.lookup("#refusals").query().isVisible());

                // 2. Preflight on a clone: no blocker, Next opens.
                Label verdict = robot.lookup("#preflight-verdict").queryAs(Label.class);
                pressUntil(robot, "#wizard-next", "#run-preflight", 180, () -> !verdict.getText().isEmpty());
                assertTrue(verdict.getText().startsWith("No blocker"), verdict.getText());
                assertTrue(steps(robot, "#preflight-steps").stream().allMatch(s -> s.state() == StepState.DONE),
                        steps(robot, "#preflight-steps").toString());
                assertFalse(robot.lookup("#finding-list").queryAs(ListView.class).getItems().isEmpty(),
                        "pg_upgrade's checks are listed");

                // 3. Rehearsal with one SQL check of the administrator's.
                press(robot, "#wizard-next");
                robot.interact(() -> robot.lookup("#sql-checks").queryTextInputControl()
                        .setText("app: SELECT sum(total) FROM orders"));
                Label rhVerdict = robot.lookup("#rehearsal-verdict").queryAs(Label.class);
                pressUntil(robot, "#start-rehearsal", "#start-rehearsal", 600, () -> !rhVerdict.getText().isEmpty());
                assertTrue(rhVerdict.getText().contains("Ready for the cutover"), rhVerdict.getText());
                List<StepRow> rhSteps = steps(robot, "#rehearsal-steps");
                assertEquals(Rehearsal.STEPS.size(), rhSteps.size());
                assertTrue(rhSteps.stream().allMatch(s -> s.state() == StepState.DONE && !s.duration().isEmpty()), rhSteps.toString());
                @SuppressWarnings("unchecked")
                ListView<String> log = robot.lookup("#rehearsal-log").queryAs(ListView.class);
                assertTrue(log.getItems().stream().anyMatch(l -> l.contains("Upgrade Complete")), "pg_upgrade's output is shown live");

                // 4. The report.
                press(robot, "#wizard-next");
                assertTrue(robot.lookup("#page-report").query().isVisible());
                String summary = robot.lookup("#tables-summary").queryAs(Label.class).getText();
                assertTrue(summary.startsWith("Tables equal"), summary);
                String report = robot.lookup("#report-text").queryAs(TextArea.class).getText();
                assertTrue(report.startsWith("# Rehearsal of " + sc.id() + " -> 15"), report);
                assertTrue(report.contains("the upgrade works on the twin"), report);
                @SuppressWarnings("unchecked")
                TableView<Validation.SideBySide> diff = robot.lookup("#regression-diff").queryAs(TableView.class);
                assertEquals(5, diff.getItems().size(), "the check and pgbench's four queries: " + diff.getItems());
                assertTrue(diff.getItems().stream().allMatch(Validation.SideBySide::sameResult));

                // 5. Cutover, confirmed by typing the cluster's id.
                press(robot, "#wizard-next");
                Button cut = robot.lookup("#cut-over").queryButton();
                assertTrue(cut.isDisabled());
                assertTrue(robot.lookup("#downtime-text").queryAs(Label.class).getText().contains("Expected downtime: about"));
                robot.interact(() -> {
                    @SuppressWarnings("unchecked")
                    Spinner<Integer> grace = robot.lookup("#grace-period").queryAs(Spinner.class);
                    grace.getValueFactory().setValue(1);
                    robot.lookup("#cutover-confirmation").queryTextInputControl().setText(sc.id());
                });
                assertFalse(cut.isDisabled());
                Node result = robot.lookup("#page-result").query();
                pressUntil(robot, "#cut-over", "#cut-over", 600, result::isVisible);

                // 6. The result: 15 serves on the old port, downtime measured, the snapshot pinned.
                String outcome = robot.lookup("#outcome-text").queryAs(Label.class).getText();
                assertTrue(outcome.startsWith("Upgraded: "), outcome + robot.lookup("#wizard-message").queryAs(Label.class).getText());
                assertTrue(steps(robot, "#cutover-steps").stream().allMatch(s -> s.state() == StepState.DONE),
                        steps(robot, "#cutover-steps").toString());
                assertTrue(robot.lookup("#downtime-measured").queryAs(Label.class).getText().startsWith("Measured downtime: "));
                assertTrue(robot.lookup("#pinned-snapshot").queryAs(Label.class).getText().contains("pinned"));
                UpgradePlan plan = upgrades(sc).stream().filter(st -> st.operation().contains("-upgrade-")).findFirst()
                        .orElseThrow().plan();
                PgCluster upgraded = new ClusterDiscovery(shell).find(plan.newId());
                assertEquals(port, upgraded.port());
                assertEquals("15", Psql.forCluster(shell, upgraded).value("postgres",
                        "SELECT current_setting('server_version_num')::int / 10000"));
                // The console's cluster list follows without being asked: 15 serves on the old port, and the
                // cluster shown beside it is still the one the wizard was opened for.
                @SuppressWarnings("unchecked")
                TableView<ClusterRow> table = robot.lookup("#cluster-table").queryAs(TableView.class);
                waitFor(60, () -> ConsoleRobot.onFx(() -> table.getItems().stream().anyMatch(r -> r.id().equals(plan.newId())
                        && r.port() == port && r.status().equals("online"))));
                waitFor(10, () -> table.getSelectionModel().getSelectedItem() != null
                        && table.getSelectionModel().getSelectedItem().id().equals(sc.id()));
                ClusterRow old = table.getItems().stream().filter(r -> r.id().equals(sc.id())).findFirst().orElseThrow();
                assertTrue(old.port() != port && !old.status().equals("online"), old.toString());

                // Roll back, after a confirmation that names what is lost.
                Label outcomeLabel = robot.lookup("#outcome-text").queryAs(Label.class);
                for (int attempt = 0; ; attempt++) {
                    press(robot, "#roll-back");
                    waitFor(10, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
                    String warning = robot.lookup(".dialog-pane").queryAs(javafx.scene.control.DialogPane.class).getContentText();
                    assertTrue(warning.contains("Everything written to " + plan.newId() + " since it took over"), warning);
                    robot.clickOn("Roll back");
                    waitFor(300, () -> outcomeLabel.getText().startsWith("Rolled back") || !message(robot).isEmpty());
                    if (outcomeLabel.getText().startsWith("Rolled back") || !lockedByOther(robot) || attempt > 60) {
                        break;
                    }
                    Thread.sleep(5000);
                }
                assertTrue(outcomeLabel.getText().startsWith("Rolled back"), outcomeLabel.getText());
                assertEquals("13", sc.psql().value("postgres", "SELECT current_setting('server_version_num')::int / 10000"));
                assertEquals(port, sc.cluster().port());
                waitFor(60, () -> ConsoleRobot.onFx(() -> table.getItems().stream().noneMatch(r -> r.id().equals(plan.newId()))
                        && table.getItems().stream().anyMatch(r -> r.id().equals(sc.id()) && r.port() == port
                                && r.status().equals("online"))));
                robot.interact(window::close);
            } catch (Throwable t) {
                try {
                    cleanUp(sc);
                } catch (Exception e) {
                    t.addSuppressed(e);
                }
                throw t;
            }
            cleanUp(sc);
        }
    }

    private void connectAndChoose(FxRobot robot, String clusterId) throws Exception {
        ConsoleRobot r = new ConsoleRobot(robot);
        r.choose(r.connectToLab(), clusterId);
        waitFor(30, () -> !robot.lookup("#upgrade-cluster").queryButton().isDisabled());
    }

    /** Every preflight, rehearsal and upgrade journaled for the scratch cluster. */
    private List<UpgradeState> upgrades(ScratchCluster sc) throws Exception {
        return new Upgrades(shell).journaled(new Catalog(shell, ScratchCluster.BTRFS)).stream()
                .filter(s -> s.plan() != null && s.plan().oldId().equals(sc.id())).toList();
    }

    /** What the wizard made for the scratch cluster; other tests on the lab may hold its lock a while. */
    private void cleanUp(ScratchCluster sc) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                cleanUpOnce(sc);
                return;
            } catch (dev.twinshift.storage.LockedException e) {
                if (attempt > 120) {
                    throw e;
                }
                Thread.sleep(5000);
            }
        }
    }

    private void cleanUpOnce(ScratchCluster sc) throws Exception {
        CutoverIT.cleanUpAllOf(sc, new Actor("tsadmin", "it", "wizard-it"));
    }

    @SuppressWarnings("unchecked")
    private static List<StepRow> steps(FxRobot robot, String id) {
        return List.copyOf(robot.lookup(id).queryAs(TableView.class).getItems());
    }

    private static void waitFor(int seconds, BooleanSupplier cond) throws Exception {
        ConsoleRobot.waitFor(seconds, cond);
    }

    private static String message(FxRobot robot) {
        return robot.lookup("#wizard-message").queryAs(Label.class).getText();
    }

    /** Other tests run on the same lab: their operations hold the catalog lock for a while. */
    private static boolean lockedByOther(FxRobot robot) {
        return message(robot).contains(" is locked by ");
    }

    /**
     * Presses {@code first} and waits until {@code done}; when the server is locked by another
     * operation (the wizard says so and changes nothing), presses {@code retry} once it may be free.
     */
    private static void pressUntil(FxRobot robot, String first, String retry, int seconds, BooleanSupplier done) throws Exception {
        press(robot, first);
        for (int attempt = 0; ; attempt++) {
            waitFor(seconds, () -> done.getAsBoolean() || !message(robot).isEmpty());
            if (done.getAsBoolean()) {
                return;
            }
            assertTrue(lockedByOther(robot) && attempt < 60, message(robot));
            Thread.sleep(5000);
            waitFor(30, () -> !robot.lookup(retry).queryButton().isDisabled());
            press(robot, retry);
        }
    }

    private static void press(FxRobot robot, String id) {
        new ConsoleRobot(robot).press(id);
    }
}
