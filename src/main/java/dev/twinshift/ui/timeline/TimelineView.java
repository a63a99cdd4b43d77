package dev.twinshift.ui.timeline;

import dev.twinshift.schedule.RetentionPlan;
import dev.twinshift.schedule.SnapshotPolicy;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.Dialogs;
import dev.twinshift.ui.ViewLoader;
import dev.twinshift.ui.clones.SnapshotActions;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javafx.animation.PauseTransition;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.StackPane;
import javafx.util.Duration;

/**
 * The timeline tab: the axis, the selected snapshot's details with its actions, and the schedule
 * editor whose policy is previewed on the axis while it is typed.
 */
public final class TimelineView {
    /** Typing pauses this long before the policy is previewed: one dry run per thought, not per key. */
    static final Duration PREVIEW_DEBOUNCE = Duration.millis(350);
    private static final int PRUNE_NAMES_IN_CONFIRMATION = 12;
    private static final java.util.Set<String> WIDE_DETAILS = java.util.Set.of("Snapshot", "Location", "Clones", "Retention", "Check");

    @FXML private Label titleLabel;
    @FXML private Label countLabel;
    @FXML private Label rangeLabel;
    @FXML private StackPane chartHolder;
    @FXML private FlowPane legend;
    @FXML private Label noSelection;
    @FXML private GridPane detailsGrid;
    @FXML private Button copyButton;
    @FXML private Button cloneButton;
    @FXML private Button pinButton;
    @FXML private Button rollbackButton;
    @FXML private Button deleteButton;
    @FXML private Label scheduleStatus;
    @FXML private TextField policyField;
    @FXML private Label policyError;
    @FXML private Label previewStatus;
    @FXML private ListView<RetentionPlan.Verdict> pruneList;
    @FXML private Button saveButton;
    @FXML private Button enableButton;
    @FXML private Button disableButton;
    @FXML private Button bisectButton;
    @FXML private javafx.scene.control.Tooltip bisectTip;
    @FXML private javafx.scene.layout.HBox bisectBar;
    @FXML private Label bisectStatus;
    @FXML private Button bisectResultButton;

    private final TimelineViewModel model;
    private final TimelineChart chart;
    private final PauseTransition debounce = new PauseTransition(PREVIEW_DEBOUNCE);
    private final Parent root;
    private final DateTimeFormatter rangeFormat;

    public TimelineView(TimelineViewModel model) {
        this.model = model;
        this.chart = new TimelineChart(model);
        this.rangeFormat = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm", Locale.getDefault(Locale.Category.FORMAT))
                .withZone(model.zone());
        this.root = ViewLoader.load(this, "TimelineView.fxml");
        root.getStylesheets().add(TimelineView.class.getResource(TimelineStyles.STYLESHEET).toExternalForm());
    }

    public Parent root() {
        return root;
    }

    public TimelineChart chart() {
        return chart;
    }

