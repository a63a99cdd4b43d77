package dev.twinshift.app;

import dev.twinshift.bisect.BisectService;
import dev.twinshift.bisect.BisectStore;
import dev.twinshift.inventory.Inventory;
import dev.twinshift.inventory.LabDescriptor;
import dev.twinshift.inventory.PreferencesStore;
import dev.twinshift.ssh.ConnectionPool;
import dev.twinshift.ssh.HostKeyPrompt;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshConnector;
import dev.twinshift.ssh.SshException;
import dev.twinshift.ssh.SshTarget;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.connections.Connector;
import dev.twinshift.ui.connections.FxPrompts;
import dev.twinshift.ui.connections.ServerConnections;
import dev.twinshift.ui.connections.ServerListViewModel;
import dev.twinshift.ui.dashboard.ServerDashboardViewModel;
import dev.twinshift.ui.dashboard.ServerInspector;
import dev.twinshift.ui.logs.ActivityView;
import dev.twinshift.ui.shell.MainView;
import dev.twinshift.ui.shell.MainWindow;
import dev.twinshift.ui.shell.ShellPreferences;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import java.nio.file.Path;
import javafx.application.Application;
import javafx.stage.Stage;

/** The JavaFX entry point and composition root: builds the services once and hands them to views. */
public class TwinshiftApp extends Application {

    /**
     * Where the console finds its files; tests point these at temporary places. The preferences
     * live beside the inventory file. {@code servers}, when not null, stands in for real servers.
     */
    public record Settings(Path inventoryFile, Path labDescriptor, Path sshConfig, SshConnector connector, Servers servers) {
        public Settings(Path inventoryFile, Path labDescriptor, Path sshConfig, SshConnector connector) {
            this(inventoryFile, labDescriptor, sshConfig, connector, null);
        }

        public static Settings standard() {
            return new Settings(Inventory.defaultFile(), LabDescriptor.location(),
                    Path.of(System.getProperty("user.home"), ".ssh", "config"), SshConnector.standard());
        }

        public Path preferencesFile() {
            return inventoryFile.resolveSibling(PreferencesStore.FILE_NAME);
        }
    }

    /** A test's own servers: how their sessions open and what clusters they hold. */
    public record Servers(Connector connector, ServerInspector inspector) { }

    private static volatile Settings settingsOverride;

    private FxTaskExecutor executor;
    private ConnectionPool pool;
    private LogBuffer log;
    private ShellPreferences preferences;
    /** Read by {@link #init()} off the FX thread, so the window opens in its last theme and size. */
    private PreferencesStore.Loaded preloaded;

    /** For tests: the settings the next started application uses. */
    public static void useSettings(Settings s) {
        settingsOverride = s;
    }

    private static Settings settings() {
        return settingsOverride != null ? settingsOverride : Settings.standard();
    }

    @Override
    public void init() {
        try {
            preloaded = new PreferencesStore(settings().preferencesFile()).load();
        } catch (RuntimeException e) {
            // Read again on start, where a failure is reported in the window.
            preloaded = null;
        }
    }

    @Override
    public void start(Stage stage) {
        Settings s = settings();

        log = new LogBuffer(LogBuffer.DEFAULT_LINES);
        executor = new FxTaskExecutor(log);
        pool = new ConnectionPool(s.connector());
        FxPrompts prompts = new FxPrompts(() -> stage);
        preferences = new ShellPreferences(new PreferencesStore(s.preferencesFile()), executor);
        preferences.problemProperty().addListener((o, a, b) -> {
            if (!b.isEmpty()) {
                log.append("Preferences", b);
            }
        });
        if (preloaded != null) {
            preferences.use(preloaded);
            if (!preferences.problemProperty().get().isEmpty()) {
                log.append("Preferences", preferences.problemProperty().get());
            }
        } else {
            preferences.load();
        }

        ServerConnections connections = new ServerConnections(
                s.servers() != null ? s.servers().connector() : poolConnector(pool), prompts, prompts);
        ServerListViewModel servers = new ServerListViewModel(new Inventory(s.inventoryFile()), s.labDescriptor(), s.sshConfig(), executor);
        ServerDashboardViewModel dashboard = new ServerDashboardViewModel(connections, executor,
                s.servers() != null ? s.servers().inspector() : inspector());
        ScheduleBridge schedules = new ScheduleBridge(java.time.ZoneId.systemDefault());
        dashboard.timeline().setPreviewer(schedules);
        dashboard.timeline().setScheduleActions(schedules);
        // Bisect: the saved result is read from the cluster's catalog, runs go to the same service as `twinshift bisect`.
        dashboard.timeline().setBisect(
                t -> BisectStore.latest(ClusterVolume.resolve(t.shell(), t.cluster()).catalog(), t.cluster().id()),
                (t, request, listener, cancel) -> new BisectService(t.shell(), Actor.local(t.sshUser()), listener, cancel).run(request));
        MainView main = new MainView(servers, connections, dashboard, new ActivityView(log, executor), preferences);
        MainWindow.show(stage, main, preferences, TwinshiftApp.class.getResource(Styles.APP_STYLESHEET).toExternalForm());
        log.start();
        servers.reload();
    }

    static ServerInspector inspector() {
        return ClusterInspector::inspect;
    }

    /** The console's sessions: one per server, shared with every task, through the pool. */
    private static Connector poolConnector(ConnectionPool pool) {
        return new Connector() {
            @Override
            public RemoteShell open(SshTarget target, HostKeyPrompt hostKeys, PasswordPrompt passwords) throws SshException {
                return pool.connect(target, hostKeys, passwords);
            }

            @Override
            public boolean isOpen(String alias) {
                return pool.isOpen(alias);
            }

            @Override
            public void close(String alias) {
                pool.disconnect(alias);
            }
        };
    }

    @Override
    public void stop() {
        if (preferences != null) {
            preferences.flush();
        }
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
