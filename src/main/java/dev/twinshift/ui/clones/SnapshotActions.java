package dev.twinshift.ui.clones;

import dev.twinshift.storage.Names;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Dialogs;
import dev.twinshift.ui.Styles;
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

    /**
     * A rollback discards the cluster's changes since the snapshot: its cost is measured first (off
     * the FX thread), stated in the question, and the cluster's name must be typed.
     */
    public static void rollbackAsked(Window owner, ClusterViewModel model, SnapshotRecord s) {
        String id = model.cluster().id();
        model.rollbackCost(s, cost -> {
            if (Dialogs.typedConfirmation(owner, "Roll back " + id, rollbackText(id, s, model), cost.lines(model.zone()), id,
                    "Roll back")) {
                model.rollback(s, null);
            }
        });
    }

    static String rollbackText(String id, SnapshotRecord s, ClusterViewModel model) {
        return id + " is stopped, its data is replaced by snapshot " + s.id() + " (taken "
                + ClusterFormat.time(s.createdAt(), model.zone()) + (s.createdBy() == null ? "" : " by " + s.createdBy().display())
                + ", WAL " + s.walLsn() + ") and it is started again.";
    }

    public static void deleteAsked(Window owner, ClusterViewModel model, SnapshotRecord s) {
        if (Dialogs.confirm(owner, "Delete snapshot " + s.id(), "Taken " + ClusterFormat.time(s.createdAt(), model.zone())
                + (s.reason() == dev.twinshift.storage.Reason.PRE_ROLLBACK ? ", it is the way back from that rollback" : "")
                + ". The snapshot is removed from the server for good: no clone can be made of it and no rollback can"
                + " return to it. Pinned snapshots and snapshots with clones are refused.", "Delete", true)) {
            model.delete(s);
        }
    }

    private static Optional<String> askCloneName(Window owner, String title, String text, String suggestion) {
        TextField name = new TextField(suggestion);
        name.setId("clone-name");
        Label problem = new Label();
        problem.getStyleClass().add(Styles.FORM_PROBLEMS);
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
