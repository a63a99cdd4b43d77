package dev.twinshift.ui.clones;

import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Dialogs;
import dev.twinshift.ui.Tables;
import dev.twinshift.ui.ViewLoader;
import dev.twinshift.ui.clones.CloneFamily.Row;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import java.time.Instant;
import java.util.function.Consumer;
import javafx.animation.PauseTransition;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.ObjectBinding;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.css.PseudoClass;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableRow;
import javafx.scene.control.TreeTableView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.util.Duration;

/** Binds a cluster's snapshots and clones to their view model; every action confirms first where it destroys. */
public final class ClusterView {
    /** Rows are of one height, so a table's height can be sized by its rows. */
    static final double ROW = 30;
    private static final double HEADER = 34;
    /** The view's height without its tables: title, message, section titles, button rows, padding. */
    private static final double CHROME = 300;
    private static final PseudoClass IDLE = PseudoClass.getPseudoClass(ClonesStyles.IDLE);
    private static final PseudoClass CLUSTER_ROW = PseudoClass.getPseudoClass(ClonesStyles.CLUSTER);
    private static final KeyCombination COPY = new KeyCodeCombination(KeyCode.C, KeyCombination.SHORTCUT_DOWN);

    @FXML private Label clusterTitle;
    @FXML private Label messageLabel;
    @FXML private ProgressIndicator busy;
    @FXML private TextField labelField;
    @FXML private Button snapshotButton;
    @FXML private Label snapshotCount;
    @FXML private TableView<SnapshotRecord> snapshotTable;
    @FXML private TableColumn<SnapshotRecord, String> colTaken;
    @FXML private TableColumn<SnapshotRecord, String> colName;
    @FXML private TableColumn<SnapshotRecord, String> colReason;
    @FXML private TableColumn<SnapshotRecord, String> colBy;
    @FXML private TableColumn<SnapshotRecord, String> colWal;
    @FXML private TableColumn<SnapshotRecord, String> colPinned;
    @FXML private Button cloneButton;
    @FXML private Button pinButton;
    @FXML private Button rollbackButton;
    @FXML private Button deleteButton;
    @FXML private Label cloneCount;
    @FXML private TreeTableView<Row> cloneTree;
    @FXML private TreeTableColumn<Row, String> colTreeName;
    @FXML private TreeTableColumn<Row, String> colTreeState;
    @FXML private TreeTableColumn<Row, String> colTreePort;
    @FXML private TreeTableColumn<Row, String> colTreeVersion;
    @FXML private TreeTableColumn<Row, String> colTreeAge;
    @FXML private TreeTableColumn<Row, String> colTreeSpace;
    @FXML private TreeTableColumn<Row, String> colTreeIdle;
    @FXML private TreeTableColumn<Row, String> colTreeConn;
    @FXML private Button startButton;
    @FXML private Button stopButton;
    @FXML private Button tunnelButton;
    @FXML private Button copyButton;
    @FXML private Button destroyButton;
    @FXML private Button idlePolicyButton;
    @FXML private Label copiedLabel;
    @FXML private Button upgradeButton;
    @FXML private Button blueGreenButton;

    private final ClusterViewModel model;
    private final Parent root;
    private final PauseTransition copiedFades = new PauseTransition(Duration.seconds(4));

    public ClusterView(ClusterViewModel model) {
        this.model = model;
        this.root = ViewLoader.load(this, "ClusterView.fxml");
        root.getStylesheets().add(ClusterView.class.getResource("clones.css").toExternalForm());
        sizeTables();
    }

    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        clusterTitle.textProperty().bind(model.titleProperty());
        messageLabel.textProperty().bind(model.messageProperty());
        messageLabel.visibleProperty().bind(model.messageProperty().isNotEmpty());
        messageLabel.managedProperty().bind(messageLabel.visibleProperty());
        busy.visibleProperty().bind(model.busyProperty());
        // Enter in the label takes the snapshot, as the button beside it would.
        labelField.setOnAction(e -> {
            if (!snapshotButton.isDisabled()) {
                snapshotNow();
            }
        });

