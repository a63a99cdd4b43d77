package dev.twinshift.ui.clones;

import dev.twinshift.schedule.IdleClone;
import dev.twinshift.schedule.IdleClonePolicy;
import dev.twinshift.ui.Dialogs;
import dev.twinshift.ui.Styles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.StringConverter;

/**
 * The idle-clone policy of a catalog, edited: what marks a clone idle, what the server's hourly run
 * does to one idle long enough, and — before anything is saved — which clones that would stop or
 * destroy right now, as the server's own rule answers. Save stays off until the values shown have
 * been previewed; a policy that destroys clones now asks for the word "destroy" to be typed.
 */
final class IdlePolicyDialog {
    private IdlePolicyDialog() {}

    /** The policy in a sentence: "clones with no connection for 24 h are marked idle; ...". */
    static String describe(IdleClonePolicy p) {
        String mark = "clones with no connection for " + ClusterFormat.age(p.markAfter()) + " are marked idle";
        return switch (p.action()) {
            case OFF -> mark + "; none is stopped or destroyed";
            case STOP -> mark + "; one idle for " + ClusterFormat.age(p.actAfter()) + " is stopped (Start brings it back)";
            case DESTROY -> mark + "; one idle for " + ClusterFormat.age(p.actAfter())
                    + " is destroyed (it can be made again from its snapshot, without the writes made in it)";
        };
    }

    /** The preview's lines: the clones the policy acts on now first, then the others with their verdict. */
    static List<String> previewLines(List<IdleClone> clones) {
        List<String> due = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (IdleClone c : clones) {
            String line = c.name() + ": " + c.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " — " + c.reason();
            (c.due() ? due : rest).add(line);
        }
        List<String> out = new ArrayList<>();
        out.add(due.isEmpty() ? "The next hourly run would stop or destroy no clone." : "The next hourly run would act on "
                + due.size() + (due.size() == 1 ? " clone:" : " clones:"));
        out.addAll(due);
        if (!rest.isEmpty()) {
            out.add(due.isEmpty() ? "The clones:" : "Left alone:");
            out.addAll(rest);
        }
        return out;
    }

