package dev.twinshift.tour;

import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.inventory.Inventory;
import dev.twinshift.inventory.LabDescriptor;
import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.ssh.AuditLog;
import dev.twinshift.ssh.SshConnector;
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
        try {
            new ScreenshotTour(out).run();
        } finally {
            FxToolkit.cleanupStages();
            System.exit(0);
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
        Thread.sleep(500);
        shoot("console-lab.png");

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
        robot.interact(() -> robot.lookup("#snapshot-now").queryButton().fire());
        waitFor(60, () -> snaps.getItems().stream().anyMatch(x -> "before-upgrade".equals(x.label())));
        var snap = snaps.getItems().stream().filter(x -> "before-upgrade".equals(x.label())).findFirst().orElseThrow();
        robot.interact(() -> snaps.getSelectionModel().select(snap));
        javafx.application.Platform.runLater(() -> robot.lookup("#clone-snapshot").queryButton().fire());
        waitFor(10, () -> robot.lookup("#clone-name").tryQuery().isPresent());
        robot.clickOn("Clone");
        @SuppressWarnings("unchecked")
        javafx.scene.control.TableView<dev.twinshift.ui.clones.ClusterViewModel.CloneItem> clones =
                robot.lookup("#clone-table").queryAs(javafx.scene.control.TableView.class);
        waitFor(120, () -> clones.getItems().stream().anyMatch(c -> c.running()));
        robot.interact(() -> {
            javafx.scene.control.ScrollPane sp = (javafx.scene.control.ScrollPane) robot.lookup(".dashboard-scroll").query();
            sp.setVvalue(1.0);
        });
        Thread.sleep(500);
        shoot("cluster-view.png");
        var clone = clones.getItems().stream().filter(c -> c.running()).findFirst().orElseThrow();
        robot.interact(() -> clones.getSelectionModel().select(clone));
        javafx.application.Platform.runLater(() -> robot.lookup("#destroy-clone").queryButton().fire());
        waitFor(10, () -> robot.lookup("Destroy").tryQuery().isPresent());
        robot.clickOn("Destroy");
        waitFor(120, () -> clones.getItems().isEmpty());
        robot.interact(() -> snaps.getSelectionModel().select(
                snaps.getItems().stream().filter(x -> "before-upgrade".equals(x.label())).findFirst().orElseThrow()));
        javafx.application.Platform.runLater(() -> robot.lookup("#delete-snapshot").queryButton().fire());
        waitFor(10, () -> robot.lookup("Delete").tryQuery().isPresent());
        robot.clickOn("Delete");
        waitFor(60, () -> snaps.getItems().stream().noneMatch(x -> "before-upgrade".equals(x.label())));
        FxToolkit.cleanupApplication(current);
    }

    private TwinshiftApp current;

    private void start(Path dir, Path labDescriptor) throws Exception {
        Files.createDirectories(dir);
        TwinshiftApp.useSettings(new TwinshiftApp.Settings(dir.resolve("servers.json"), labDescriptor, dir.resolve("ssh_config"),
                new SshConnector(dir.resolve("known_hosts"), new AuditLog(dir.resolve("audit.jsonl")))));
        current = (TwinshiftApp) FxToolkit.setupApplication(TwinshiftApp::new);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static void waitFor(int seconds, BooleanSupplier cond) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, cond::getAsBoolean);
    }

    private void shoot(String name) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Path file = out.resolve(name);
        Process p = new ProcessBuilder("import", "-window", "root", "-crop", "1200x760+0+0", file.toString())
                .inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("import failed for " + file);
        }
        System.out.println("captured " + file);
    }
}
