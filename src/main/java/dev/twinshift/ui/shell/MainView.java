package dev.twinshift.ui.shell;

import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.ssh.SshTarget;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.ViewLoader;
import dev.twinshift.ui.connections.ClusterNode;
import dev.twinshift.ui.connections.ConnectionState;
import dev.twinshift.ui.connections.ServerActions;
import dev.twinshift.ui.connections.ServerConnection;
import dev.twinshift.ui.connections.ServerConnections;
import dev.twinshift.ui.connections.ServerListView;
import dev.twinshift.ui.connections.ServerListViewModel;
import dev.twinshift.ui.dashboard.ServerDashboardView;
import dev.twinshift.ui.dashboard.ServerDashboardViewModel;
import dev.twinshift.ui.logs.ActivityView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javafx.application.Application;
import javafx.beans.value.ChangeListener;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The main window: the menu bar, servers on the left, the chosen server in the middle, activity
 * below, and a status bar with every server's connection state.
 */
public final class MainView implements ServerActions {
    /** Names under which the split panes' dividers are remembered. */
    public static final String SIDEBAR_SPLIT = "sidebar";
    public static final String ACTIVITY_SPLIT = "activity";

    @FXML private BorderPane rootPane;
    @FXML private SplitPane vertical;
    @FXML private SplitPane body;
    @FXML private StackPane content;
    @FXML private VBox welcome;
    @FXML private HBox statusServers;
    @FXML private Label statusSummary;
    @FXML private MenuItem connectItem;
    @FXML private MenuItem disconnectItem;
    @FXML private MenuItem refreshItem;
    @FXML private MenuItem removeItem;
    @FXML private CheckMenuItem darkItem;

    private final ServerListViewModel servers;
    private final ServerConnections connections;
    private final ServerDashboardViewModel dashboard;
    private final ActivityView activity;
    private final ShellPreferences preferences;
    private final Parent root;
    private ServerListView list;
    private ServerDashboardView dashboardView;
    /** The status bar's per-server listeners, removed when the list of servers changes. */
    private final List<Runnable> statusUnbind = new ArrayList<>();

    public MainView(ServerListViewModel servers, ServerConnections connections, ServerDashboardViewModel dashboard,
                    ActivityView activity, ShellPreferences preferences) {
        this.servers = servers;
        this.connections = connections;
        this.dashboard = dashboard;
        this.activity = activity;
        this.preferences = preferences;
        this.root = ViewLoader.load(this, "MainView.fxml");
    }

    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        list = new ServerListView(servers, connections, this);
        body.getItems().add(0, list.root());
        body.setDividerPositions(0.24);
        SplitPane.setResizableWithParent(list.root(), false);
        dashboardView = new ServerDashboardView(dashboard);
        content.getChildren().add(dashboardView.root());
        dashboardView.root().setVisible(false);
        vertical.getItems().add(activity.root());
        vertical.setDividerPositions(0.76);
        SplitPane.setResizableWithParent(activity.root(), false);

        servers.selectedProperty().addListener((o, a, b) -> showServer(b));
        servers.setOnRemoved(e -> dashboard.forget(e.name()));
        // A newcomer with the lab up sees it chosen, one click from a real cluster.
        servers.servers().addListener((ListChangeListener<ServerEntry>) c -> {
            if (servers.selectedProperty().get() == null && !servers.servers().isEmpty()) {
                servers.servers().stream().filter(s -> s.source() == ServerEntry.Source.LAB).findFirst()
                        .ifPresent(servers.selectedProperty()::set);
            }
            rebuildStatusBar();
        });
        rebuildStatusBar();

        ChangeListener<Object> menus = (o, a, b) -> updateServerMenu();
        dashboard.stateProperty().addListener(menus);
        servers.selectedProperty().addListener(menus);
        updateServerMenu();

