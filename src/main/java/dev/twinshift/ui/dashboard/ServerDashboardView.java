package dev.twinshift.ui.dashboard;

import dev.twinshift.inventory.HostFacts;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.ViewLoader;
import dev.twinshift.ui.connections.ConnectionState;
import javafx.beans.binding.Bindings;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;
import java.util.function.Function;

/** Binds the server overview to its view model; holds no logic of its own. */
public final class ServerDashboardView {
    @FXML private Label serverTitle;
    @FXML private Label serverAddress;
    @FXML private Label statusLabel;
    @FXML private ProgressIndicator busy;
    @FXML private Button connectButton;
    @FXML private Button disconnectButton;
    @FXML private VBox errorBox;
    @FXML private Label errorLabel;
    @FXML private Label hintLabel;
    @FXML private VBox systemCard;
    @FXML private Label osLabel;
    @FXML private Label kernelLabel;
    @FXML private Label hostnameLabel;
    @FXML private VBox clustersCard;
    @FXML private TableView<ClusterRow> clusterTable;
    private static final double CLUSTER_ROW = 38;
    private static final double CLUSTER_HEADER = 44;
    @FXML private TableColumn<ClusterRow, String> colCluster;
    @FXML private TableColumn<ClusterRow, String> colPort;
    @FXML private TableColumn<ClusterRow, String> colStatus;
    @FXML private TableColumn<ClusterRow, String> colSize;
    @FXML private TableColumn<ClusterRow, String> colMethod;
    @FXML private TableColumn<ClusterRow, String> colFree;
    @FXML private TableColumn<ClusterRow, String> colNewest;
    @FXML private TableColumn<ClusterRow, String> colLock;
    @FXML private TableColumn<ClusterRow, String> colWarnings;
    @FXML private Label clustersNote;
    @FXML private VBox clusterDetail;

    private final ServerDashboardViewModel model;
    private final Parent root;

    public ServerDashboardView(ServerDashboardViewModel model) {
        this.model = model;
        this.root = ViewLoader.load(this, "ServerDashboardView.fxml");
    }

    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        serverTitle.textProperty().bind(Bindings.createStringBinding(
                () -> model.targetProperty().get() == null ? "" : model.targetProperty().get().alias(), model.targetProperty()));
        serverAddress.textProperty().bind(Bindings.createStringBinding(() -> {
            var t = model.targetProperty().get();
            return t == null ? "" : t.display() + (t.jump() == null ? "" : "  via " + t.jump().display());
        }, model.targetProperty()));
        statusLabel.textProperty().bind(model.statusTextProperty());
        model.stateProperty().addListener((o, a, b) -> styleStatus(b));
        styleStatus(model.stateProperty().get());

        busy.visibleProperty().bind(model.stateProperty().isEqualTo(ConnectionState.CONNECTING));
        busy.managedProperty().bind(busy.visibleProperty());
        connectButton.visibleProperty().bind(model.stateProperty().isNotEqualTo(ConnectionState.CONNECTED));
        connectButton.managedProperty().bind(connectButton.visibleProperty());
        connectButton.disableProperty().bind(model.stateProperty().isEqualTo(ConnectionState.CONNECTING));
        disconnectButton.visibleProperty().bind(model.stateProperty().isEqualTo(ConnectionState.CONNECTED));
        disconnectButton.managedProperty().bind(disconnectButton.visibleProperty());

        errorLabel.textProperty().bind(model.errorProperty());
        hintLabel.textProperty().bind(model.hintProperty());
        hintLabel.visibleProperty().bind(model.hintProperty().isNotEmpty());
        errorBox.visibleProperty().bind(model.errorProperty().isNotEmpty());
        errorBox.managedProperty().bind(errorBox.visibleProperty());

        systemCard.visibleProperty().bind(model.factsProperty().isNotNull());
        systemCard.managedProperty().bind(systemCard.visibleProperty());
        osLabel.textProperty().bind(fact(HostFacts::os));
        kernelLabel.textProperty().bind(fact(f -> f.kernel() + " (" + f.arch() + ")"));
        hostnameLabel.textProperty().bind(fact(HostFacts::hostname));

        clustersCard.visibleProperty().bind(model.stateProperty().isEqualTo(ConnectionState.CONNECTED));
        clustersCard.managedProperty().bind(clustersCard.visibleProperty());
        clusterTable.setItems(model.clusters());
        // As tall as its rows (up to a dozen): five clusters must not hide one behind a scroll bar
        // that also takes the width the columns need.
        clusterTable.setFixedCellSize(CLUSTER_ROW);
        clusterTable.prefHeightProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(
                () -> CLUSTER_HEADER + Math.min(12, Math.max(2, model.clusters().size())) * CLUSTER_ROW + 2, model.clusters()));
        clusterTable.minHeightProperty().bind(clusterTable.prefHeightProperty());
        ClusterColumns.install(clusterTable, colCluster, colPort, colStatus, colSize, colMethod, colFree,
                colNewest, colLock, colWarnings);
        clustersNote.textProperty().bind(model.clustersNoteProperty());

        dev.twinshift.ui.clones.ClusterView detail = new dev.twinshift.ui.clones.ClusterView(model.clusterView());
        dev.twinshift.ui.timeline.TimelineView timeline = new dev.twinshift.ui.timeline.TimelineView(model.timeline());
        // The table stays first: it is what the cluster view always was; the timeline is one click away.
        Tab table = new Tab("Snapshots and clones", detail.root());
        table.setId("tab-snapshots");
        Tab axis = new Tab("Timeline", timeline.root());
        axis.setId("tab-timeline");
        TabPane tabs = new TabPane(table, axis);
        tabs.setId("cluster-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        clusterDetail.getChildren().add(tabs);
        clusterDetail.visibleProperty().bind(model.clusterView().titleProperty().isNotEmpty()
                .and(model.stateProperty().isEqualTo(ConnectionState.CONNECTED)));
        clusterDetail.managedProperty().bind(clusterDetail.visibleProperty());
        clusterTable.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> model.selectCluster(b));
        model.reselectProperty().addListener((o, a, b) -> {
            if (b != null) {
                clusterTable.getSelectionModel().select(b);
            }
        });
    }

    private javafx.beans.binding.StringBinding fact(Function<HostFacts, String> f) {
        return Bindings.createStringBinding(() -> model.factsProperty().get() == null ? "" : f.apply(model.factsProperty().get()),
                model.factsProperty());
    }

    private void styleStatus(ConnectionState s) {
        statusLabel.getStyleClass().removeAll(Styles.STATE_CLASSES);
        statusLabel.getStyleClass().add(Styles.stateClass(s));
    }

    @FXML
    private void connect() {
        model.connect();
    }

    @FXML
    private void disconnect() {
        model.disconnect();
    }
}
