package dev.twinshift.tour;

import dev.twinshift.lab.ConsoleSettings;
import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.inventory.Inventory;
import dev.twinshift.inventory.LabDescriptor;
import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.ui.connections.FxPrompts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Drives the real console in a real window (run under Xvfb by src/test/tour/screenshots.sh) and
 * captures the screen at each step of a newcomer's first minute, for the README.
 */
public final class ScreenshotTour {
    private final Path out;
    private final FxRobot robot = new FxRobot();

    private ScreenshotTour(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "assets");
        Files.createDirectories(out);
        int status = 0;
        ScreenshotTour tour = new ScreenshotTour(out);
        try {
            tour.run();
        } catch (Throwable t) {
            // System.exit below would swallow it: a tour that stopped half-way must say so, and show where.
            t.printStackTrace();
            status = 1;
            try {
                tour.shoot("tour-failed.png", "1280x800+0+0");
            } catch (Exception e) {
                e.printStackTrace();
            }
        } finally {
            FxToolkit.cleanupStages();
            System.exit(status);
        }
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("twinshift-tour");
        Stage stage = FxToolkit.registerPrimaryStage();
        robot.interact(() -> {
            stage.setX(0);
            stage.setY(0);
        });

        // 1. A newcomer without servers and without a lab.
        start(dir.resolve("empty"), Path.of("/nonexistent/console.json"));
        waitFor(5, () -> robot.lookup("No servers yet").tryQuery().isPresent());
        shoot("console-empty.png");
        FxToolkit.cleanupApplication(current);

        // 2. With the lab up and a few saved servers, connect to the lab.
        Path withLab = dir.resolve("lab");
        Inventory inv = new Inventory(withLab.resolve("servers.json")).load();
        inv.addAll(List.of(
                new ServerEntry("bastion", "bastion.example.com", 22, "ops", null, null, ServerEntry.Source.SSH_CONFIG),
                new ServerEntry("payments-db", "10.20.0.15", 22, "dba", "~/.ssh/id_ed25519", "bastion", ServerEntry.Source.SSH_CONFIG)));
        start(withLab, LabDescriptor.location());
        waitFor(10, () -> !robot.lookup("#server-title").queryAs(Label.class).getText().isEmpty());
        robot.clickOn("#connect-button");
        waitFor(30, () -> robot.lookup("#host-key-fingerprint").tryQuery().isPresent());
        Thread.sleep(300); // let the dialog finish its layout before capturing
        shoot("host-key-dialog.png");
        robot.clickOn(FxPrompts.TRUST_BUTTON);
        waitFor(60, () -> robot.lookup("#connection-status").queryAs(Label.class).getText().startsWith("Connected"));
        // The connected main window is ShellTour's picture (main-light.png), taken with more servers listed.