        darkItem.setSelected(preferences.themeProperty().get() == Theme.DARK);
        darkItem.selectedProperty().addListener((o, a, b) -> preferences.themeProperty().set(b ? Theme.DARK : Theme.LIGHT));
        preferences.themeProperty().addListener((o, a, b) -> {
            darkItem.setSelected(b == Theme.DARK);
            Application.setUserAgentStylesheet(b.userAgentStylesheet());
        });
        // F5 is the menu's; Ctrl+R is the other key people reach for to refresh.
        rootPane.sceneProperty().addListener((o, a, scene) -> {
            if (scene != null) {
                scene.getAccelerators().put(new KeyCodeCombination(KeyCode.R, KeyCombination.SHORTCUT_DOWN), this::refresh);
            }
        });
    }

    /** The split panes, for the window to remember their dividers. */
    public SplitPane sidebarSplit() {
        return body;
    }

    public SplitPane activitySplit() {
        return vertical;
    }

    /** Where the keyboard starts: the server tree. */
    public void focusTree() {
        list.focusTree();
    }

    private void showServer(ServerEntry e) {
        if (e == null) {
            welcome.setVisible(true);
            dashboardView.root().setVisible(false);
            dashboard.show(null);
            return;
        }
        dashboard.show(target(e).orElse(null));
        welcome.setVisible(false);
        dashboardView.root().setVisible(true);
    }

    private Optional<SshTarget> target(ServerEntry e) {
        try {
            return Optional.of(servers.targetOf(e));
        } catch (IllegalStateException ex) {
            // A jump host that is not in the list: the server's page says nothing can be done until it is.
            return Optional.empty();
        }
    }

    private void updateServerMenu() {
        ServerEntry e = servers.selectedProperty().get();
        ConnectionState s = e == null ? null : connections.of(e.name()).state();
        connectItem.setDisable(e == null || s == ConnectionState.CONNECTED || s == ConnectionState.CONNECTING);
        disconnectItem.setDisable(s != ConnectionState.CONNECTED);
        refreshItem.setDisable(s != ConnectionState.CONNECTED);
        removeItem.setDisable(e == null);
    }

    /** One entry per server: its state's icon, its name and state, coloured as in the tree. */
    private void rebuildStatusBar() {
        statusUnbind.forEach(Runnable::run);
        statusUnbind.clear();
        statusServers.getChildren().clear();
        for (ServerEntry e : servers.servers()) {
            ServerConnection c = connections.of(e.name());
            Label label = new Label();
            label.getStyleClass().addAll(Styles.STATUS_BAR_SERVER, Styles.CONNECTION_STATE);
            label.setUserData(e.name());
            FontIcon icon = new FontIcon();
            label.setGraphic(icon);
            Runnable show = () -> {
                label.setText(e.name() + ": " + c.state().label());
                icon.setIconCode(Styles.stateIcon(c.state()));
                label.getStyleClass().removeAll(Styles.STATE_CLASSES);
                label.getStyleClass().add(Styles.stateClass(c.state()));
                updateSummary();
            };
            ChangeListener<ConnectionState> l = (o, a, b) -> show.run();
            c.stateProperty().addListener(l);
            statusUnbind.add(() -> c.stateProperty().removeListener(l));
            show.run();
            statusServers.getChildren().add(label);
        }
        updateSummary();
    }

    private void updateSummary() {
        long up = servers.servers().stream().filter(s -> connections.isConnected(s.name())).count();
        statusSummary.setText(servers.servers().isEmpty() ? "No servers" : up + " of " + servers.servers().size() + " connected");
    }

    // --- ServerActions, for the tree's keys and context menu

    @Override
    public void connect(ServerEntry server) {
        target(server).ifPresent(dashboard::connect);
    }

    @Override
    public void disconnect(ServerEntry server) {
        dashboard.disconnect(server.name());
    }

    @Override
    public void refresh(ServerEntry server) {
        target(server).ifPresent(dashboard::refresh);
    }

    @Override
    public void showCluster(ClusterNode cluster) {
        dashboard.showCluster(cluster.id());
    }

    // --- menu commands

    @FXML
    private void addServer() {
        list.addServer();
    }

    @FXML
    private void importSshConfig() {
        list.importSshConfig();
    }

    @FXML
    private void removeServer() {
        list.removeServer();
    }

    @FXML
    private void quit() {
        root.getScene().getWindow().hide();
    }

    @FXML
    private void connect() {
        ServerEntry e = servers.selectedProperty().get();
        if (e != null) {
            connect(e);
        }
    }

    @FXML
    private void disconnect() {
        ServerEntry e = servers.selectedProperty().get();
        if (e != null) {
            disconnect(e);
        }
    }

    @FXML
    private void refresh() {
        ServerEntry e = servers.selectedProperty().get();
        if (e != null) {
            refresh(e);
        }
    }

    @FXML
    private void find() {
        list.focusFilter();
    }

    @FXML
    private void shortcuts() {
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.initOwner(root.getScene().getWindow());
        a.setTitle("Keyboard shortcuts");
        a.setHeaderText("Keyboard shortcuts");
        a.setContentText("""
                Ctrl+O or Enter in the tree   connect the selected server
                F5 or Ctrl+R                  read the selected server again
                Ctrl+F                        filter servers and clusters (Esc clears)
                Delete in the tree            remove the selected server from the list
                Ctrl+N                        add a server
                Ctrl+Shift+D                  dark or light theme
                Tab                           from the tree to the server's page and its cluster table""");
        a.getDialogPane().getStyleClass().add(Styles.SHORTCUTS);
        a.show();
    }

    @FXML
    private void about() {
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.initOwner(root.getScene().getWindow());
        a.setTitle("About Twinshift");
        a.setHeaderText("Twinshift");
        a.setContentText("Risk-free PostgreSQL upgrades: instant copy-on-write snapshots and clones, a rehearsed "
                + "pg_upgrade, and a rollback that is one click away. The live cluster is never the first to try anything.");
        a.show();
    }
}
