package dev.twinshift.ui.connections;

import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.ui.Styles;
import dev.twinshift.ui.ViewLoader;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** The sidebar: saved servers, with an empty state that offers the two ways to add some. */
public final class ServerListView {
    @FXML private ListView<ServerEntry> serverList;
    @FXML private VBox emptyState;
    @FXML private Label noticeLabel;
    @FXML private javafx.scene.control.Button removeButton;

    private final ServerListViewModel model;
    private final Parent root;

    public ServerListView(ServerListViewModel model) {
        this.model = model;
        this.root = ViewLoader.load(this, "ServerListView.fxml");
    }

    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        serverList.setItems(model.servers());
        serverList.setPlaceholder(emptyState);
        serverList.setCellFactory(v -> new ServerCell());
        serverList.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                model.selectedProperty().set(b);
            }
        });
        model.selectedProperty().addListener((o, a, b) -> {
            if (b != null && serverList.getSelectionModel().getSelectedItem() != b) {
                serverList.getSelectionModel().select(b);
            }
        });
        removeButton.disableProperty().bind(serverList.getSelectionModel().selectedItemProperty().isNull());
        noticeLabel.textProperty().bind(model.noticeProperty());
        noticeLabel.visibleProperty().bind(model.noticeProperty().isNotEmpty());
        noticeLabel.managedProperty().bind(noticeLabel.visibleProperty());
    }

    @FXML
    private void addServer() {
        new AddServerDialog(root.getScene().getWindow()).showAndWait().ifPresent(model::add);
    }

    @FXML
    private void importSshConfig() {
        model.importSshConfig();
    }

    @FXML
    private void removeServer() {
        ServerEntry e = serverList.getSelectionModel().getSelectedItem();
        if (e != null) {
            model.remove(e);
        }
    }

    private static final class ServerCell extends ListCell<ServerEntry> {
        @Override
        protected void updateItem(ServerEntry e, boolean empty) {
            super.updateItem(e, empty);
            getStyleClass().remove(Styles.SERVER_CELL_LAB);
            if (empty || e == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            Label name = new Label(e.name());
            name.getStyleClass().add("server-name");
            Label addr = new Label(e.display() + (e.jump() == null ? "" : "  via " + e.jump()));
            addr.getStyleClass().add("server-address");
            VBox box = new VBox(2, name, addr);
            FontIcon icon = new FontIcon(e.source() == ServerEntry.Source.LAB ? Feather.BOX : Feather.SERVER);
            icon.getStyleClass().add("server-icon");
            setGraphic(new javafx.scene.layout.HBox(10, icon, box));
            setText(null);
            if (e.source() == ServerEntry.Source.LAB) {
                getStyleClass().add(Styles.SERVER_CELL_LAB);
            }
        }
    }
}