    static void open(Window owner, ClusterViewModel model, String catalog, IdleClonePolicy current) {
        ChoiceBox<IdleClonePolicy.Action> action = new ChoiceBox<>();
        action.getItems().setAll(IdleClonePolicy.Action.values());
        action.setConverter(new StringConverter<>() {
            @Override
            public String toString(IdleClonePolicy.Action a) {
                return a == null ? "" : switch (a) {
                    case OFF -> "only mark them";
                    case STOP -> "stop them";
                    case DESTROY -> "destroy them";
                };
            }

            @Override
            public IdleClonePolicy.Action fromString(String s) {
                return null;
            }
        });
        action.setValue(current.action());
        action.setId("idle-action");
        TextField mark = new TextField(IdleClonePolicy.durationText(current.markAfter()));
        mark.setId("idle-mark");
        mark.setPrefColumnCount(6);
        TextField after = new TextField(IdleClonePolicy.durationText(current.actAfter()));
        after.setId("idle-after");
        after.setPrefColumnCount(6);

        GridPane form = new GridPane();
        form.setHgap(8);
        form.setVgap(8);
        form.addRow(0, new Label("Mark a clone idle after no connection for"), mark);
        form.addRow(1, new Label("Then, once idle for"), after);
        form.addRow(2, new Label("the server's hourly run will"), action);
        Label problem = new Label();
        problem.setId("idle-problem");
        problem.getStyleClass().add(Styles.STATUS_ERROR);
        problem.setWrapText(true);
        problem.managedProperty().bind(problem.visibleProperty());
        problem.setVisible(false);
        Label summary = new Label(describe(current) + ".");
        summary.setWrapText(true);
        summary.setId("idle-summary");
        VBox preview = new VBox(2);
        preview.setId("idle-preview");
        Label hint = new Label("Durations: 90m, 24h, 3d, 1w. Protected clones and the clones of a running blue/green"
                + " upgrade or bisect are never stopped or destroyed.");
        hint.setWrapText(true);
        hint.getStyleClass().add(Styles.NOTICE);

        ButtonType saveType = new ButtonType("Save", ButtonBar.ButtonData.OTHER);
        ButtonType previewType = new ButtonType("Preview", ButtonBar.ButtonData.LEFT);
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle("Idle clones of " + catalog);
        d.setHeaderText("Clones nobody uses hold memory and disk. The rule lives on the server: its hourly run"
                + " applies it with no console connected.");
        d.getDialogPane().getButtonTypes().setAll(previewType, saveType, ButtonType.CANCEL);
        d.getDialogPane().setContent(new VBox(10, form, problem, summary, hint, preview));
        d.getDialogPane().setPrefWidth(640);
        Button save = (Button) d.getDialogPane().lookupButton(saveType);
        save.setId("idle-save");
        Button previewButton = (Button) d.getDialogPane().lookupButton(previewType);
        previewButton.setId("idle-preview-button");
        ((Button) d.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        save.setDefaultButton(false);
        save.setDisable(true);

        IdleClonePolicy[] previewed = {null};
        List<IdleClone> dueNow = new ArrayList<>();
        Runnable changed = () -> {
            previewed[0] = null;
            save.setDisable(true);
            IdleClonePolicy p = parse(action.getValue(), mark.getText(), after.getText(), problem);
            summary.setText(p == null ? "" : describe(p) + ".");
            previewButton.setDisable(p == null);
        };
        action.valueProperty().addListener((o, a, b) -> changed.run());
        mark.textProperty().addListener((o, a, b) -> changed.run());
        after.textProperty().addListener((o, a, b) -> changed.run());
        // Preview runs the server's dry run and keeps the dialog open.
        previewButton.addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            e.consume();
            IdleClonePolicy p = parse(action.getValue(), mark.getText(), after.getText(), problem);
            if (p == null) {
                return;
            }
            previewButton.setDisable(true);
            preview.getChildren().setAll(new Label("Asking the server..."));
            model.previewIdlePolicy(p, clones -> {
                previewButton.setDisable(false);
                preview.getChildren().setAll(previewLines(clones).stream().map(IdlePolicyDialog::line).toList());
                dueNow.clear();
                clones.stream().filter(IdleClone::due).forEach(dueNow::add);
                // Only if the form still says what was previewed.
                if (p.equals(parse(action.getValue(), mark.getText(), after.getText(), problem))) {
                    previewed[0] = p;
                    save.setDisable(false);
                }
            }, why -> {
                previewButton.setDisable(false);
                preview.getChildren().setAll(line("The preview failed: " + why));
            });
        });
        save.addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            IdleClonePolicy p = previewed[0];
            if (p == null) {
                e.consume();
                return;
            }
            List<String> destroyed = dueNow.stream().filter(c -> c.verdict() == IdleClone.Verdict.DESTROY_DUE)
                    .map(IdleClone::name).toList();
            if (!destroyed.isEmpty() && !Dialogs.typedConfirmation(d.getDialogPane().getScene().getWindow(),
                    "Destroy idle clones", "Within the hour the server destroys " + String.join(", ", destroyed)
                            + ", and from then on every clone idle for " + ClusterFormat.age(p.actAfter())
                            + ". A destroyed clone can be made again from its snapshot, without what was written in it.",
                    destroyed.stream().map(n -> "Destroyed: clone " + n).toList(), "destroy", "Save")) {
                e.consume();
            }
        });
        d.showAndWait().filter(saveType::equals).ifPresent(b -> model.saveIdlePolicy(previewed[0]));
    }

    private static Node line(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        return l;
    }

    /** The form's values as a policy, or null with the reason shown under the form. */
    private static IdleClonePolicy parse(IdleClonePolicy.Action action, String mark, String after, Label problem) {
        try {
            IdleClonePolicy p = IdleClonePolicy.parse("idle-mark=" + mark.strip() + " idle-action="
                    + action.name().toLowerCase(Locale.ROOT) + " idle-after=" + after.strip());
            problem.setVisible(false);
            return p;
        } catch (IllegalArgumentException e) {
            problem.setText(e.getMessage());
            problem.setVisible(true);
            return null;
        }
    }
}
