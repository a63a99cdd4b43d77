package dev.twinshift.ui.bluegreen;

import dev.twinshift.ui.Styles;
import java.util.HashMap;
import java.util.Map;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * The blue/green upgrade's own window, one per cluster. Closing it only stops watching: green keeps
 * following blue on the server, and opening it again reads where the upgrade stands.
 */
public final class BlueGreenWindow {
    private static final Map<BlueGreenViewModel, Stage> SHOWN = new HashMap<>();

    private BlueGreenWindow() {}

    public static Stage open(Window owner, BlueGreenViewModel model, Runnable onHidden) {
        Stage shown = SHOWN.get(model);
        if (shown != null && shown.isShowing()) {
            shown.toFront();
            return shown;
        }
        BlueGreenView view = new BlueGreenView(model);
        Scene scene = new Scene(view.root(), 1040, 720);
        scene.getStylesheets().add(BlueGreenWindow.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
        scene.getStylesheets().add(BlueGreenWindow.class.getResource("bluegreen.css").toExternalForm());
        Stage stage = new Stage();
        stage.initOwner(owner);
        stage.setTitle(model.title());
        stage.setScene(scene);
        model.log().start();
        stage.setOnHidden(e -> {
            SHOWN.remove(model);
            view.stopWatching();
            model.log().stop();
            onHidden.run();
        });
        SHOWN.put(model, stage);
        stage.show();
        view.startWatching();
        model.open();
        return stage;
    }
}
