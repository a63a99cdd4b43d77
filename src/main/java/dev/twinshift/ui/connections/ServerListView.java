package dev.twinshift.ui.connections;

import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.ui.Dialogs;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.ViewLoader;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javafx.beans.InvalidationListener;
import javafx.beans.value.ChangeListener;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TextField;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The sidebar: saved servers as a tree, each with its connection state and, once connected, its
 * clusters; a filter over it; an empty state that offers the two ways to add servers.
 */
public final class ServerListView {
    public static final String CONNECT = "Connect";
    public static final String DISCONNECT = "Disconnect";
    public static final String REFRESH = "Refresh";
    public static final String REMOVE = "Remove...";

    @FXML private TreeView<ServerTreeItem> serverTree;
    @FXML private TextField filterField;
    @FXML private VBox emptyState;
    @FXML private Label noMatch;
    @FXML private Label noticeLabel;
    @FXML private Button removeButton;

    private final ServerListViewModel model;
    private final ServerConnections connections;
    private final ServerActions actions;
    private final Parent root;
    private final TreeItem<ServerTreeItem> treeRoot = new TreeItem<>();
    /** Servers the administrator folded; all others show their clusters. */
    private final Set<String> collapsed = new HashSet<>();
    /** Per server, the listener that rebuilds the tree when its clusters change. */
    private final Map<String, InvalidationListener> watched = new HashMap<>();
    private boolean rebuilding;

