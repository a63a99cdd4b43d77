package dev.twinshift.ui.wizard;

import dev.twinshift.ui.Styles;
import java.util.Map;
import java.util.HashMap;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * The wizard's own window, one per cluster. Closing it only detaches the view: an engine step that
 * runs goes on in the background, and its journal on the server says where it stands.
 */
public final class UpgradeWizardWindow {
    /** The window showing each wizard, so a second click brings it forward instead of opening another. */
    private static final Map<UpgradeWizardViewModel, Stage> SHOWN = new HashMap<>();

    private UpgradeWizardWindow() {}

    /**
     * Shows the wizard of {@code model}; a model shown for the first time reads the journal and plans.
     * {@code onHidden} runs once when the window this call opened is closed (not again for a click that
     * only brings it forward).
     */
    public static Stage open(Window owner, UpgradeWizardViewModel model, Runnable onHidden) {
        return open(owner, model, onHidden, null);
    }

    /** As {@link #open(Window, UpgradeWizardViewModel, Runnable)}, offering the blue/green path through {@code onBlueGreen}. */
    public static Stage open(Window owner, UpgradeWizardViewModel model, Runnable onHidden, Runnable onBlueGreen) {
        Stage shown = SHOWN.get(model);
        if (shown != null && shown.isShowing()) {
            shown.toFront();
            return shown;
        }
        Stage stage = new Stage();
        stage.initOwner(owner);
        return show(stage, model, onHidden, onBlueGreen);
    }

    /** Puts the wizard of {@code model} in {@code stage} and shows it; tests and the tour give their own stage. */
    static Stage show(Stage stage, UpgradeWizardViewModel model, Runnable onHidden, Runnable onBlueGreen) {
        UpgradeWizardView view = new UpgradeWizardView(model);
        view.setOnBlueGreen(onBlueGreen);
        Scene scene = new Scene(view.root(), 1040, 720);
        scene.getStylesheets().add(UpgradeWizardWindow.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
        scene.getStylesheets().add(UpgradeWizardWindow.class.getResource("wizard.css").toExternalForm());
        stage.setTitle(model.title());
        stage.setScene(scene);
        model.attach();
        model.log().start();
        stage.setOnHidden(e -> {
            SHOWN.remove(model);
            model.log().stop();
            model.detach();
            onHidden.run();
        });
        SHOWN.put(model, stage);
        stage.show();
        model.open();
        return stage;
    }
}
