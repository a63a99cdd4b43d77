package dev.twinshift.ui.connections;

import dev.twinshift.ssh.HostKeyPrompt;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ui.Styles;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Host-key and password questions asked by a connecting worker thread, answered in dialogs on
 * the FX thread. The worker waits; the FX thread never does.
 */
public final class FxPrompts implements HostKeyPrompt, PasswordPrompt {
    public static final String TRUST_BUTTON = "Trust and connect";
    public static final String REFUSE_BUTTON = "Refuse";

    private final Supplier<Window> owner;

    public FxPrompts(Supplier<Window> owner) {
        this.owner = owner;
    }

    @Override
    public boolean acceptUnknownKey(String host, int port, String keyType, String fingerprint) {
        return ask(() -> {
            ButtonType trust = new ButtonType(TRUST_BUTTON, ButtonBar.ButtonData.OK_DONE);
            ButtonType refuse = new ButtonType(REFUSE_BUTTON, ButtonBar.ButtonData.CANCEL_CLOSE);
            Alert a = new Alert(Alert.AlertType.CONFIRMATION, "", trust, refuse);
            a.initOwner(owner.get());
            a.setTitle("Unknown host key");
            a.setHeaderText("First connection to " + host + (port == 22 ? "" : " port " + port));
            Label fp = new Label(fingerprint);
            fp.setId("host-key-fingerprint");
            fp.getStyleClass().add(Styles.FINGERPRINT);
            Label text = new Label("The server presents a " + keyType + " key that is not in your known_hosts.\n"
                    + "Compare this fingerprint with the one the server's administrator gives you\n"
                    + "(ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the server):");
            a.getDialogPane().setContent(new VBox(10, text, fp));
            a.getDialogPane().lookupButton(refuse).getStyleClass().add(Styles.CANCEL);
            return a.showAndWait().filter(b -> b == trust).isPresent();
        }, false);
    }

    @Override
    public char[] password(String userAtHost) {
        return ask(() -> {
            Dialog<char[]> d = new Dialog<>();
            d.initOwner(owner.get());
            d.setTitle("Password");
            d.setHeaderText("No key was accepted for " + userAtHost);
            PasswordField field = new PasswordField();
            field.setPromptText("Password (used for this connection only, never saved)");
            d.getDialogPane().setContent(new VBox(8, new Label("Password:"), field));
            d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
            Platform.runLater(field::requestFocus);
            d.setResultConverter(b -> b == ButtonType.OK ? field.getText().toCharArray() : null);
            char[] pw = d.showAndWait().orElse(null);
            field.clear();
            return pw;
        }, null);
    }

    private static <T> T ask(Supplier<T> dialog, T onFailure) {
        if (Platform.isFxApplicationThread()) {
            throw new IllegalStateException("connection prompts must be asked from a worker thread");
        }
        CompletableFuture<T> answer = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                answer.complete(dialog.get());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return onFailure;
        } catch (ExecutionException e) {
            return onFailure;
        }
    }
}
