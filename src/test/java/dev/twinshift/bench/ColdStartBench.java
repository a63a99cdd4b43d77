package dev.twinshift.bench;

import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.lab.ConsoleSettings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.animation.AnimationTimer;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;

/**
 * The console's cold start: the real main window (as {@code Launcher} starts it, with a newcomer's
 * empty folder instead of the user's files), and the time from the JVM's start to the first
 * AnimationTimer frame after the window shows, the frame that paints it, and to the frame after.
 * Run in a fresh JVM by {@link LogConsoleBench}.
 */
public final class ColdStartBench {
    static final String PREFIX = "cold-start-ms ";

    private ColdStartBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("twinshift-cold");
        TwinshiftApp.useSettings(ConsoleSettings.inFolder(dir, dir.resolve("no-lab.json")));
        Application.launch(App.class, args);
    }

    /** The console itself; only a frame counter is added once its window shows. */
    public static final class App extends TwinshiftApp {
        @Override
        public void start(Stage stage) {
            super.start(stage);
            long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
            new AnimationTimer() {
                long first;

                @Override
                public void handle(long now) {
                    long ms = System.currentTimeMillis() - jvmStart;
                    if (first == 0) {
                        first = ms;
                        return;
                    }
                    stop();
                    System.out.println(PREFIX + first + " " + ms);
                    Platform.exit();
                    System.exit(0);
                }
            }.start();
        }
    }
}