        Tables.keepSelection(snapshotTable, model.snapshots(), SnapshotRecord::id);
        Tables.textColumn(colTaken, s -> ClusterFormat.time(s.createdAt(), model.zone()), OverrunStyle.ELLIPSIS);
        Tables.textColumn(colName, SnapshotRecord::id, OverrunStyle.CENTER_ELLIPSIS);
        Tables.textColumn(colReason, s -> ClusterFormat.reason(s, model.zone()), OverrunStyle.ELLIPSIS);
        Tables.textColumn(colBy, s -> s.createdBy() == null ? "" : s.createdBy().display(), OverrunStyle.ELLIPSIS);
        Tables.textColumn(colWal, s -> s.walLsn() == null ? "" : s.walLsn(), OverrunStyle.ELLIPSIS);
        Tables.textColumn(colPinned, s -> s.pinned() ? "pinned" : "", OverrunStyle.ELLIPSIS);
        snapshotTable.setFixedCellSize(ROW);
        snapshotTable.setRowFactory(t -> snapshotRow());
        snapshotTable.setOnKeyPressed(e -> {
            SnapshotRecord s = snapshotTable.getSelectionModel().getSelectedItem();
            if (s != null && COPY.match(e)) {
                copied("snapshot id", s.id());
                e.consume();
            }
        });
        var snap = snapshotTable.getSelectionModel().selectedItemProperty();
        for (Button b : new Button[] {cloneButton, pinButton, rollbackButton, deleteButton}) {
            b.disableProperty().bind(snap.isNull().or(model.busyProperty()));
        }
        pinButton.textProperty().bind(Bindings.createStringBinding(
                () -> snap.get() != null && snap.get().pinned() ? "Unpin" : "Pin", snap));
        snapshotButton.disableProperty().bind(model.busyProperty());
        upgradeButton.disableProperty().bind(model.busyProperty());
        blueGreenButton.disableProperty().bind(model.busyProperty());
        snapshotCount.textProperty().bind(Bindings.createStringBinding(() -> counted(model.snapshots().size(), "snapshot"),
                model.snapshots()));

