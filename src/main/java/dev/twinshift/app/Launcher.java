package dev.twinshift.app;

import javafx.application.Application;

/**
 * Plain main class: starting the JavaFX application from a class that does not extend
 * Application lets the console run from the class path, without the JavaFX module path.
 * With arguments it is the command-line tool ({@code twinshift snapshot create ...}).
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        if (args.length > 0 && !args[0].startsWith("-D")) {
            Cli.main(args);
            return;
        }
        Application.launch(TwinshiftApp.class, args);
    }
}
