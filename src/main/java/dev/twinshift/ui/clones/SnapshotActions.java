package dev.twinshift.ui.clones;

import dev.twinshift.storage.Names;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Dialogs;
import java.util.Optional;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * What a snapshot's buttons do, with their confirmations, for every view that offers them (the
 * snapshot table and the timeline): the same words and the same safe defaults wherever they are asked.
 */
public final class SnapshotActions {
    private SnapshotActions() {}

    /** Asks for the clone's name, then clones and starts it. */
    public static void cloneAsked(Window owner, ClusterViewModel model, SnapshotRecord s) {
        askCloneName(owner, "Clone " + s.id(), "The clone is a writable copy started as its own PostgreSQL on a free port,"
                + " with archiving and replication switched off.", "rehearsal").ifPresent(n -> model.cloneFrom(s, n));
    }

    /** Pinning and unpinning destroy nothing: no question asked. */
    public static void togglePin(ClusterViewModel model, SnapshotRecord s) {
        model.pin(s, !s.pinned());
    }

    /** A rollback discards the cluster's changes since the snapshot: the cluster's name must be typed. */
    public static void rollbackAsked(Window owner, ClusterViewModel model, SnapshotRecord s) {
        String id = model.cluster().id();
        if (Dialogs.typedConfirmation(owner, "Roll back " + id, model.rollbackPreview(s), id, "Roll back")) {
            model.rollback(s, null);
        }
    }

    public static void deleteAsked(Window owner, ClusterViewModel model, SnapshotRecord s) {
        if (Dialogs.confirm(owner, "Delete snapshot " + s.id(), "The snapshot is removed from the server"
                + " for good. Pinned snapshots and snapshots with clones are refused.", "Delete", true)) {
            model.delete(s);
        }
    }

    private static Optional<String> askCloneName(Window owner, String title, String text, String suggestion) {
        TextField name = new TextField(suggestion);
        name.setId("clone-name");
        Label problem = new Label();
        problem.getStyleClass().add("form-problems");
        Dialog<String> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle(title);
        d.setHeaderText(title);
        Label body = new Label(text);
        body.setWrapText(true);
        body.setMaxWidth(480);
        d.getDialogPane().setContent(new VBox(8, body, new Label("Clone name:"), name, problem));
        d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        Button ok = (Button) d.getDialogPane().lookupButton(ButtonType.OK);
        ok.setText("Clone");
        Runnable check = () -> {
            try {
                Names.requireValid("clone name", name.getText());
                problem.setText("");
                ok.setDisable(false);
            } catch (IllegalArgumentException e) {
                problem.setText(e.getMessage());
                ok.setDisable(true);
            }
        };
        name.textProperty().addListener((o, a, b) -> check.run());
        check.run();
        d.setResultConverter(b -> b == ButtonType.OK ? name.getText() : null);
        return d.showAndWait();
    }
}
