package dev.twinshift.tour;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.PgBouncerFixture;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.ssh.RemoteCommand;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The blue/green window in a real window (under Xvfb, src/test/tour/bluegreen-screenshots.sh) on a
 * scratch 13 cluster of the lab behind a real PgBouncer, pgbench writing through it: the preflight,
 * green following with its lag, green serving (light and dark). Everything it made is removed.
 */
public final class BlueGreenTour {
    private final Path out;
    private final FxRobot robot = new FxRobot();

    private BlueGreenTour(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "assets");
        Files.createDirectories(out);
        int status = 0;
        try {
            new BlueGreenTour(out).run();
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        } finally {
            FxToolkit.cleanupStages();
            System.exit(status);
        }
    }

    private void run() throws Exception {
        RemoteShell shell = LabShell.admin(Lab.require());
        CutoverIT.shell = shell;
        Actor me = Actor.local("tsadmin");
        Stage primary = FxToolkit.registerPrimaryStage();
        Platform.runLater(() -> Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight()
                .getUserAgentStylesheet()));
        try (ScratchCluster sc = CutoverIT.scratch("tour");
             PgBouncerFixture bouncer = PgBouncerFixture.start(shell, sc.cluster().port(), List.of("postgres", "app"))) {
            CompletableFuture<?> load = CompletableFuture.runAsync(() -> {
                try {
                    shell.run(RemoteCommand.of("/usr/lib/postgresql/15/bin/pgbench", "-n", "-c", "4", "-j", "2", "-T", "150",
                            "-h", bouncer.socketDirectory(), "-p", Integer.toString(bouncer.port()), "postgres")
                            .asUser("postgres"), Duration.ofSeconds(300));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            BlueGreenViewModel model = new BlueGreenViewModel(new FxTaskExecutor(new LogBuffer(1000)),
                    new RemoteBlueGreenService(shell, me, sc.cluster()), new LogBuffer(1000));
            Stage[] window = new Stage[1];
            robot.interact(() -> {
                window[0] = BlueGreenWindow.open(primary, model, () -> { });
                window[0].setX(0);
                window[0].setY(0);
            });
            try {
                waitFor(60, () -> !robot.lookup("#bluegreen-plan").queryAs(Label.class).getText().isEmpty());
                robot.interact(() -> {
                    robot.lookup("#pooler-port").queryTextInputControl().setText(Integer.toString(bouncer.port()));
                    robot.lookup("#pooler-socket").queryTextInputControl().setText(bouncer.socketDirectory());
                    robot.lookup("#pooler-ini").queryTextInputControl().setText(bouncer.pooler().iniFile());
                });
                fire("#bluegreen-preflight");
                waitFor(60, () -> !robot.lookup("#bluegreen-prepare").queryButton().isDisabled());
                shoot("bluegreen-preflight.png", window[0]);

                fire("#bluegreen-prepare");
                waitFor(300, () -> !robot.lookup("#bluegreen-switchover").queryButton().isDisabled());
                Thread.sleep(12_000); // a few more lag readings on the chart
                shoot("bluegreen-follow.png", window[0]);

                fire("#bluegreen-switchover");
                confirm("Switch over");
                UpgradePlan plan = model.plan().orElseThrow();
                waitFor(60, () -> robot.lookup("#bluegreen-serving").queryAs(Label.class).getText().startsWith(plan.newId()));
                Thread.sleep(8_000);
                shoot("bluegreen-green.png", window[0]);
                robot.interact(() -> Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerDark()
                        .getUserAgentStylesheet()));
                Thread.sleep(1_000);
                shoot("bluegreen-green-dark.png", window[0]);
                robot.interact(() -> Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight()
                        .getUserAgentStylesheet()));
            } finally {
                UpgradePlan plan = model.plan().orElse(null);
                if (plan != null) {
                    BlueGreen bg = new BlueGreen(shell, me, null);
                    Catalog cat = UpgradeWorkspace.catalogOf(shell, plan);
                    var op = bg.current(cat, plan.oldId());
                    if (op.isPresent()) {
                        if ("green".equals(bg.state(cat, op.get()).serving())) {
                            bg.switchBack(cat, op.get(), null);
                        }
                        bg.abandon(cat, op.get());
                    }
                    load.join();
                    CutoverIT.cleanUp(plan);
                }
            }
        }
    }

    private void fire(String id) throws Exception {
        Button b = robot.lookup(id).queryButton();
        waitFor(30, () -> b.isVisible() && !b.isDisabled());
        Platform.runLater(b::fire);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void confirm(String action) throws Exception {
        waitFor(10, () -> robot.lookup(".dialog-pane").tryQuery().isPresent());
        Button go = robot.lookup(".dialog-pane .button").match(n -> n instanceof Button b && b.getText().equals(action))
                .queryButton();
        Platform.runLater(go::fire);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static void waitFor(int seconds, BooleanSupplier cond) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, cond::getAsBoolean);
    }

    private void shoot(String name, Stage window) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Thread.sleep(300); // the last layout pass before the capture
        Path file = out.resolve(name);
        String geometry = (int) window.getWidth() + "x" + (int) window.getHeight() + "+0+0";
        Process p = new ProcessBuilder("import", "-window", "root", "-crop", geometry, file.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("import failed for " + file);
        }
        System.out.println("captured " + file);
    }
}