        // 3. The cluster view with a snapshot and a running clone of 13/main; removed afterwards.
        @SuppressWarnings("unchecked")
        javafx.scene.control.TableView<dev.twinshift.ui.dashboard.ClusterRow> clusters =
                robot.lookup("#cluster-table").queryAs(javafx.scene.control.TableView.class);
        robot.interact(() -> clusters.getSelectionModel().select(
                clusters.getItems().stream().filter(r -> r.id().equals("13/main")).findFirst().orElseThrow()));
        @SuppressWarnings("unchecked")
        javafx.scene.control.TableView<dev.twinshift.storage.SnapshotRecord> snaps =
                robot.lookup("#snapshot-table").queryAs(javafx.scene.control.TableView.class);
        waitFor(30, () -> !robot.lookup("#snapshot-now").queryButton().isDisabled());
        robot.interact(() -> robot.lookup("#snapshot-label").queryTextInputControl().setText("before-upgrade"));
        awaitLabUnlocked();
        robot.interact(() -> robot.lookup("#snapshot-now").queryButton().fire());
        waitFor(60, () -> snaps.getItems().stream().anyMatch(x -> "before-upgrade".equals(x.label())));
        var snap = snaps.getItems().stream().filter(x -> "before-upgrade".equals(x.label())).findFirst().orElseThrow();
        robot.interact(() -> snaps.getSelectionModel().select(snap));
        javafx.application.Platform.runLater(() -> robot.lookup("#clone-snapshot").queryButton().fire());
        waitFor(10, () -> robot.lookup("#clone-name").tryQuery().isPresent());
        clickWhenShown("Clone");
        @SuppressWarnings("unchecked")
        javafx.scene.control.TreeTableView<dev.twinshift.ui.clones.CloneFamily.Row> clones =
                robot.lookup("#clone-tree").queryAs(javafx.scene.control.TreeTableView.class);
        waitFor(120, () -> clones.getRoot() != null && clones.getRoot().getValue().flatten().stream()
                .anyMatch(r -> r.isClone() && r.item() != null && r.item().running()));
        robot.interact(() -> {
            javafx.scene.control.ScrollPane sp = (javafx.scene.control.ScrollPane) robot.lookup(".dashboard-scroll").query();
            sp.setVvalue(1.0);
        });
        Thread.sleep(500);
        shoot("cluster-view.png");
        // The same cluster on its timeline tab, inside the console; back to the table for the clean-up.
        javafx.scene.control.TabPane tabs = robot.lookup("#cluster-tabs").queryAs(javafx.scene.control.TabPane.class);
        robot.interact(() -> tabs.getSelectionModel().select(1));
        waitFor(10, () -> robot.lookup("#timeline-chart").queryAs(dev.twinshift.ui.timeline.TimelineChart.class)
                .frameProperty().get() != null);
        robot.interact(() -> {
            javafx.scene.control.ScrollPane sp = (javafx.scene.control.ScrollPane) robot.lookup(".dashboard-scroll").query();
            sp.setVvalue(1.0);
        });
        Thread.sleep(500);
        shoot("timeline-console.png");
        robot.interact(() -> tabs.getSelectionModel().select(0));
        var clone = clones.getRoot().getValue().flatten().stream().filter(r -> r.isClone() && r.item() != null && r.item().running())
                .findFirst().orElseThrow();
        new dev.twinshift.lab.ConsoleRobot(robot).selectCloneInTree(clone.name());
        javafx.application.Platform.runLater(() -> robot.lookup("#destroy-clone").queryButton().fire());
        waitFor(10, () -> robot.lookup("Destroy").tryQuery().isPresent());
        clickWhenShown("Destroy");
        waitFor(120, () -> clones.getRoot().getValue().flatten().stream().noneMatch(r -> r.isClone()));
        robot.interact(() -> snaps.getSelectionModel().select(
                snaps.getItems().stream().filter(x -> "before-upgrade".equals(x.label())).findFirst().orElseThrow()));
        javafx.application.Platform.runLater(() -> robot.lookup("#delete-snapshot").queryButton().fire());
        waitFor(10, () -> robot.lookup("Delete").tryQuery().isPresent());
        clickWhenShown("Delete");
        waitFor(60, () -> snaps.getItems().stream().noneMatch(x -> "before-upgrade".equals(x.label())));