    @FXML
    private void initialize() {
        chartHolder.getChildren().add(chart);
        titleLabel.textProperty().bind(model.titleProperty());
        buildLegend();

        model.snapshots().addListener((ListChangeListener<SnapshotRecord>) c -> {
            updateCount();
            previewSoon();
        });
        updateCount();
        chart.windowProperty().addListener((o, a, b) -> rangeLabel.setText(b == null ? ""
                : rangeFormat.format(Instant.ofEpochMilli((long) b.start())) + " – "
                + rangeFormat.format(Instant.ofEpochMilli((long) b.end()))));

        var selected = model.selectedProperty();
        selected.addListener((o, a, b) -> showDetails(b));
        model.planProperty().addListener((o, a, b) -> showDetails(selected.get()));
        model.bisectProperty().addListener((o, a, b) -> showDetails(selected.get()));
        model.clonesBySnapshotProperty().addListener((o, a, b) -> showDetails(selected.get()));
        showDetails(null);
        var busy = model.clusterModel().busyProperty();
        for (Button b : new Button[] {cloneButton, pinButton, rollbackButton, deleteButton}) {
            b.disableProperty().bind(selected.isNull().or(busy));
        }
        copyButton.disableProperty().bind(selected.isNull());
        pinButton.textProperty().bind(Bindings.createStringBinding(
                () -> selected.get() != null && selected.get().pinned() ? "Unpin" : "Pin", selected));

        // The editor.
        policyField.textProperty().bindBidirectional(model.policyTextProperty());
        policyError.textProperty().bind(model.policyErrorProperty());
        policyError.visibleProperty().bind(model.policyErrorProperty().isNotEmpty());
        policyError.managedProperty().bind(policyError.visibleProperty());
        previewStatus.textProperty().bind(model.previewStatusProperty());
        scheduleStatus.textProperty().bind(model.scheduleStatusProperty());
        model.policyTextProperty().addListener((o, a, b) -> previewSoon());
        model.titleProperty().addListener((o, a, b) -> previewSoon());
        debounce.setOnFinished(e -> model.preview());
        pruneList.setItems(model.wouldPrune());
        pruneList.setCellFactory(lv -> new ListCell<>() {
            @Override
            protected void updateItem(RetentionPlan.Verdict v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null ? null : model.formatTime(v.createdAt()) + "  " + v.name() + " — " + String.join(", ", v.why()));
            }
        });
        pruneList.getSelectionModel().selectedItemProperty().addListener((o, a, v) -> {
            if (v != null) {
                model.snapshots().stream().filter(s -> s.id().equals(v.id())).findFirst().ifPresent(selected::set);
            }
        });
        var noPolicy = model.policyProperty().isNull();
        var scheduleBusy = model.scheduleBusyProperty();
        var unavailable = Bindings.createBooleanBinding(() -> !model.scheduleAvailable() || model.target() == null,
                model.scheduleStatusProperty(), model.titleProperty());
        saveButton.disableProperty().bind(noPolicy.or(scheduleBusy).or(unavailable));
        enableButton.disableProperty().bind(noPolicy.or(scheduleBusy).or(unavailable));
        disableButton.disableProperty().bind(scheduleBusy.or(unavailable));
        // Bisect: at least two snapshots, one run at a time, and a service to run it.
        bisectButton.disableProperty().bind(Bindings.createBooleanBinding(
                () -> !model.bisectAvailable() || model.target() == null || model.snapshots().size() < 2 || model.bisectRunningProperty().get(),
                model.snapshots(), model.titleProperty(), model.bisectRunningProperty(), model.bisectAvailableProperty()));
        bisectButton.textProperty().bind(Bindings.createStringBinding(() -> model.bisectRunningProperty().get()
                ? "Bisect running (Cancel in the task center destroys the probe clones)" : "Bisect...", model.bisectRunningProperty()));
        bisectTip.textProperty().bind(Bindings.createStringBinding(() -> model.bisectAvailable()
                ? "Since when does a check fail? Probes clones of these snapshots; Cancel destroys the probe clones."
                : "Bisect service not available in this console.", model.bisectAvailableProperty()));
        bisectStatus.textProperty().bind(model.bisectStatusProperty());
        bisectBar.visibleProperty().bind(model.bisectStatusProperty().isNotEmpty());
        bisectBar.managedProperty().bind(bisectBar.visibleProperty());
        bisectResultButton.disableProperty().bind(model.bisectResultProperty().isNull());
        previewSoon();
    }

    @FXML
    private void bisect() {
        if (model.target() == null) {
            return;
        }
        new BisectDialog(root.getScene().getWindow(), model, model.selectedProperty().get()).ask()
                .ifPresent(req -> model.runBisect(req, r -> BisectDialog.showResult(root.getScene().getWindow(), model, r)));
    }

    @FXML
    private void showBisectResult() {
        var r = model.bisectResultProperty().get();
        if (r != null) {
            BisectDialog.showResult(root.getScene().getWindow(), model, r);
        }
    }

    private void previewSoon() {
        debounce.playFromStart();
    }

    private void updateCount() {
        List<SnapshotRecord> s = model.snapshots();
        countLabel.setText(s.isEmpty() ? "no snapshot" : String.format("%,d snapshot%s · %s – %s", s.size(), s.size() == 1 ? "" : "s",
                model.formatTime(s.get(0).createdAt()), model.formatTime(s.get(s.size() - 1).createdAt())));
    }

    private void showDetails(SnapshotRecord s) {
        detailsGrid.getChildren().clear();
        noSelection.setVisible(s == null);
        noSelection.setManaged(s == null);
        if (s == null) {
            return;
        }
        // Short fields two to a row, long ones across: the pane stays short enough to sit beside the editor.
        int row = 0;
        int col = 0;
        for (TimelineViewModel.Detail d : model.details(s)) {
            Label key = new Label(d.key());
            key.getStyleClass().add(TimelineStyles.DETAIL_KEY);
            TextField value = new TextField(d.value());
            value.setEditable(false);
            value.setFocusTraversable(false);
            value.getStyleClass().add(TimelineStyles.DETAIL_VALUE);
            if (d.value().startsWith("would be pruned") || d.value().startsWith("bad")) {
                value.getStyleClass().add(TimelineStyles.DETAIL_WARNING);
            }
            value.setId("detail-" + d.key().toLowerCase(Locale.ROOT));
            if (WIDE_DETAILS.contains(d.key())) {
                if (col != 0) {
                    row++;
                    col = 0;
                }
                detailsGrid.add(key, 0, row);
                detailsGrid.add(value, 1, row, 3, 1);
                row++;
            } else {
                detailsGrid.add(key, col, row);
                detailsGrid.add(value, col + 1, row);
                col += 2;
                if (col == 4) {
                    col = 0;
                    row++;
                }
            }
        }
    }

    private void buildLegend() {
        legend.getChildren().setAll(
                entry("scheduled", g -> TimelineStyles.glyph(g, Reason.SCHEDULED, 8, 9, 1)),
                entry("manual", g -> TimelineStyles.glyph(g, Reason.MANUAL, 8, 9, 1)),
                entry("pre-upgrade", g -> TimelineStyles.glyph(g, Reason.PRE_UPGRADE, 8, 9, 1)),
                entry("pre-rollback", g -> TimelineStyles.glyph(g, Reason.PRE_ROLLBACK, 8, 9, 1)),
                entry("rehearsal", g -> TimelineStyles.glyph(g, Reason.REHEARSAL, 8, 9, 1)),
                entry("pinned", g -> {
                    TimelineStyles.glyph(g, Reason.SCHEDULED, 6, 14, 1);
                    TimelineStyles.pin(g, 6, 21);
                }),
                entry("would be pruned", g -> {
                    TimelineStyles.glyph(g, Reason.SCHEDULED, 8, 9, 0.35);
                    TimelineStyles.pruneCross(g, 8, 9);
                }),
                entry("count of close snapshots", g -> {
                    g.setFill(TimelineStyles.GROUP_FILL);
                    g.fillRoundRect(0, 3, 16, 12, 12, 12);
                    g.setStroke(TimelineStyles.GROUP_STROKE);
                    g.strokeRoundRect(0.5, 3.5, 15, 11, 12, 12);
                }),
                entry("clone (running)", g -> {
                    g.setFill(TimelineStyles.CLONE_FILL);
                    g.fillRoundRect(0, 3, 16, 12, 6, 6);
                    g.setStroke(TimelineStyles.CLONE_STROKE);
                    g.strokeRoundRect(0.5, 3.5, 15, 11, 6, 6);
                    g.setFill(TimelineStyles.CLONE_RUNNING);
                    g.fillOval(4, 6, 6, 6);
                }),
                entry("check good", g -> TimelineStyles.badge(g, TimelineMark.Kind.GOOD, 8, 9)),
                entry("check bad", g -> TimelineStyles.badge(g, TimelineMark.Kind.BAD, 8, 9)),
                entry("error", g -> TimelineStyles.badge(g, TimelineMark.Kind.ERROR, 8, 9)),
                entry("skipped", g -> TimelineStyles.badge(g, TimelineMark.Kind.SKIPPED, 8, 9)),
                entry("last good → first bad", g -> {
                    g.setFill(TimelineStyles.SUSPECT_BAND);
                    g.fillRect(2, 1, 12, 16);
                    g.setStroke(TimelineStyles.GOOD);
                    g.setLineWidth(2);
                    g.strokeLine(2, 1, 2, 17);
                    g.setStroke(TimelineStyles.BAD);
                    g.strokeLine(14, 1, 14, 17);
                }));
    }

    private static Label entry(String text, Consumer<GraphicsContext> paint) {
        Canvas c = new Canvas(16, 18);
        paint.accept(c.getGraphicsContext2D());
        Label l = new Label(text, c);
        return l;
    }

    // ---- actions ----

    @FXML
    private void zoomIn() {
        chart.zoom(1.5);
    }

    @FXML
    private void zoomOut() {
        chart.zoom(1 / 1.5);
    }

    @FXML
    private void fitAll() {
        chart.fitAll();
    }

    @FXML
    private void copyDetails() {
        SnapshotRecord s = model.selectedProperty().get();
        if (s != null) {
            ClipboardContent c = new ClipboardContent();
            c.putString(TimelineViewModel.asText(model.details(s)));
            Clipboard.getSystemClipboard().setContent(c);
        }
    }

    @FXML
    private void cloneSnapshot() {
        SnapshotActions.cloneAsked(root.getScene().getWindow(), model.clusterModel(), model.selectedProperty().get());
    }

    @FXML
    private void togglePin() {
        SnapshotActions.togglePin(model.clusterModel(), model.selectedProperty().get());
    }

    @FXML
    private void rollback() {
        SnapshotActions.rollbackAsked(root.getScene().getWindow(), model.clusterModel(), model.selectedProperty().get());
    }

    @FXML
    private void deleteSnapshot() {
        SnapshotActions.deleteAsked(root.getScene().getWindow(), model.clusterModel(), model.selectedProperty().get());
    }

    /** What the next run would prune under the policy, named, for the confirmations that start it. */
    private String consequences(SnapshotPolicy p) {
        RetentionPlan plan = model.planProperty().get();
        if (plan == null || !p.equals(model.planPolicy())) {
            return "No preview of this policy has come back yet: what the next run prunes is not known here.";
        }
        List<RetentionPlan.Verdict> gone = plan.pruned();
        if (gone.isEmpty()) {
            return "The next run prunes nothing: all " + plan.snapshots().size() + " snapshots stay.";
        }
        String names = gone.stream().limit(PRUNE_NAMES_IN_CONFIRMATION).map(RetentionPlan.Verdict::name).collect(Collectors.joining(", "));
        return "The next run deletes " + gone.size() + " snapshot" + (gone.size() == 1 ? "" : "s") + " for good: " + names
                + (gone.size() > PRUNE_NAMES_IN_CONFIRMATION ? ", and " + (gone.size() - PRUNE_NAMES_IN_CONFIRMATION) + " more" : "") + ".";
    }

    private boolean prunesSomething() {
        RetentionPlan plan = model.planProperty().get();
        return plan == null || !plan.pruned().isEmpty();
    }

    @FXML
    private void savePolicy() {
        SnapshotPolicy p = model.policyProperty().get();
        String id = model.target().cluster().id();
        if (Dialogs.confirm(root.getScene().getWindow(), "Save the retention policy of " + id,
                "Policy: " + p + ".\n" + consequences(p), "Save policy", prunesSomething())) {
            model.save();
        }
    }

    @FXML
    private void enableSchedule() {
        SnapshotPolicy p = model.policyProperty().get();
        String id = model.target().cluster().id();
        if (Dialogs.confirm(root.getScene().getWindow(), "Enable scheduled snapshots of " + id,
                "The server takes a snapshot of " + id + " every hour, with or without a console, and prunes by the saved"
                        + " policy. With " + p + ": " + consequences(p), "Enable", prunesSomething())) {
            model.enable();
        }
    }

    @FXML
    private void disableSchedule() {
        // Stopping the job deletes nothing: no question asked.
        model.disable();
    }
}
