package dev.twinshift.ui.timeline;

import atlantafx.base.theme.Styles;
import dev.twinshift.bisect.BisectResult;
import dev.twinshift.bisect.BisectService;
import dev.twinshift.storage.SnapshotRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javafx.collections.FXCollections;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Asks what to bisect: the range, the check, the mode and the probes per round. Run stays on the
 * dialog until the input reads, with what is wrong under the fields (the same words as the CLI's).
 */
final class BisectDialog {
    static final String RUN = "Run bisect";

    private final Dialog<BisectService.Request> dialog = new Dialog<>();
    private final ComboBox<BisectForm.Check> check = new ComboBox<>(FXCollections.observableArrayList(BisectForm.Check.values()));
    private final TextArea sql = new TextArea();
    private final TextField database = new TextField("postgres");
    private final TextField version = new TextField();
    private final TextArea command = new TextArea();
    private final ComboBox<SnapshotRecord> from = new ComboBox<>();
    private final ComboBox<SnapshotRecord> to = new ComboBox<>();
    private final RadioButton binary = new RadioButton("Binary search (assumes good … good bad … bad)");
    private final RadioButton scanAll = new RadioButton("Scan every snapshot (checks that are not monotonic)");
    private final Spinner<Integer> parallel = new Spinner<>(1, BisectService.MAX_PARALLEL, 1);
    private final Label error = new Label();

    /** @param selected the timeline's selection, offered as either end of the range; may be null */
    BisectDialog(Window owner, TimelineViewModel model, SnapshotRecord selected) {
        String cluster = model.target().cluster().id();
        List<SnapshotRecord> snaps = new ArrayList<>(model.snapshots());
        dialog.initOwner(owner);
        dialog.setTitle("Bisect " + cluster);
        dialog.setHeaderText("Since when does a check fail on " + cluster + "?\nEach probe is a clone of a snapshot, started on"
                + " its own port, checked and destroyed; the live cluster is never touched.");
        dialog.getDialogPane().setId("bisect-dialog");

        List<SnapshotRecord> choices = new ArrayList<>();
        choices.add(null);
        choices.addAll(snaps);
        from.setItems(FXCollections.observableArrayList(choices));
        to.setItems(FXCollections.observableArrayList(choices));
        from.setCellFactory(lv -> cell(model, "oldest"));
        from.setButtonCell(cell(model, "oldest"));
        to.setCellFactory(lv -> cell(model, "newest"));
        to.setButtonCell(cell(model, "newest"));
        from.setId("bisect-from");
        to.setId("bisect-to");
        from.getSelectionModel().select(0);
        to.getSelectionModel().select(0);
        Button fromSel = new Button("Selected");
        Button toSel = new Button("Selected");
        fromSel.setId("bisect-from-selected");
        toSel.setId("bisect-to-selected");
        fromSel.setDisable(selected == null);
        toSel.setDisable(selected == null);
        fromSel.setOnAction(e -> from.getSelectionModel().select(selected));
        toSel.setOnAction(e -> to.getSelectionModel().select(selected));

        check.setId("bisect-check");
        check.getSelectionModel().select(BisectForm.Check.SQL);
        sql.setId("bisect-sql");
        sql.setPromptText("SELECT count(*) = 0 FROM orders WHERE total < 0");
        sql.setPrefRowCount(3);
        database.setId("bisect-database");
        version.setId("bisect-version");
        version.setPromptText("15");
        command.setId("bisect-command");
        command.setPromptText("/usr/local/bin/check.sh\n--strict");
        command.setPrefRowCount(3);

        ToggleGroup mode = new ToggleGroup();
        binary.setToggleGroup(mode);
        scanAll.setToggleGroup(mode);
        binary.setSelected(true);
        scanAll.setId("bisect-scan-all");
        parallel.setId("bisect-parallel");
        parallel.setEditable(false);

        error.setId("bisect-error");
        error.getStyleClass().add(Styles.DANGER);
        error.setWrapText(true);
        error.setMaxWidth(560);

        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(6);
        int r = 0;
        g.addRow(r++, new Label("From"), new HBox(6, from, fromSel));
        g.addRow(r++, new Label("To"), new HBox(6, to, toSel));
        g.addRow(r++, new Label("Check"), check);
        Label sqlLabel = new Label("SQL (one boolean)");
        Label dbLabel = new Label("Database");
        Label versionLabel = new Label("Target version");
        Label commandLabel = new Label("Command, one argument per line (exit 0 good, 1–124 bad, 125 skip)");
        commandLabel.setWrapText(true);
        commandLabel.setMaxWidth(160);
        g.addRow(r++, sqlLabel, sql);
        g.addRow(r++, dbLabel, database);
        g.addRow(r++, versionLabel, version);
        g.addRow(r++, commandLabel, command);
        g.addRow(r++, new Label("Mode"), new VBox(4, binary, scanAll));
        g.addRow(r++, new Label("Probes per round"), parallel);
        Runnable showFields = () -> {
            BisectForm.Check c = check.getValue();
            for (var n : List.of(sqlLabel, sql, dbLabel, database)) {
                n.setVisible(c == BisectForm.Check.SQL);
                n.setManaged(c == BisectForm.Check.SQL);
            }
            for (var n : List.of(versionLabel, version)) {
                n.setVisible(c == BisectForm.Check.UPGRADE_CHECK);
                n.setManaged(c == BisectForm.Check.UPGRADE_CHECK);
            }
            for (var n : List.of(commandLabel, command)) {
                n.setVisible(c == BisectForm.Check.COMMAND);
                n.setManaged(c == BisectForm.Check.COMMAND);
            }
            error.setText("");
        };
        check.valueProperty().addListener((o, a, b) -> showFields.run());
        showFields.run();

        dialog.getDialogPane().setContent(new VBox(10, g, error,
                new Label("It runs in the task center; Cancel there stops the running check and destroys the probe clones.")));
        ButtonType run = new ButtonType(RUN, ButtonBar.ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().addAll(run, ButtonType.CANCEL);
        BisectService.Request[] built = new BisectService.Request[1];
        Button runButton = (Button) dialog.getDialogPane().lookupButton(run);
        runButton.setId("bisect-run");
        runButton.addEventFilter(ActionEvent.ACTION, e -> {
            try {
                built[0] = form().toRequest(cluster, snaps);
                error.setText("");
            } catch (IllegalArgumentException ex) {
                built[0] = null;
                error.setText(ex.getMessage());
                e.consume();
            }
        });
        dialog.setResultConverter(b -> b == run ? built[0] : null);
    }

    BisectForm form() {
        SnapshotRecord f = from.getValue();
        SnapshotRecord t = to.getValue();
        return new BisectForm(check.getValue(), sql.getText(), database.getText(), version.getText(), command.getText(),
                f == null ? null : f.id(), t == null ? null : t.id(), scanAll.isSelected(), parallel.getValue());
    }

    Optional<BisectService.Request> ask() {
        return dialog.showAndWait();
    }

    private static ListCell<SnapshotRecord> cell(TimelineViewModel model, String end) {
        return new ListCell<>() {
            @Override
            protected void updateItem(SnapshotRecord s, boolean empty) {
                super.updateItem(s, empty);
                setText(empty ? null : s == null ? "(the " + end + ")" : model.formatTime(s.createdAt()) + "  " + s.name());
            }
        };
    }

    /** The result as readable text: outcome, last good / first bad, the probes and what changed. */
    static void showResult(Window owner, TimelineViewModel model, BisectResult r) {
        Dialog<Void> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle("Bisect result of " + r.cluster());
        d.setHeaderText(BisectResults.title(r) + "\n" + r.outcome() + ": " + r.message());
        TextArea text = new TextArea(BisectResults.report(r, model::formatTime));
        text.setEditable(false);
        text.setWrapText(false);
        text.setPrefColumnCount(90);
        text.setPrefRowCount(24);
        text.setId("bisect-report");
        d.getDialogPane().setContent(text);
        d.getDialogPane().setId("bisect-result-dialog");
        d.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        d.show();
    }
}
