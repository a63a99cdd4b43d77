package dev.twinshift.tour;

import dev.twinshift.ui.tasks.CurrentThreadTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.wizard.UpgradeWizardViewModel;
import dev.twinshift.ui.wizard.UpgradeWizardWindow;
import dev.twinshift.ui.wizard.WizardFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;

/**
 * The wizard's report and result pages in a real window (run under Xvfb), driven by a scripted engine:
 * the pages need no server to be seen, only the answers a server gives. Writes wizard-report.png and
 * wizard-result.png into the folder given (assets by default).
 */
public final class WizardTour {
    private WizardTour() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "assets");
        Files.createDirectories(out);
        int status = 0;
        try {
            run(out);
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    private static void run(Path out) throws Exception {
        Platform.startup(() -> { });
        UpgradeWizardViewModel model = fx(() -> {
            Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
            UpgradeWizardViewModel m = new UpgradeWizardViewModel(new CurrentThreadTaskExecutor(), WizardFixtures.tour(), new LogBuffer(200));
            Stage stage = UpgradeWizardWindow.open(null, m, () -> { });
            stage.setX(0);
            stage.setY(0);
            return m;
        });
        settle();
        fx(() -> {
            model.next();
            return null;
        });
        settle();
        fx(() -> {
            model.next();
            model.rehearse();
            return null;
        });
        settle();
        fx(() -> {
            model.next();
            return null;
        });
        settle();
        // The end of the report: the workload side by side, and a plan that changed beside the old one.
        fx(() -> {
            Stage stage = (Stage) javafx.stage.Window.getWindows().get(0);
            ((javafx.scene.control.ScrollPane) stage.getScene().lookup("#report-view")).setVvalue(1.0);
            return null;
        });
        settle();
        shoot(out.resolve("wizard-report.png"));
        fx(() -> {
            model.next();
            model.typedConfirmationProperty().set("13/main");
            model.cutOver();
            return null;
        });
        settle();
        fx(() -> {
            model.rollBack();
            return null;
        });
        settle();
        fx(() -> {
            Stage stage = (Stage) javafx.stage.Window.getWindows().get(0);
            javafx.scene.control.ListView<?> log = (javafx.scene.control.ListView<?>) stage.getScene().lookup("#result-log");
            log.scrollTo(log.getItems().size() - 1);
            return null;
        });
        settle();
        shoot(out.resolve("wizard-result.png"));
    }

    private interface Fx<T> {
        T call() throws Exception;
    }

    private static <T> T fx(Fx<T> f) throws Exception {
        CompletableFuture<T> r = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                r.complete(f.call());
            } catch (Throwable t) {
                r.completeExceptionally(t);
            }
        });
        return r.get(30, TimeUnit.SECONDS);
    }

    /** The scripted engine answers at once; a moment lets layout and the frame catch up. */
    private static void settle() throws Exception {
        Thread.sleep(1500);
        fx(() -> null);
    }

    private static void shoot(Path file) throws Exception {
        Process p = new ProcessBuilder("import", "-window", "root", "-crop", "1040x720+0+0", "+repage", file.toString())
                .inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("import failed for " + file);
        }
    }
}
