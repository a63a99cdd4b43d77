package dev.twinshift.lab;

import dev.twinshift.app.TwinshiftApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.stage.Stage;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real console on a test's stage, offered the lab, its own files in a fresh folder so it starts
 * from a newcomer's state ({@link ConsoleSettings}). {@link #stop()} after each test, even a failed start.
 */
public final class LabConsole {
    private Path folder;
    private TwinshiftApp app;

    /** {@code folderPrefix} names the fresh folder, so a failed run's files can be told apart. */
    public void start(Stage stage, String folderPrefix) throws Exception {
        folder = Files.createTempDirectory(folderPrefix);
        TwinshiftApp.useSettings(ConsoleSettings.inFolder(folder, Lab.descriptorPath()));
        app = new TwinshiftApp();
        app.start(stage);
        stage.requestFocus();
    }

    /** The console's own files: servers, SSH config, known hosts, audit. */
    public Path folder() {
        return folder;
    }

    public void stop() throws Exception {
        if (app != null) {
            WaitForAsyncUtils.asyncFx(() -> app.stop()).get(5, TimeUnit.SECONDS);
        }
        TwinshiftApp.useSettings(null);
    }
}