    public ServerListView(ServerListViewModel model, ServerConnections connections, ServerActions actions) {
        this.model = model;
        this.connections = connections;
        this.actions = actions;
        this.root = ViewLoader.load(this, "ServerListView.fxml");
    }

    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        serverTree.setRoot(treeRoot);
        serverTree.setCellFactory(v -> new ServerCell());
        serverTree.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (rebuilding || b == null) {
                return;
            }
            switch (b.getValue()) {
                case ServerTreeItem.Server s -> model.selectedProperty().set(s.entry());
                case ServerTreeItem.Cluster c -> {
                    serverOf(c.cluster()).ifPresent(model.selectedProperty()::set);
                    actions.showCluster(c.cluster());
                }
            }
        });
        model.selectedProperty().addListener((o, a, b) -> {
            if (b != null && !isSelected(b)) {
                selectServer(b);
            }
        });
        model.servers().addListener((ListChangeListener<ServerEntry>) c -> rebuild());
        model.filterProperty().addListener((o, a, b) -> rebuild());
        filterField.textProperty().bindBidirectional(model.filterProperty());
        filterField.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                filterField.clear();
                serverTree.requestFocus();
                e.consume();
            } else if (e.getCode() == KeyCode.DOWN || e.getCode() == KeyCode.ENTER) {
                serverTree.requestFocus();
                if (serverTree.getSelectionModel().isEmpty() && !treeRoot.getChildren().isEmpty()) {
                    serverTree.getSelectionModel().select(0);
                }
                e.consume();
            }
        });

        serverTree.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER) {
                activate(serverTree.getSelectionModel().getSelectedItem());
                e.consume();
            } else if (e.getCode() == KeyCode.DELETE) {
                removeServer();
                e.consume();
            }
        });
        serverTree.setOnMouseClicked(e -> {
            if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2) {
                activate(serverTree.getSelectionModel().getSelectedItem());
            }
        });
        serverTree.setContextMenu(contextMenu());

        emptyState.visibleProperty().bind(javafx.beans.binding.Bindings.isEmpty(model.servers()));
        removeButton.disableProperty().bind(model.selectedProperty().isNull());
        noticeLabel.textProperty().bind(model.noticeProperty());
        noticeLabel.visibleProperty().bind(model.noticeProperty().isNotEmpty());
        noticeLabel.managedProperty().bind(noticeLabel.visibleProperty());
        rebuild();
    }

    /** Puts the cursor in the filter with its text selected, so typing replaces it. */
    public void focusFilter() {
        filterField.requestFocus();
        filterField.selectAll();
    }

    /** Focuses the tree, for keyboard use after a dialog or at start. */
    public void focusTree() {
        serverTree.requestFocus();
    }

    @FXML
    public void addServer() {
        new AddServerDialog(root.getScene().getWindow()).showAndWait().ifPresent(model::add);
    }

    @FXML
    public void importSshConfig() {
        model.previewImport(candidates -> new ImportPreviewDialog(root.getScene().getWindow(), model.sshConfigPath(), candidates)
                .showAndWait().ifPresent(chosen -> model.importEntries(chosen, candidates)));
    }

    /** Removes the selected server from the list after a confirmation naming it; Cancel is the default. */
    @FXML
    public void removeServer() {
        ServerEntry e = model.selectedProperty().get();
        if (e == null) {
            return;
        }
        if (!model.isRemovable(e)) {
            model.remove(e);
            return;
        }
        boolean connected = connections.of(e.name()).state() == ConnectionState.CONNECTED;
        if (Dialogs.confirm(root.getScene().getWindow(), "Remove " + e.name() + " from the list?",
                e.name() + " (" + e.display() + ") leaves this console's list of servers"
                        + (connected ? " and its connection is closed" : "")
                        + ". Nothing on the server changes: its snapshots, clones and journals stay, and you can add it again.",
                "Remove " + e.name(), true)) {
            model.remove(e);
        }
    }

    private void activate(TreeItem<ServerTreeItem> item) {
        if (item == null) {
            return;
        }
        switch (item.getValue()) {
            case ServerTreeItem.Server s -> {
                if (connections.of(s.entry().name()).state() != ConnectionState.CONNECTED) {
                    actions.connect(s.entry());
                }
            }
            case ServerTreeItem.Cluster c -> actions.showCluster(c.cluster());
        }
    }

    private ContextMenu contextMenu() {
        MenuItem connect = new MenuItem(CONNECT, new FontIcon(Feather.LOG_IN));
        MenuItem disconnect = new MenuItem(DISCONNECT, new FontIcon(Feather.LOG_OUT));
        MenuItem refresh = new MenuItem(REFRESH, new FontIcon(Feather.REFRESH_CW));
        MenuItem remove = new MenuItem(REMOVE, new FontIcon(Feather.TRASH_2));
        connect.setOnAction(e -> selectedServer().ifPresent(actions::connect));
        disconnect.setOnAction(e -> selectedServer().ifPresent(actions::disconnect));
        refresh.setOnAction(e -> selectedServer().ifPresent(actions::refresh));
        remove.setOnAction(e -> removeServer());
        ContextMenu menu = new ContextMenu(connect, disconnect, refresh, new SeparatorMenuItem(), remove);
        menu.setId("server-menu");
        menu.setOnShowing(e -> {
            Optional<ServerEntry> s = selectedServer();
            ConnectionState st = s.map(x -> connections.of(x.name()).state()).orElse(null);
            connect.setDisable(s.isEmpty() || st == ConnectionState.CONNECTED || st == ConnectionState.CONNECTING);
            disconnect.setDisable(st != ConnectionState.CONNECTED);
            refresh.setDisable(st != ConnectionState.CONNECTED);
            remove.setDisable(s.isEmpty());
        });
        return menu;
    }

    /** The selected row's server (a cluster's own server when a cluster is selected). */
    private Optional<ServerEntry> selectedServer() {
        TreeItem<ServerTreeItem> item = serverTree.getSelectionModel().getSelectedItem();
        if (item == null) {
            return Optional.empty();
        }
        return switch (item.getValue()) {
            case ServerTreeItem.Server s -> Optional.of(s.entry());
            case ServerTreeItem.Cluster c -> serverOf(c.cluster());
        };
    }

    private Optional<ServerEntry> serverOf(ClusterNode c) {
        return model.servers().stream().filter(s -> s.name().equals(c.server())).findFirst();
    }

    private boolean isSelected(ServerEntry e) {
        TreeItem<ServerTreeItem> item = serverTree.getSelectionModel().getSelectedItem();
        if (item == null) {
            return false;
        }
        return switch (item.getValue()) {
            case ServerTreeItem.Server s -> s.entry().equals(e);
            case ServerTreeItem.Cluster c -> c.cluster().server().equals(e.name());
        };
    }

    private void selectServer(ServerEntry e) {
        for (TreeItem<ServerTreeItem> item : treeRoot.getChildren()) {
            if (item.getValue() instanceof ServerTreeItem.Server s && s.entry().equals(e)) {
                serverTree.getSelectionModel().select(item);
                return;
            }
        }
    }

    /** Lays the tree out anew from the servers, their clusters and the filter, keeping the selection. */
    private void rebuild() {
        watchClusters();
        TreeItem<ServerTreeItem> before = serverTree.getSelectionModel().getSelectedItem();
        ServerTreeItem selectedValue = before == null ? null : before.getValue();
        boolean filtering = !model.filterProperty().get().isBlank();
        rebuilding = true;
        try {
            treeRoot.getChildren().clear();
            TreeItem<ServerTreeItem> reselect = null;
            for (ServerEntry e : model.servers()) {
                Optional<List<ClusterNode>> shown = model.shown(e, connections.of(e.name()).clusters());
                if (shown.isEmpty()) {
                    continue;
                }
                TreeItem<ServerTreeItem> server = new TreeItem<>(new ServerTreeItem.Server(e));
                for (ClusterNode c : shown.get()) {
                    TreeItem<ServerTreeItem> cluster = new TreeItem<>(new ServerTreeItem.Cluster(c));
                    server.getChildren().add(cluster);
                    if (cluster.getValue().equals(selectedValue)) {
                        reselect = cluster;
                    }
                }
                server.setExpanded(filtering || !collapsed.contains(e.name()));
                server.expandedProperty().addListener((o, a, b) -> {
                    if (!rebuilding && !filtering) {
                        if (b) {
                            collapsed.remove(e.name());
                        } else {
                            collapsed.add(e.name());
                        }
                    }
                });
                treeRoot.getChildren().add(server);
                if (server.getValue().equals(selectedValue)
                        || reselect == null && e.equals(model.selectedProperty().get()) && !(selectedValue instanceof ServerTreeItem.Cluster)) {
                    reselect = server;
                }
            }
            if (reselect != null) {
                serverTree.getSelectionModel().select(reselect);
            }
        } finally {
            rebuilding = false;
        }
        noMatch.setVisible(treeRoot.getChildren().isEmpty() && !model.servers().isEmpty());
    }

    /** Listens to the clusters of each listed server, and only those. */
    private void watchClusters() {
        Set<String> names = new HashSet<>();
        model.servers().forEach(s -> names.add(s.name()));
        watched.entrySet().removeIf(w -> {
            if (!names.contains(w.getKey())) {
                connections.of(w.getKey()).clusters().removeListener(w.getValue());
                return true;
            }
            return false;
        });
        for (String n : names) {
            watched.computeIfAbsent(n, k -> {
                InvalidationListener l = o -> rebuild();
                connections.of(k).clusters().addListener(l);
                return l;
            });
        }
    }

    /** A server with its address and connection state, or a cluster with its port and whether it runs. */
    private final class ServerCell extends TreeCell<ServerTreeItem> {
        private final ChangeListener<ConnectionState> onState = (o, a, b) -> showState(b);
        private ServerConnection bound;
        private final Label state = new Label();
        private final FontIcon stateIcon = new FontIcon();

        ServerCell() {
            state.setGraphic(stateIcon);
            state.getStyleClass().add(Styles.CONNECTION_STATE);
            state.setMinWidth(Region.USE_PREF_SIZE);
        }

        @Override
        protected void updateItem(ServerTreeItem item, boolean empty) {
            super.updateItem(item, empty);
            if (bound != null) {
                bound.stateProperty().removeListener(onState);
                bound = null;
            }
            getStyleClass().removeAll(Styles.SERVER_CELL_LAB, Styles.SERVER_CELL, Styles.CLUSTER_CELL);
            setText(null);
            if (empty || item == null) {
                setGraphic(null);
                return;
            }
            switch (item) {
                case ServerTreeItem.Server s -> showServer(s.entry());
                case ServerTreeItem.Cluster c -> showCluster(c.cluster());
            }
        }

        private void showServer(ServerEntry e) {
            getStyleClass().add(Styles.SERVER_CELL);
            Label name = new Label(e.name());
            name.getStyleClass().add(Styles.SERVER_NAME);
            name.setMinWidth(0);
            Region gap = new Region();
            HBox.setHgrow(gap, Priority.ALWAYS);
            // The state shares the name's line, so the address below keeps the whole width.
            HBox top = new HBox(6, name, gap, state);
            top.setAlignment(Pos.CENTER_LEFT);
            Label addr = new Label(e.display() + (e.jump() == null ? "" : "  via " + e.jump()));
            addr.getStyleClass().add(Styles.SERVER_ADDRESS);
            addr.setMinWidth(0);
            VBox text = new VBox(1, top, addr);
            text.setMinWidth(0);
            HBox.setHgrow(text, Priority.ALWAYS);
            FontIcon icon = new FontIcon(e.source() == ServerEntry.Source.LAB ? Feather.BOX : Feather.SERVER);
            icon.getStyleClass().add(Styles.SERVER_ICON);
            bound = connections.of(e.name());
            bound.stateProperty().addListener(onState);
            showState(bound.state());
            HBox box = new HBox(8, icon, text);
            box.setAlignment(Pos.CENTER_LEFT);
            box.setMinWidth(0);
            // As wide as the tree, no wider: the address is cut, never the state.
            box.setPrefWidth(0);
            setGraphic(box);
            if (e.source() == ServerEntry.Source.LAB) {
                getStyleClass().add(Styles.SERVER_CELL_LAB);
            }
        }

        private void showState(ConnectionState s) {
            state.setText(s.label());
            stateIcon.setIconCode(Styles.stateIcon(s));
            state.getStyleClass().removeAll(Styles.STATE_CLASSES);
            state.getStyleClass().add(Styles.stateClass(s));
        }

        private void showCluster(ClusterNode c) {
            getStyleClass().add(Styles.CLUSTER_CELL);
            FontIcon icon = new FontIcon(Feather.DATABASE);
            icon.getStyleClass().add(Styles.CLUSTER_ICON);
            Label id = new Label(c.id());
            id.getStyleClass().add(Styles.CLUSTER_NAME);
            id.setMinWidth(0);
            // A long cluster name gives way; its port and state are always read whole.
            Label port = new Label(":" + c.port());
            port.getStyleClass().add(Styles.SERVER_ADDRESS);
            port.setMinWidth(Region.USE_PREF_SIZE);
            Region gap = new Region();
            HBox.setHgrow(gap, Priority.ALWAYS);
            Label status = new Label(c.status());
            status.setGraphic(new FontIcon(c.running() ? Feather.PLAY_CIRCLE : Feather.STOP_CIRCLE));
            status.getStyleClass().addAll(Styles.CONNECTION_STATE, c.running() ? Styles.STATUS_OK : Styles.STATUS_IDLE);
            status.setMinWidth(Region.USE_PREF_SIZE);
            HBox box = new HBox(6, icon, id, port, gap, status);
            box.setAlignment(Pos.CENTER_LEFT);
            box.setPrefWidth(0);
            setGraphic(box);
        }
    }
}
