package dev.twinshift.ui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import javafx.fxml.FXMLLoader;
import javafx.scene.Parent;

/**
 * Loads a view's FXML from the resources folder that mirrors the controller's package, with a
 * controller built by the caller (so it can receive its view model through its constructor).
 */
public final class ViewLoader {
    private ViewLoader() {}

    public static Parent load(Object controller, String fxmlName) {
        URL url = controller.getClass().getResource(fxmlName);
        if (url == null) {
            throw new IllegalStateException("missing view " + fxmlName + " beside " + controller.getClass().getName());
        }
        FXMLLoader loader = new FXMLLoader(url);
        loader.setController(controller);
        try {
            return loader.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + url, e);
        }
    }
}
