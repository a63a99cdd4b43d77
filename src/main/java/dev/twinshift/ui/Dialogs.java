package dev.twinshift.ui;

import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import java.util.List;
import javafx.stage.Window;

/** The confirmations every destructive action asks for, alike in every window. */
public final class Dialogs {
    private Dialogs() {}

    /** Asks before {@code action}; the button that does it is named after it, and Cancel, the default, is the way out. */
    public static boolean confirm(Window owner, String title, String text, String action, boolean danger) {
        ButtonType go = new ButtonType(action, ButtonBar.ButtonData.OK_DONE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, text, go, ButtonType.CANCEL);
        a.initOwner(owner);
        a.setHeaderText(title);
        a.getDialogPane().setMinWidth(520);
        Button goButton = (Button) a.getDialogPane().lookupButton(go);
        if (danger) {
            goButton.getStyleClass().add(atlantafx.base.theme.Styles.DANGER);
        }
        // Enter is the way out, not the way through: the action takes a click (or Tab, Space) on its own button.
        goButton.setDefaultButton(false);
        ((Button) a.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        return a.showAndWait().filter(b -> b == go).isPresent();
    }

    /**
     * A confirmation the administrator must type {@code mustType} into, for what cannot be clicked
     * through; Cancel is its default button, as in every confirmation.
     */
    public static boolean typedConfirmation(Window owner, String title, String text, String mustType, String action) {
        return typedConfirmation(owner, title, text, List.of(), mustType, action);
    }

    /**
     * A typed confirmation that states the cost, one line each (id {@code confirmation-cost}), under
     * what will change. Cancel is the default button: Enter after typing the name closes the dialog
     * unchanged; the action takes its own button.
     */
    public static boolean typedConfirmation(Window owner, String title, String text, List<String> cost, String mustType,
                                            String action) {
        ButtonType go = new ButtonType(action, ButtonBar.ButtonData.OTHER);
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle(title);
        d.setHeaderText(title);
        TextField typed = new TextField();
        typed.setId("typed-confirmation");
        typed.setPromptText(mustType);
        Label body = new Label(text);
        body.setWrapText(true);
        body.setMaxWidth(560);
        VBox costBox = new VBox(4);
        costBox.setId("confirmation-cost");
        costBox.getStyleClass().add(Styles.CONFIRMATION_COST);
        for (String line : cost) {
            Label l = new Label("\u2022 " + line);
            l.setWrapText(true);
            l.setMaxWidth(560);
            costBox.getChildren().add(l);
        }
        VBox content = new VBox(10, body, costBox, new Label("Type " + mustType + " to confirm:"), typed);
        if (cost.isEmpty()) {
            content.getChildren().remove(costBox);
        }
        d.getDialogPane().setContent(content);
        d.getDialogPane().getButtonTypes().addAll(go, ButtonType.CANCEL);
        Button ok = (Button) d.getDialogPane().lookupButton(go);
        ok.getStyleClass().add(atlantafx.base.theme.Styles.DANGER);
        ok.setDefaultButton(false);
        ok.disableProperty().bind(typed.textProperty().isNotEqualTo(mustType));
        ((Button) d.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        return d.showAndWait().filter(b -> b == go).isPresent();
    }
}
