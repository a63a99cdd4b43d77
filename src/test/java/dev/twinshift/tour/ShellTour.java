package dev.twinshift.tour;

import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.inventory.Inventory;
import dev.twinshift.inventory.LabDescriptor;
import dev.twinshift.inventory.Preferences;
import dev.twinshift.inventory.PreferencesStore;
import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.lab.ConsoleSettings;
import dev.twinshift.ui.connections.FxPrompts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.scene.control.Label;
import javafx.scene.control.TreeView;
import javafx.stage.Stage;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The main window with the lab connected, for the README: only reads (connects, lists servers and
 * clusters), never changes anything on the lab. Run under Xvfb by src/test/tour/shell-screenshots.sh.
 *
 * <p>Arguments: output file, theme (light or dark).
 */
public final class ShellTour {
    private final FxRobot robot = new FxRobot();

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "assets/main-light.png");
        String theme = args.length > 1 ? args[1] : Preferences.LIGHT;
        int status = 0;
        try {
            new ShellTour().run(out, theme);
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
            try {
                new ProcessBuilder("import", "-window", "root", out.resolveSibling("tour-failed.png").toString()).inheritIO().start().waitFor();
            } catch (Exception e) {
                e.printStackTrace();
            }
        } finally {
            FxToolkit.cleanupStages();
            System.exit(status);
        }
    }

    private void run(Path out, String theme) throws Exception {
        Path dir = Files.createTempDirectory("twinshift-shell-tour");
        new PreferencesStore(dir.resolve(PreferencesStore.FILE_NAME)).save(Preferences.defaults().withTheme(theme));
        Inventory inv = new Inventory(dir.resolve("servers.json")).load();
        inv.addAll(List.of(
                new ServerEntry("bastion", "bastion.example.com", 22, "ops", null, null, ServerEntry.Source.SSH_CONFIG),
                new ServerEntry("payments-db", "10.20.0.15", 22, "dba", "~/.ssh/id_ed25519", "bastion", ServerEntry.Source.SSH_CONFIG),
                // Nothing listens on port 1 here: what a server that is down looks like.
                new ServerEntry("staging-db", "127.0.0.1", 1, "dba", null, null, ServerEntry.Source.MANUAL)));
        Stage stage = FxToolkit.registerPrimaryStage();
        TwinshiftApp.useSettings(ConsoleSettings.inFolder(dir, LabDescriptor.location()));
        FxToolkit.setupApplication(TwinshiftApp::new);
        WaitForAsyncUtils.waitForFxEvents();

        waitFor(10, () -> !robot.lookup("#server-title").queryAs(Label.class).getText().isEmpty());
        select("staging-db");
        waitFor(10, () -> "staging-db".equals(robot.lookup("#server-title").queryAs(Label.class).getText()));
        robot.interact(() -> robot.lookup("#connect-button").queryButton().fire());
        waitFor(30, () -> !robot.lookup("#error-text").queryAs(Label.class).getText().isEmpty());

        select("Twinshift lab");
        waitFor(10, () -> robot.lookup("#server-title").queryAs(Label.class).getText().contains("lab"));
        robot.interact(() -> robot.lookup("#connect-button").queryButton().fire());
        waitFor(30, () -> robot.lookup("#host-key-fingerprint").tryQuery().isPresent());
        Thread.sleep(300);
        robot.clickOn(FxPrompts.TRUST_BUTTON);
        waitFor(60, () -> robot.lookup("#connection-status").queryAs(Label.class).getText().startsWith("Connected"));
        robot.interact(() -> robot.lookup("#server-tree").query().requestFocus());
        Thread.sleep(800);
        WaitForAsyncUtils.waitForFxEvents();
        shoot(out, stage);
    }

    @SuppressWarnings("unchecked")
    private void select(String server) {
        TreeView<dev.twinshift.ui.connections.ServerTreeItem> tree = robot.lookup("#server-tree").queryAs(TreeView.class);
        robot.interact(() -> tree.getRoot().getChildren().stream()
                .filter(i -> i.getValue() instanceof dev.twinshift.ui.connections.ServerTreeItem.Server s && s.entry().name().equals(server))
                .findFirst().ifPresent(tree.getSelectionModel()::select));
    }

    private static void waitFor(int seconds, BooleanSupplier cond) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, cond::getAsBoolean);
    }

    private static void shoot(Path file, Stage window) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        String geometry = (int) window.getWidth() + "x" + (int) window.getHeight() + "+" + (int) window.getX() + "+" + (int) window.getY();
        Process p = new ProcessBuilder("import", "-window", "root", "-crop", geometry, file.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("import failed for " + file);
        }
        System.out.println("captured " + file + " (" + geometry + ")");
    }
}
