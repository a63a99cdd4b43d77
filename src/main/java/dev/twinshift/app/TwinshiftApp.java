package dev.twinshift.app;

import atlantafx.base.theme.PrimerLight;
import dev.twinshift.bisect.BisectService;
import dev.twinshift.bisect.BisectStore;
import dev.twinshift.inventory.Inventory;
import dev.twinshift.inventory.LabDescriptor;
import dev.twinshift.ssh.ConnectionPool;
import dev.twinshift.ssh.SshConnector;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.connections.FxPrompts;
import dev.twinshift.ui.connections.ServerListViewModel;
import dev.twinshift.ui.dashboard.ServerDashboardViewModel;
import dev.twinshift.ui.dashboard.ServerInspector;
import dev.twinshift.ui.logs.ActivityView;
import dev.twinshift.ui.shell.MainView;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import java.nio.file.Path;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The JavaFX entry point and composition root: builds the services once and hands them to views. */
public class TwinshiftApp extends Application {

    /** Where the console finds its files; tests point these at temporary places. */
    public record Settings(Path inventoryFile, Path labDescriptor, Path sshConfig, SshConnector connector) {
        public static Settings standard() {
            return new Settings(Inventory.defaultFile(), LabDescriptor.location(),
                    Path.of(System.getProperty("user.home"), ".ssh", "config"), SshConnector.standard());
        }
    }

    private static volatile Settings settingsOverride;

    private FxTaskExecutor executor;
    private ConnectionPool pool;
    private LogBuffer log;

    /** For tests: the settings the next started application uses. */
    public static void useSettings(Settings s) {
        settingsOverride = s;
    }

    @Override
    public void start(Stage stage) {
        Settings s = settingsOverride != null ? settingsOverride : Settings.standard();
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());

        log = new LogBuffer(5000);
        executor = new FxTaskExecutor(log);
        pool = new ConnectionPool(s.connector());
        FxPrompts prompts = new FxPrompts(() -> stage);

        ServerListViewModel servers = new ServerListViewModel(new Inventory(s.inventoryFile()), s.labDescriptor(), s.sshConfig(), executor);
        ServerDashboardViewModel dashboard = new ServerDashboardViewModel(pool, executor, prompts, prompts, inspector());
        ScheduleBridge schedules = new ScheduleBridge(java.time.ZoneId.systemDefault());
        dashboard.timeline().setPreviewer(schedules);
        dashboard.timeline().setScheduleActions(schedules);
        // Bisect: the saved result is read from the cluster's catalog, runs go to the same service as `twinshift bisect`.
        dashboard.timeline().setBisect(
                t -> BisectStore.latest(ClusterVolume.resolve(t.shell(), t.cluster()).catalog(), t.cluster().id()),
                (t, request, listener, cancel) -> new BisectService(t.shell(), Actor.local(t.sshUser()), listener, cancel).run(request));
        MainView main = new MainView(servers, dashboard, new ActivityView(log, executor));

        Scene scene = new Scene(main.root(), 1200, 760);
        scene.getStylesheets().add(TwinshiftApp.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
        stage.setTitle("Twinshift");
        stage.setScene(scene);
        stage.show();
        log.start();
        servers.reload();
    }

    static ServerInspector inspector() {
        return ClusterInspector::inspect;
    }

    @Override
    public void stop() {
        if (log != null) {
            log.stop();
        }
        if (pool != null) {
            pool.close();
        }
        if (executor != null) {
            executor.shutdown();
        }
    }
}
