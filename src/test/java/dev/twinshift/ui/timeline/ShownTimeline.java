package dev.twinshift.ui.timeline;

import static dev.twinshift.ui.timeline.TimelineFixtures.PARIS;

import atlantafx.base.theme.PrimerLight;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The timeline tab on a headless stage, the way the console shows it: the app's theme and stylesheet,
 * real background tasks logging to a buffer. {@link #close()} after each test.
 */
final class ShownTimeline {
    final LogBuffer log;
    final FxTaskExecutor tasks;
    final TimelineViewModel model;
    final TimelineChart chart;

    /** {@code wire} sets the model's stand-ins for the server before the view is built. */
    static ShownTimeline show(Stage stage, ClusterViewModel cluster, Consumer<TimelineViewModel> wire) {
        return new ShownTimeline(stage, cluster, wire);
    }

    private ShownTimeline(Stage stage, ClusterViewModel cluster, Consumer<TimelineViewModel> wire) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        log = new LogBuffer(200);
        log.start();
        tasks = new FxTaskExecutor(log);
        model = new TimelineViewModel(cluster, tasks, PARIS);
        wire.accept(model);
        TimelineView view = new TimelineView(model);
        chart = view.chart();
        Scene scene = new Scene(view.root(), 1200, 760);
        scene.getStylesheets().add(ShownTimeline.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
        stage.setScene(scene);
        stage.show();
        stage.toFront();
    }

    void close() {
        tasks.shutdown();
        log.stop();
    }

    /**
     * Waits for {@code cond}; on time-out fails saying what was awaited and what was shown instead. The
     * condition is read on the FX thread, between pulses: read from the test's thread it could see a
     * task's result half applied (the list of a preview filled, its status line not yet).
     */
    static void waitFor(String what, BooleanSupplier cond, Supplier<Object> shown) {
        try {
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(cond::getAsBoolean).get());
        } catch (TimeoutException e) {
            throw new AssertionError(what + "; shown: " + shown.get());
        }
    }
}