        CloneTreeView.bind(cloneTree, model);
        colTreeName.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue() == null || cd.getValue().getValue() == null
                ? "" : cd.getValue().getValue().name()));
        colTreeName.setCellFactory(c -> new CloneTreeView.NameCell(model::zone));
        Tables.treeTextColumn(colTreeState, r -> CloneTreeView.state(r, model.cluster()), OverrunStyle.ELLIPSIS);
        Tables.treeTextColumn(colTreePort, r -> CloneTreeView.port(r, model.cluster()), OverrunStyle.ELLIPSIS);
        Tables.treeTextColumn(colTreeVersion, r -> CloneTreeView.version(r, model.cluster()), OverrunStyle.ELLIPSIS);
        Tables.treeTextColumn(colTreeAge, r -> CloneTreeView.age(r, Instant.now()),
                r -> CloneTreeView.created(r, model.zone()), OverrunStyle.ELLIPSIS);
        Tables.treeTextColumn(colTreeSpace, CloneTreeView::space, r -> r.isClone() && r.item() != null
                && r.item().ownBytes() != null ? "Held by this clone alone: what destroying it frees" : null, OverrunStyle.ELLIPSIS);
        Tables.treeTextColumn(colTreeIdle, CloneTreeView::use, CloneTreeView::useReason, OverrunStyle.ELLIPSIS);
        colTreeConn.setCellFactory(c -> new CloneTreeView.ConnectionCell(this::shownConnection, i -> model.tunnelUrl(i) != null,
                this::copied));
        colTreeConn.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue() == null || cd.getValue().getValue() == null
                || !cd.getValue().getValue().isClone() || cd.getValue().getValue().item() == null
                ? "" : shownConnection(cd.getValue().getValue().item())));
        cloneTree.setFixedCellSize(ROW);
        cloneTree.setRowFactory(t -> cloneRow());
        cloneTree.setOnKeyPressed(e -> {
            Row r = selectedRow();
            if (r != null && COPY.match(e)) {
                if (r.isClone() && r.item() != null && !shownConnection(r.item()).isEmpty()) {
                    copied("connection", shownConnection(r.item()));
                } else if (r.snapshot() != null) {
                    copied("snapshot id", r.snapshot().id());
                }
                e.consume();
            }
        });
        // A tunnel opened or closed changes what the Connection column says.
        model.tunnelChangesProperty().addListener((o, a, b) -> cloneTree.refresh());
        ObjectBinding<CloneItem> clone = Bindings.createObjectBinding(() -> {
            Row r = selectedRow();
            return r != null && r.isClone() ? r.item() : null;
        }, cloneTree.getSelectionModel().selectedItemProperty());
        startButton.disableProperty().bind(clone.isNull().or(model.busyProperty())
                .or(Bindings.createBooleanBinding(() -> clone.get() != null && clone.get().running(), clone)));
        stopButton.disableProperty().bind(clone.isNull().or(model.busyProperty())
                .or(Bindings.createBooleanBinding(() -> clone.get() != null && !clone.get().running(), clone)));
        tunnelButton.disableProperty().bind(Bindings.createBooleanBinding(() -> !canTunnel(clone.get()), clone,
                model.tunnelChangesProperty()));
        copyButton.disableProperty().bind(clone.isNull()
                .or(Bindings.createBooleanBinding(() -> clone.get() != null && clone.get().connectionString().isEmpty(), clone)));
        destroyButton.disableProperty().bind(clone.isNull().or(model.busyProperty()));
        idlePolicyButton.disableProperty().bind(model.busyProperty());
        cloneCount.textProperty().bind(Bindings.createStringBinding(() -> {
            long up = model.clones().stream().filter(CloneItem::running).count();
            long idle = model.clones().stream().filter(CloneItem::idle).count();
            return model.clones().isEmpty() ? "" : counted(model.clones().size(), "clone") + ", " + up + " running"
                    + (idle == 0 ? "" : ", " + idle + " idle");
        }, model.clones()));
        copiedLabel.managedProperty().bind(copiedLabel.visibleProperty());
        copiedFades.setOnFinished(e -> copiedLabel.setVisible(false));
    }

    private static String counted(int n, String what) {
        return n == 0 ? "" : n + " " + what + (n == 1 ? "" : "s");
    }

    /** The tunnel's URL when one is open (usable here), else the server-side connection string. */
    private String shownConnection(CloneItem c) {
        String url = model.tunnelUrl(c);
        return url != null ? url : c.connectionString();
    }

    private boolean canTunnel(CloneItem c) {
        return c != null && c.running() && c.record().port() != null && model.canTunnel();
    }

    private TableRow<SnapshotRecord> snapshotRow() {
        TableRow<SnapshotRecord> row = new TableRow<>() {
            @Override
            protected void updateItem(SnapshotRecord s, boolean empty) {
                super.updateItem(s, empty);
                boolean undo = !empty && s != null && s.reason() == Reason.PRE_ROLLBACK;
                if (undo && !getStyleClass().contains(ClonesStyles.UNDO_ROW)) {
                    getStyleClass().add(ClonesStyles.UNDO_ROW);
                } else if (!undo) {
                    getStyleClass().remove(ClonesStyles.UNDO_ROW);
                }
            }
        };
        MenuItem clone = item("Clone...", "menu-clone", () -> cloneSnapshot());
        MenuItem rollback = item("Roll back...", "menu-rollback", () -> rollback());
        MenuItem pin = item("Pin", "menu-pin", () -> togglePin());
        MenuItem delete = item("Delete...", "menu-delete", () -> deleteSnapshot());
        MenuItem copyId = item("Copy id", "menu-copy-id", () -> copied("snapshot id", row.getItem().id()));
        MenuItem copyWal = item("Copy WAL position", "menu-copy-wal", () -> copied("WAL position", row.getItem().walLsn()));
        MenuItem copyTime = item("Copy time", "menu-copy-time",
                () -> copied("time", ClusterFormat.time(row.getItem().createdAt(), model.zone())));
        ContextMenu menu = new ContextMenu(clone, rollback, pin, delete, new SeparatorMenuItem(), copyId, copyWal, copyTime);
        menu.setOnShowing(e -> {
            SnapshotRecord s = row.getItem();
            boolean busy = model.busyProperty().get();
            for (MenuItem m : new MenuItem[] {clone, rollback, pin, delete}) {
                m.setDisable(s == null || busy);
            }
            pin.setText(s != null && s.pinned() ? "Unpin" : "Pin");
            copyWal.setDisable(s == null || s.walLsn() == null);
        });
        row.contextMenuProperty().bind(Bindings.when(row.emptyProperty()).then((ContextMenu) null).otherwise(menu));
        return row;
    }

    /**
     * A row of the clone tree, with the menu of what it is: a clone's (start, stop, snapshot it, reach
     * it, destroy it) or a snapshot's (clone it, delete it). Idle and protected clones are marked.
     */
    private TreeTableRow<Row> cloneRow() {
        TreeTableRow<Row> row = new TreeTableRow<>() {
            @Override
            protected void updateItem(Row r, boolean empty) {
                super.updateItem(r, empty);
                CloneItem c = empty || r == null || !r.isClone() ? null : r.item();
                pseudoClassStateChanged(IDLE, c != null && c.idle());
                pseudoClassStateChanged(CLUSTER_ROW, !empty && r != null && r.kind() == CloneFamily.Kind.CLUSTER);
            }
        };
        MenuItem start = item("Start", "menu-start", () -> startClone());
        MenuItem stop = item("Stop", "menu-stop", () -> stopClone());
        MenuItem snapshot = item("Snapshot this clone...", "menu-snapshot-clone", () -> snapshotClone());
        MenuItem copyUrl = item("Copy connection URL", "menu-copy-url", () -> withClone(c -> copied("URL", model.tunnelUrl(c))));
        MenuItem copyConn = item("Copy connection string (on the server)", "menu-copy-connection",
                () -> withClone(c -> copied("connection string", c.connectionString())));
        MenuItem copyData = item("Copy data directory", "menu-copy-data",
                () -> withClone(c -> copied("data directory", c.record().dataDirectory())));
        MenuItem tunnel = item("Open tunnel", "menu-tunnel", () -> openTunnel());
        MenuItem protect = item("Protect from the idle policy", "menu-protect",
                () -> withClone(c -> model.protect(c, !c.protectedClone())));
        MenuItem destroy = item("Destroy...", "menu-destroy", () -> destroyClone());
        MenuItem cloneIt = item("Clone...", "menu-clone", () -> withTreeSnapshot(
                s -> SnapshotActions.cloneAsked(root.getScene().getWindow(), model, s)));
        MenuItem copyId = item("Copy id", "menu-copy-id", () -> withTreeSnapshot(s -> copied("snapshot id", s.id())));
        MenuItem deleteIt = item("Delete...", "menu-delete", () -> withTreeSnapshot(
                s -> SnapshotActions.deleteAsked(root.getScene().getWindow(), model, s)));
        SeparatorMenuItem sep1 = new SeparatorMenuItem();
        SeparatorMenuItem sep2 = new SeparatorMenuItem();
        ContextMenu menu = new ContextMenu(start, stop, snapshot, sep1, copyUrl, copyConn, copyData, tunnel, sep2, protect, destroy,
                cloneIt, copyId, deleteIt);
        menu.setOnShowing(e -> {
            Row r = row.getItem();
            // The menu acts on the row it was opened on, as the buttons act on the selection.
            cloneTree.getSelectionModel().select(row.getTreeItem());
            boolean isClone = r != null && r.isClone() && r.item() != null;
            boolean isSnapshot = r != null && r.snapshot() != null;
            for (MenuItem m : new MenuItem[] {start, stop, snapshot, sep1, copyUrl, copyConn, copyData, tunnel, sep2, protect, destroy}) {
                m.setVisible(isClone);
            }
            for (MenuItem m : new MenuItem[] {cloneIt, copyId, deleteIt}) {
                m.setVisible(isSnapshot);
            }
            boolean busy = model.busyProperty().get();
            CloneItem c = isClone ? r.item() : null;
            start.setDisable(c == null || busy || c.running());
            stop.setDisable(c == null || busy || !c.running());
            snapshot.setDisable(c == null || busy);
            copyUrl.setDisable(c == null || model.tunnelUrl(c) == null);
            copyConn.setDisable(c == null || c.connectionString().isEmpty());
            copyData.setDisable(c == null || c.record().dataDirectory() == null);
            tunnel.setDisable(!canTunnel(c) || model.tunnelUrl(c) != null);
            destroy.setDisable(c == null || busy);
            protect.setDisable(c == null || busy);
            protect.setText(c != null && c.protectedClone() ? "Lift the protection from the idle policy" : "Protect from the idle policy");
            cloneIt.setDisable(!isSnapshot || busy);
            deleteIt.setDisable(!isSnapshot || busy);
        });
        row.contextMenuProperty().bind(Bindings.when(row.emptyProperty()
                .or(Bindings.createBooleanBinding(() -> row.getItem() == null || row.getItem().kind() == CloneFamily.Kind.CLUSTER,
                        row.itemProperty())))
                .then((ContextMenu) null).otherwise(menu));
        return row;
    }

    private Row selectedRow() {
        TreeItem<Row> t = cloneTree.getSelectionModel().getSelectedItem();
        return t == null ? null : t.getValue();
    }

    private void withTreeSnapshot(Consumer<SnapshotRecord> action) {
        Row r = selectedRow();
        if (r != null && r.snapshot() != null) {
            action.accept(r.snapshot());
        }
    }

    private static MenuItem item(String text, String id, Runnable action) {
        MenuItem m = new MenuItem(text);
        m.setId(id);
        m.setOnAction(e -> action.run());
        return m;
    }

    /** Copies, and says so beside the clone buttons for a few seconds: a copy is otherwise invisible. */
    private void copied(String what, String text) {
        if (text == null || text.isEmpty()) {
            return;
        }
        Tables.copy(text);
        copiedLabel.setText("Copied " + what + ": " + text);
        copiedLabel.setVisible(true);
        copiedFades.playFromStart();
    }

    /**
     * Sizes each table by its rows, up to its share of the window: few rows take little room, many
     * take the screen, and both tables fit in the window together so neither hides below the other.
     */
    private void sizeTables() {
        Runnable size = () -> {
            double window = viewportHeight();
            CloneFamily.Row f = model.familyProperty().get();
            double clones = fit(f == null ? 0 : f.flatten().size() - 1, 3, window * 0.35);
            cloneTree.setPrefHeight(clones);
            // The snapshots take what the window has left beside the view's own lines and buttons.
            snapshotTable.setPrefHeight(fit(model.snapshots().size(), 5, window - CHROME - clones));
        };
        model.snapshots().addListener((ListChangeListener<SnapshotRecord>) c -> size.run());
        model.familyProperty().addListener((o, a, b) -> size.run());
        root.sceneProperty().addListener((o, a, scene) -> {
            if (scene != null) {
                scene.heightProperty().addListener((ob, x, y) -> size.run());
                ScrollPane sp = scrollPaneAround(root);
                if (sp != null) {
                    sp.viewportBoundsProperty().addListener((ob, x, y) -> size.run());
                }
                size.run();
            }
        });
        size.run();
    }

    static double fit(int rows, int minRows, double share) {
        double wanted = HEADER + Math.max(minRows, rows + 1) * ROW;
        double least = HEADER + minRows * ROW;
        return Math.max(least, Math.min(wanted, share));
    }

    private double viewportHeight() {
        ScrollPane sp = scrollPaneAround(root);
        if (sp != null && sp.getViewportBounds() != null && sp.getViewportBounds().getHeight() > 0) {
            return sp.getViewportBounds().getHeight();
        }
        return root.getScene() != null && root.getScene().getHeight() > 0 ? root.getScene().getHeight() : 720;
    }

    private static ScrollPane scrollPaneAround(Node n) {
        for (Node p = n.getParent(); p != null; p = p.getParent()) {
            if (p instanceof ScrollPane sp) {
                return sp;
            }
        }
        return null;
    }

    @FXML
    private void snapshotNow() {
        String problem = ClusterViewModel.labelProblem(labelField.getText());
        if (problem != null) {
            new Alert(Alert.AlertType.WARNING, problem, ButtonType.OK).showAndWait();
            return;
        }
        // The button is disabled while the snapshot runs: focus left on it would move on by itself
        // and take the page's scroll position along; the label field stays usable and where it is.
        labelField.requestFocus();
        model.snapshotNow(labelField.getText());
        labelField.clear();
    }

    @FXML
    private void refresh() {
        model.refresh();
    }

    @FXML
    private void upgrade() {
        // What the wizard did (a pre-upgrade snapshot, a new cluster) shows here once it is closed.
        dev.twinshift.ui.wizard.UpgradeWizardWindow.open(root.getScene().getWindow(), model.upgradeWizard(), model::refresh,
                this::blueGreen);
    }

    @FXML
    private void blueGreen() {
        dev.twinshift.ui.bluegreen.BlueGreenWindow.open(root.getScene().getWindow(), model.blueGreen(), model::refresh);
    }

    private void withSnapshot(Consumer<SnapshotRecord> action) {
        SnapshotRecord s = snapshotTable.getSelectionModel().getSelectedItem();
        if (s != null) {
            action.accept(s);
        }
    }

    private void withClone(Consumer<CloneItem> action) {
        Row r = selectedRow();
        if (r != null && r.isClone() && r.item() != null) {
            action.accept(r.item());
        }
    }

    private void snapshotClone() {
        withClone(c -> {
            TextInputDialog d = new TextInputDialog();
            d.initOwner(root.getScene().getWindow());
            d.setTitle("Snapshot clone " + c.name());
            d.setHeaderText("A snapshot of clone " + c.name() + "'s data as it is now; new clones can be made from it."
                    + (c.running() ? " The clone keeps running." : ""));
            d.setContentText("Label (optional):");
            d.showAndWait().ifPresent(label -> {
                String problem = ClusterViewModel.labelProblem(label);
                if (problem != null) {
                    new Alert(Alert.AlertType.WARNING, problem, ButtonType.OK).showAndWait();
                    return;
                }
                model.snapshotClone(c, label);
            });
        });
    }

    @FXML
    private void cloneSnapshot() {
        withSnapshot(s -> SnapshotActions.cloneAsked(root.getScene().getWindow(), model, s));
    }

    @FXML
    private void togglePin() {
        withSnapshot(s -> SnapshotActions.togglePin(model, s));
    }

    @FXML
    private void rollback() {
        withSnapshot(s -> SnapshotActions.rollbackAsked(root.getScene().getWindow(), model, s));
    }

    @FXML
    private void deleteSnapshot() {
        withSnapshot(s -> SnapshotActions.deleteAsked(root.getScene().getWindow(), model, s));
    }

    @FXML
    private void startClone() {
        withClone(model::startClone);
    }

    @FXML
    private void stopClone() {
        withClone(model::stopClone);
    }

    @FXML
    private void openTunnel() {
        withClone(c -> model.openTunnel(c, url -> copied("URL", url)));
    }

    @FXML
    private void copyConnection() {
        withClone(c -> copied("connection", shownConnection(c)));
    }

    @FXML
    private void idlePolicy() {
        model.readIdlePolicy((catalog, policy) -> IdlePolicyDialog.open(root.getScene().getWindow(), model, catalog, policy));
    }

    @FXML
    private void destroyClone() {
        withClone(c -> {
            Row r = selectedRow();
            long own = r == null ? 0 : r.children().stream().filter(k -> k.kind() == CloneFamily.Kind.SNAPSHOT).count();
            if (Dialogs.confirm(root.getScene().getWindow(), "Destroy clone " + c.name(), "The clone"
                    + (c.running() ? ", which runs now, is stopped (its sessions are cut)" : " is") + " and its data deleted for good"
                    + (c.ownBytes() == null ? "" : " (frees about " + ClusterFormat.bytes(c.ownBytes()) + ")")
                    + (model.tunnelUrl(c) != null ? "; its tunnel closes" : "") + ". The live cluster and the snapshot it came from"
                    + " are not touched" + (own == 0 ? "." : "; its " + (own == 1 ? "snapshot stays" : own + " snapshots stay")
                    + " in the tree, under the cluster."), "Destroy", true)) {
                model.destroyClone(c);
            }
        });
    }
}