        // 4. The upgrade wizard on a scratch 13 cluster (never on 13/main): a blocker found by the
        // preflight, fixed, then the rehearsal, its report, the cutover and its result; rolled back after.
        dev.twinshift.upgrade.CutoverIT.shell = dev.twinshift.lab.LabShell.admin(dev.twinshift.lab.Lab.require());
        try (dev.twinshift.lab.ScratchCluster sc = dev.twinshift.upgrade.CutoverIT.scratch("shop")) {
            try {
                wizardTour(sc, clusters);
            } catch (Throwable t) {
                try {
                    cleanUpUpgrades(sc);
                } catch (Exception e) {
                    t.addSuppressed(e);
                }
                throw t;
            }
            cleanUpUpgrades(sc);
        }
        FxToolkit.cleanupApplication(current);
    }

    private void wizardTour(dev.twinshift.lab.ScratchCluster sc,
                            javafx.scene.control.TableView<dev.twinshift.ui.dashboard.ClusterRow> clusters) throws Exception {
        // A column of a type pg_upgrade refuses: what a preflight is for.
        sc.sql("app", "CREATE TABLE callbacks(id int, handler regproc)");
        robot.interact(() -> robot.lookup("#disconnect-button").queryButton().fire());
        waitFor(30, () -> robot.lookup("#connect-button").queryButton().isVisible());
        robot.interact(() -> robot.lookup("#connect-button").queryButton().fire());
        waitFor(60, () -> clusters.getItems().stream().anyMatch(r -> r.id().equals(sc.id())));
        robot.interact(() -> clusters.getSelectionModel().select(
                clusters.getItems().stream().filter(r -> r.id().equals(sc.id())).findFirst().orElseThrow()));
        waitFor(30, () -> !robot.lookup("#upgrade-cluster").queryButton().isDisabled());
        javafx.application.Platform.runLater(() -> robot.lookup("#upgrade-cluster").queryButton().fire());
        waitFor(10, () -> robot.lookup("#upgrade-wizard").tryQuery().isPresent());
        Stage wizard = (Stage) robot.lookup("#upgrade-wizard").query().getScene().getWindow();
        robot.interact(() -> {
            wizard.setX(0);
            wizard.setY(0);
        });
        Label plan = robot.lookup("#plan-text").queryAs(Label.class);
        waitFor(60, () -> !plan.getText().isEmpty());
        Thread.sleep(300);
        shoot("wizard-plan.png", wizard);

        Label verdict = robot.lookup("#preflight-verdict").queryAs(Label.class);
        fireUntil("#wizard-next", "#run-preflight", 180, () -> !verdict.getText().isEmpty());
        Thread.sleep(300);
        shoot("wizard-preflight-blocked.png", wizard);

        sc.sql("app", "DROP TABLE callbacks");
        fireUntil("#run-preflight", "#run-preflight", 180, () -> verdict.getText().startsWith("No blocker"));
        robot.interact(() -> robot.lookup("#wizard-next").queryButton().fire());
        robot.interact(() -> robot.lookup("#sql-checks").queryTextInputControl().setText(
                "app: SELECT count(*), sum(total) FROM orders\npostgres: SELECT count(*) FROM notes WHERE tags @> ARRAY['a']"));
        Label rehearsal = robot.lookup("#rehearsal-verdict").queryAs(Label.class);
        // Mid-way, with the step list and the live log moving.
        fireUntil("#start-rehearsal", "#start-rehearsal", 300, () -> robot.lookup("#rehearsal-log")
                .queryAs(javafx.scene.control.ListView.class).getItems().stream()
                .anyMatch(l -> String.valueOf(l).contains("Upgrade Complete")) || !rehearsal.getText().isEmpty());
        shoot("wizard-rehearsal.png", wizard);
        waitFor(600, () -> !rehearsal.getText().isEmpty());
        Thread.sleep(300);
        shoot("wizard-rehearsal-done.png", wizard);

        robot.interact(() -> robot.lookup("#wizard-next").queryButton().fire());
        Thread.sleep(300);
        shoot("wizard-report.png", wizard);
        // The same page in the dark theme, as View -> Dark theme switches every window.
        robot.interact(() -> javafx.application.Application.setUserAgentStylesheet(
                new atlantafx.base.theme.PrimerDark().getUserAgentStylesheet()));
        Thread.sleep(500);
        shoot("wizard-report-dark.png", wizard);
        robot.interact(() -> javafx.application.Application.setUserAgentStylesheet(
                new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet()));

        robot.interact(() -> robot.lookup("#wizard-next").queryButton().fire());
        robot.interact(() -> robot.lookup("#cutover-confirmation").queryTextInputControl().setText(sc.id()));
        Thread.sleep(300);
        shoot("wizard-cutover.png", wizard);
        fireUntil("#cut-over", "#cut-over", 600, () -> robot.lookup("#page-result").query().isVisible());
        Thread.sleep(300);
        shoot("wizard-result.png", wizard);

        Label outcome = robot.lookup("#outcome-text").queryAs(Label.class);
        for (int attempt = 0; !outcome.getText().startsWith("Rolled back"); attempt++) {
            waitFor(30, () -> !robot.lookup("#roll-back").queryButton().isDisabled());
            javafx.application.Platform.runLater(() -> robot.lookup("#roll-back").queryButton().fire());
            clickWhenShown("Roll back");
            waitFor(300, () -> outcome.getText().startsWith("Rolled back") || !message().isEmpty());
            if (!outcome.getText().startsWith("Rolled back") && (!message().contains(" is locked by ") || attempt > 60)) {
                throw new IllegalStateException(message());
            }
        }
        robot.interact(wizard::close);
    }

    /**
     * Others run tests on the same lab, and their operations hold the btrfs catalog's lock for a
     * minute or so: the tour's own steps wait for it rather than fail half-way.
     */
    private static void awaitLabUnlocked() throws Exception {
        var shell = dev.twinshift.lab.LabShell.admin(dev.twinshift.lab.Lab.require());
        var cat = new dev.twinshift.storage.Catalog(shell, dev.twinshift.lab.ScratchCluster.BTRFS);
        for (int i = 0; i < 300 && dev.twinshift.storage.CatalogLock.holder(cat).isPresent(); i++) {
            Thread.sleep(2000);
        }
    }

    /** Clicks a dialog's button once its window is on screen (the node exists a little before). */
    private void clickWhenShown(String text) throws Exception {
        waitFor(10, () -> robot.lookup(text).queryAll().stream().anyMatch(n -> n.isVisible() && n.getScene() != null
                && n.getScene().getWindow() != null && n.getScene().getWindow().isShowing()));
        Thread.sleep(300);
        awaitLabUnlocked();
        robot.clickOn(text);
    }

    /** Fires a button, and again while another operation on the lab holds the server's lock. */
    private void fireUntil(String first, String retry, int seconds, BooleanSupplier done) throws Exception {
        awaitLabUnlocked();
        robot.interact(() -> robot.lookup(first).queryButton().fire());
        for (int attempt = 0; ; attempt++) {
            waitFor(seconds, () -> done.getAsBoolean() || !message().isEmpty());
            if (done.getAsBoolean()) {
                return;
            }
            if (!message().contains(" is locked by ") || attempt > 60) {
                throw new IllegalStateException(message());
            }
            awaitLabUnlocked();
            waitFor(30, () -> !robot.lookup(retry).queryButton().isDisabled());
            robot.interact(() -> robot.lookup(retry).queryButton().fire());
        }
    }

    private String message() {
        return robot.lookup("#wizard-message").queryAs(Label.class).getText();
    }

    /** What the wizard left for the scratch cluster: clones, the new cluster, journals. */
    private static void cleanUpUpgrades(dev.twinshift.lab.ScratchCluster sc) throws Exception {
        for (int attempt = 0; ; attempt++) {
            awaitLabUnlocked();
            try {
                cleanUpUpgradesOnce(sc);
                return;
            } catch (dev.twinshift.storage.LockedException e) {
                if (attempt > 20) {
                    throw e;
                }
            }
        }
    }

    private static void cleanUpUpgradesOnce(dev.twinshift.lab.ScratchCluster sc) throws Exception {
        dev.twinshift.upgrade.CutoverIT.cleanUpAllOf(sc, new dev.twinshift.storage.Actor("tsadmin", "tour", "tour"));
    }

    private TwinshiftApp current;

    private void start(Path dir, Path labDescriptor) throws Exception {
        Files.createDirectories(dir);
        TwinshiftApp.useSettings(ConsoleSettings.inFolder(dir, labDescriptor));
        current = (TwinshiftApp) FxToolkit.setupApplication(TwinshiftApp::new);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static void waitFor(int seconds, BooleanSupplier cond) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, cond::getAsBoolean);
    }

    private void shoot(String name) throws Exception {
        shoot(name, "1280x800+0+0");
    }

    /** A window of its own, placed at the top left corner of the screen. */
    private void shoot(String name, Stage window) throws Exception {
        shoot(name, (int) window.getWidth() + "x" + (int) window.getHeight() + "+0+0");
    }

    private void shoot(String name, String geometry) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Path file = out.resolve(name);
        Process p = new ProcessBuilder("import", "-window", "root", "-crop", geometry, file.toString())
                .inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("import failed for " + file);
        }
        System.out.println("captured " + file);
    }
}
