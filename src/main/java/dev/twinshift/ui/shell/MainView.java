package dev.twinshift.ui.shell;

import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.ui.ViewLoader;
import dev.twinshift.ui.connections.ServerListView;
import dev.twinshift.ui.connections.ServerListViewModel;
import dev.twinshift.ui.dashboard.ServerDashboardView;
import dev.twinshift.ui.dashboard.ServerDashboardViewModel;
import dev.twinshift.ui.logs.ActivityView;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/** The main window: servers on the left, the chosen server in the middle, activity below. */
public final class MainView {
    @FXML private BorderPane rootPane;
    @FXML private SplitPane body;
    @FXML private StackPane content;
    @FXML private VBox welcome;

    private final ServerListViewModel servers;
    private final ServerDashboardViewModel dashboard;
    private final ActivityView activity;
    private final Parent root;
    private ServerDashboardView dashboardView;

    public MainView(ServerListViewModel servers, ServerDashboardViewModel dashboard, ActivityView activity) {
        this.servers = servers;
        this.dashboard = dashboard;
        this.activity = activity;
        this.root = ViewLoader.load(this, "MainView.fxml");
    }

    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        ServerListView list = new ServerListView(servers);
        body.getItems().add(0, list.root());
        body.setDividerPositions(0.24);
        SplitPane.setResizableWithParent(list.root(), false);
        dashboardView = new ServerDashboardView(dashboard);
        content.getChildren().add(dashboardView.root());
        dashboardView.root().setVisible(false);
        rootPane.setBottom(activity.root());

        servers.selectedProperty().addListener((o, a, b) -> showServer(b));
        // A newcomer with the lab up sees it chosen, one click from a real cluster.
        servers.servers().addListener((ListChangeListener<ServerEntry>) c -> {
            if (servers.selectedProperty().get() == null && !servers.servers().isEmpty()) {
                servers.servers().stream().filter(s -> s.source() == ServerEntry.Source.LAB).findFirst()
                        .ifPresent(servers.selectedProperty()::set);
            }
        });
    }

    private void showServer(ServerEntry e) {
        if (e == null) {
            welcome.setVisible(true);
            dashboardView.root().setVisible(false);
            return;
        }
        try {
            dashboard.show(servers.targetOf(e));
        } catch (IllegalStateException ex) {
            dashboard.show(null);
        }
        welcome.setVisible(false);
        dashboardView.root().setVisible(true);
    }
}
