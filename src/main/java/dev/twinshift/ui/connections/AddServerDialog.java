package dev.twinshift.ui.connections;

import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.inventory.ServerValidation;
import dev.twinshift.ui.ViewLoader;
import java.io.File;
import java.util.List;
import java.util.Optional;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/** Asks for a server's address and account; OK stays disabled until the input is valid. */
public final class AddServerDialog {
    @FXML private GridPane form;
    @FXML private TextField nameField;
    @FXML private TextField hostField;
    @FXML private TextField portField;
    @FXML private TextField userField;
    @FXML private TextField keyField;
    @FXML private TextField jumpField;
    @FXML private Label problemsLabel;

    private final Dialog<ServerEntry> dialog = new Dialog<>();

    public AddServerDialog(Window owner) {
        ViewLoader.load(this, "AddServerDialog.fxml");
        dialog.initOwner(owner);
        dialog.setTitle("Add server");
        dialog.setHeaderText("A server you reach over SSH. Keys and the ssh-agent are used; no password is saved.");
        dialog.getDialogPane().setContent(form);
        dialog.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        Button ok = (Button) dialog.getDialogPane().lookupButton(ButtonType.OK);
        ok.setText("Add");
        ok.setId("add-server-ok");
        Runnable check = () -> {
            List<String> problems = problems();
            problemsLabel.setText(String.join("\n", problems));
            ok.setDisable(!problems.isEmpty());
        };
        for (TextField f : List.of(nameField, hostField, portField, userField)) {
            f.textProperty().addListener((o, a, b) -> check.run());
        }
        // Typing the host fills the name until the name is edited by hand.
        hostField.textProperty().addListener((o, a, b) -> {
            if (nameField.getText().isBlank() || nameField.getText().equals(a)) {
                nameField.setText(b);
            }
        });
        check.run();
        problemsLabel.setText("");
        dialog.setResultConverter(b -> b == ButtonType.OK ? entry() : null);
    }

    private List<String> problems() {
        return ServerValidation.problems(nameField.getText(), hostField.getText(), portField.getText(), userField.getText());
    }

    private ServerEntry entry() {
        return new ServerEntry(nameField.getText().strip(), hostField.getText().strip(),
                Integer.parseInt(portField.getText().strip()), userField.getText().strip(),
                keyField.getText().strip(), jumpField.getText().strip(), ServerEntry.Source.MANUAL);
    }

    @FXML
    private void chooseKey() {
        FileChooser fc = new FileChooser();
        fc.setTitle("Private key");
        File ssh = new File(System.getProperty("user.home"), ".ssh");
        if (ssh.isDirectory()) {
            fc.setInitialDirectory(ssh);
        }
        File f = fc.showOpenDialog(dialog.getOwner());
        if (f != null) {
            keyField.setText(f.getPath());
        }
    }

    public Optional<ServerEntry> showAndWait() {
        return dialog.showAndWait();
    }
}
