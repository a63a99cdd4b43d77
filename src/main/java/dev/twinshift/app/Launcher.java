package dev.twinshift.app;

import javafx.application.Application;

/**
 * Plain main class: starting the JavaFX application from a class that does not extend
 * Application lets the console run from the class path, without the JavaFX module path.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        Application.launch(TwinshiftApp.class, args);
    }
}
