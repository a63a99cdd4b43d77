package dev.twinshift.ui.clones;

import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Dialogs;
import dev.twinshift.ui.ViewLoader;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;

/** Binds a cluster's snapshots and clones to their view model; every action confirms first where it destroys. */
public final class ClusterView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @FXML private Label clusterTitle;
    @FXML private Label messageLabel;
    @FXML private ProgressIndicator busy;
    @FXML private TextField labelField;
    @FXML private Button snapshotButton;
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
    @FXML private TableView<CloneItem> cloneTable;
    @FXML private TableColumn<CloneItem, String> colCloneName;
    @FXML private TableColumn<CloneItem, String> colCloneFrom;
    @FXML private TableColumn<CloneItem, String> colClonePort;
    @FXML private TableColumn<CloneItem, String> colCloneState;
    @FXML private TableColumn<CloneItem, String> colCloneConn;
    @FXML private Button startButton;
    @FXML private Button stopButton;
    @FXML private Button copyButton;
    @FXML private Button destroyButton;
    @FXML private Button upgradeButton;
    @FXML private Button blueGreenButton;

    private final ClusterViewModel model;
    private final Parent root;

    public ClusterView(ClusterViewModel model) {
        this.model = model;
        this.root = ViewLoader.load(this, "ClusterView.fxml");
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

        snapshotTable.setItems(model.snapshots());
        col(colTaken, s -> TIME.format(s.createdAt()));
        col(colName, SnapshotRecord::id);
        col(colReason, s -> s.reason() == null ? "" : s.reason().name().toLowerCase().replace('_', '-'));
        col(colBy, s -> s.createdBy() == null ? "" : s.createdBy().display());
        col(colWal, s -> s.walLsn() == null ? "" : s.walLsn());
        col(colPinned, s -> s.pinned() ? "pinned" : "");
        var snap = snapshotTable.getSelectionModel().selectedItemProperty();
        for (Button b : new Button[] {cloneButton, pinButton, rollbackButton, deleteButton}) {
            b.disableProperty().bind(snap.isNull().or(model.busyProperty()));
        }
        pinButton.textProperty().bind(Bindings.createStringBinding(
                () -> snap.get() != null && snap.get().pinned() ? "Unpin" : "Pin", snap));
        snapshotButton.disableProperty().bind(model.busyProperty());
        upgradeButton.disableProperty().bind(model.busyProperty());
        blueGreenButton.disableProperty().bind(model.busyProperty());

        cloneTable.setItems(model.clones());
        col(colCloneName, CloneItem::name);
        col(colCloneFrom, c -> c.record().parent() == null ? "" : c.record().parent());
        col(colClonePort, c -> c.record().port() == null ? "" : String.valueOf(c.record().port()));
        col(colCloneState, c -> c.running() ? "running" : c.stoppedBecause() != null ? c.stoppedBecause() : "stopped");
        col(colCloneConn, CloneItem::connectionString);
        var clone = cloneTable.getSelectionModel().selectedItemProperty();
        startButton.disableProperty().bind(clone.isNull().or(model.busyProperty())
                .or(Bindings.createBooleanBinding(() -> clone.get() != null && clone.get().running(), clone)));
        stopButton.disableProperty().bind(clone.isNull().or(model.busyProperty())
                .or(Bindings.createBooleanBinding(() -> clone.get() != null && !clone.get().running(), clone)));
        copyButton.disableProperty().bind(clone.isNull()
                .or(Bindings.createBooleanBinding(() -> clone.get() != null && clone.get().connectionString().isEmpty(), clone)));
        destroyButton.disableProperty().bind(clone.isNull().or(model.busyProperty()));
    }

    private static <T> void col(TableColumn<T, String> c, Function<T, String> f) {
        c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(f.apply(cd.getValue())));
    }

    @FXML
    private void snapshotNow() {
        String problem = ClusterViewModel.labelProblem(labelField.getText());
        if (problem != null) {
            new Alert(Alert.AlertType.WARNING, problem, ButtonType.OK).showAndWait();
            return;
        }
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

    @FXML
    private void cloneSnapshot() {
        SnapshotActions.cloneAsked(root.getScene().getWindow(), model, snapshotTable.getSelectionModel().getSelectedItem());
    }

    @FXML
    private void togglePin() {
        SnapshotActions.togglePin(model, snapshotTable.getSelectionModel().getSelectedItem());
    }

    @FXML
    private void rollback() {
        SnapshotActions.rollbackAsked(root.getScene().getWindow(), model, snapshotTable.getSelectionModel().getSelectedItem());
    }

    @FXML
    private void deleteSnapshot() {
        SnapshotActions.deleteAsked(root.getScene().getWindow(), model, snapshotTable.getSelectionModel().getSelectedItem());
    }

    @FXML
    private void startClone() {
        model.startClone(cloneTable.getSelectionModel().getSelectedItem());
    }

    @FXML
    private void stopClone() {
        model.stopClone(cloneTable.getSelectionModel().getSelectedItem());
    }

    @FXML
    private void copyConnection() {
        ClipboardContent c = new ClipboardContent();
        c.putString(cloneTable.getSelectionModel().getSelectedItem().connectionString());
        Clipboard.getSystemClipboard().setContent(c);
    }

    @FXML
    private void destroyClone() {
        CloneItem c = cloneTable.getSelectionModel().getSelectedItem();
        if (Dialogs.confirm(root.getScene().getWindow(), "Destroy clone " + c.name(), "The clone is stopped and its data"
                + " deleted. The live cluster and the snapshot it came from are not touched.", "Destroy", true)) {
            model.destroyClone(c);
        }
    }
}
