package dev.twinshift.ui.connections;

import dev.twinshift.inventory.ServerEntry;
import dev.twinshift.inventory.ServerValidation;
import dev.twinshift.ui.ViewLoader;
import java.io.File;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Region;
import atlantafx.base.theme.Styles;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * Asks for a server's address and account; OK stays disabled until the input is valid. Once
 * something was typed, every problem shows at once, each under its field with the field marked, so
 * nothing has to be fixed blindly one message after the other.
 */
public final class AddServerDialog {
    @FXML private GridPane form;
    @FXML private TextField nameField;
    @FXML private TextField hostField;
    @FXML private TextField portField;
    @FXML private TextField userField;
    @FXML private TextField keyField;
    @FXML private TextField jumpField;
    @FXML private Label problemsLabel;
    @FXML private Label hostProblem;
    @FXML private Label portProblem;
    @FXML private Label userProblem;
    @FXML private Label nameProblem;

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
        Map<ServerValidation.Field, TextField> fields = new EnumMap<>(Map.of(ServerValidation.Field.NAME, nameField,
                ServerValidation.Field.HOST, hostField, ServerValidation.Field.PORT, portField,
                ServerValidation.Field.USER, userField));
        Map<ServerValidation.Field, Label> labels = new EnumMap<>(Map.of(ServerValidation.Field.NAME, nameProblem,
                ServerValidation.Field.HOST, hostProblem, ServerValidation.Field.PORT, portProblem,
                ServerValidation.Field.USER, userProblem));
        for (Label l : labels.values()) {
            // A wrapped message takes the lines it needs; the dialog grows rather than cutting it.
            l.setMinHeight(Region.USE_PREF_SIZE);
            l.managedProperty().bind(l.visibleProperty());
            l.setVisible(false);
        }
        problemsLabel.setMinHeight(Region.USE_PREF_SIZE);
        boolean[] touched = {false};
        Runnable check = () -> {
            List<ServerValidation.Problem> problems = problems();
            ok.setDisable(!problems.isEmpty());
            for (ServerValidation.Field f : ServerValidation.Field.values()) {
                String text = problems.stream().filter(p -> p.field() == f).map(ServerValidation.Problem::text)
                        .findFirst().orElse(null);
                boolean show = touched[0] && text != null;
                labels.get(f).setText(show ? capitalized(text) : "");
                labels.get(f).setVisible(show);
                fields.get(f).pseudoClassStateChanged(Styles.STATE_DANGER, show);
            }
            problemsLabel.setText(!touched[0] || problems.isEmpty() ? ""
                    : (problems.size() == 1 ? "1 problem:\n" : problems.size() + " problems:\n")
                    + String.join("\n", problems.stream().map(ServerValidation.Problem::sentence).toList()));
            if (dialog.getDialogPane().getScene() != null && dialog.getDialogPane().getScene().getWindow() != null) {
                dialog.getDialogPane().getScene().getWindow().sizeToScene();
            }
        };
        for (TextField f : List.of(nameField, hostField, portField, userField)) {
            f.textProperty().addListener((o, a, b) -> {
                touched[0] = true;
                check.run();
            });
        }
        // Typing the host fills the name until the name is edited by hand.
        hostField.textProperty().addListener((o, a, b) -> {
            if (nameField.getText().isBlank() || nameField.getText().equals(a)) {
                nameField.setText(b);
            }
        });
        dialog.setResizable(true);
        check.run();
        dialog.setResultConverter(b -> b == ButtonType.OK ? entry() : null);
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private List<ServerValidation.Problem> problems() {
        return ServerValidation.check(nameField.getText(), hostField.getText(), portField.getText(), userField.getText());
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
