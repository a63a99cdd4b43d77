package dev.twinshift.ui.logs;

import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.FxTaskExecutor.Outcome;
import dev.twinshift.ui.tasks.FxTaskExecutor.RunningTask;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.TaskCancel;
import java.time.Duration;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.value.ChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The bottom panel: the log console beside the task center. The task center lists every task under
 * way and the last {@value FxTaskExecutor#KEEP_FINISHED} that ended, each with its progress, its
 * time and its outcome; selecting one shows only its lines. Each running task's Cancel button says
 * what it would do now: disabled with the reason, "Cancel", or "Roll back now" inside a downtime. A
 * task that ran longer than a few seconds says how it ended in a note that goes by itself, so nobody
 * has to watch the panel.
 */
public final class ActivityView {
    public static final String TASK_LIST_ID = "task-list";
    /** Tasks that ran at least this long notify when they end. */
    public static final Duration NOTIFY_AFTER = Duration.ofSeconds(5);

    private final TabPane root = new TabPane();
    private final LogConsoleViewModel model;
    private final LogConsole console;
    private final ListView<RunningTask> tasks;
    private final IntegerProperty clock = new SimpleIntegerProperty();
    private final Toasts toasts = new Toasts();
    private Duration notifyAfter = NOTIFY_AFTER;

    public ActivityView(LogBuffer log, FxTaskExecutor executor) {
        model = new LogConsoleViewModel(log, executor);
        console = new LogConsole(model);
        tasks = new ListView<>(executor.tasks());
        tasks.setId(TASK_LIST_ID);
        tasks.getStyleClass().add(LogStyles.TASK_LIST);
        tasks.setPlaceholder(new Label("No task yet: what Twinshift runs is listed here, with how it ended."));
        tasks.setCellFactory(v -> new TaskCell());
        // A task selected: the console shows its lines only; "Show all lines" there clears it.
        tasks.getSelectionModel().selectedItemProperty().addListener((o, a, t) ->
                model.scopeProperty().set(t == null ? null : new LogConsoleViewModel.Scope(t.id(), t.title())));
        model.scopeProperty().addListener((o, a, s) -> {
            if (s == null) {
                tasks.getSelectionModel().clearSelection();
            }
        });
        executor.onFinished(this::notifyIfLong);

        SplitPane split = new SplitPane(console.root(), tasks);
        split.setDividerPositions(0.64);
        Tab tab = new Tab("Activity", split);
        tab.setClosable(false);
        root.getTabs().add(tab);
        root.setPrefHeight(220);
        root.getStyleClass().add(LogStyles.ACTIVITY);
        root.getStylesheets().add(ActivityView.class.getResource(LogStyles.STYLESHEET).toExternalForm());

        // Running tasks' times move once a second; one clock for all rows.
        Timeline tick = new Timeline(new KeyFrame(javafx.util.Duration.seconds(1), e -> clock.set(clock.get() + 1)));
        tick.setCycleCount(Timeline.INDEFINITE);
        tick.play();
    }

    public TabPane root() {
        return root;
    }

    public LogConsole console() {
        return console;
    }

    public LogConsoleViewModel model() {
        return model;
    }

    /** Tasks that ran at least {@code d} notify when they end (tests and demos shorten it). */
    public void notifyAfter(Duration d) {
        notifyAfter = d;
    }

    private void notifyIfLong(RunningTask t) {
        Window w = root.getScene() == null ? null : root.getScene().getWindow();
        if (w == null || !w.isShowing() || t.elapsed().compareTo(notifyAfter) < 0) {
            return;
        }
        toasts.show(w, t.title() + "\n" + outcomeText(t), switch (t.outcomeProperty().get()) {
            case FAILED -> Toasts.Kind.ERROR;
            case CANCELLED -> Toasts.Kind.WARNING;
            default -> Toasts.Kind.INFO;
        });
    }

    /** "Done in 12 s", "Failed after 3 s: why", "Cancelled after 1:05". */
    static String outcomeText(RunningTask t) {
        String took = took(t.elapsed());
        return switch (t.outcomeProperty().get()) {
            case SUCCEEDED -> "Done in " + took;
            case FAILED -> "Failed after " + took + ": " + t.outcomeText();
            case CANCELLED -> "Cancelled after " + took;
            case RUNNING -> "Running for " + took;
        };
    }

    /** 850 ms, 12 s, 4:05, 1:02:03. */
    static String took(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return d.toMillis() + " ms";
        }
        if (s < 60) {
            return s + " s";
        }
        return s < 3600 ? String.format("%d:%02d", s / 60, s % 60) : String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** A task: title, time, message or outcome, progress, and its Cancel as the task's policy says. */
    private final class TaskCell extends ListCell<RunningTask> {
        private final FontIcon state = new FontIcon(Feather.LOADER);
        private final Label title = new Label();
        private final Label elapsed = new Label();
        private final Label message = new Label();
        private final Label outcome = new Label();
        private final ProgressBar progress = new ProgressBar();
        private final Button cancel = new Button("Cancel");
        private final Label cancelText = new Label();
        private final Tooltip tip = new Tooltip();
        private final HBox bar;
        private final VBox box;
        private final ChangeListener<TaskCancel.Offer> offerListener = (o, a, b) -> show(b);
        private final ChangeListener<Outcome> outcomeListener = (o, a, b) -> showOutcome();
        private RunningTask bound;

        TaskCell() {
            title.getStyleClass().add(LogStyles.TASK_TITLE);
            message.getStyleClass().add(LogStyles.TASK_MESSAGE);
            elapsed.getStyleClass().add(LogStyles.TASK_ELAPSED);
            outcome.getStyleClass().add(LogStyles.TASK_OUTCOME);
            outcome.setWrapText(true);
            outcome.setMinHeight(Region.USE_PREF_SIZE);
            state.getStyleClass().add(LogStyles.TASK_STATE);
            cancel.getStyleClass().add(LogStyles.TASK_CANCEL);
            cancelText.getStyleClass().add(LogStyles.TASK_CANCEL_TEXT);
            cancelText.setWrapText(true);
            progress.setMaxWidth(Double.MAX_VALUE);
            cancel.setTooltip(tip);
            cancel.setOnAction(e -> {
                if (bound != null) {
                    bound.cancel();
                }
            });
            Region gap = new Region();
            HBox.setHgrow(gap, Priority.ALWAYS);
            HBox head = new HBox(6, state, title, gap, elapsed);
            head.setAlignment(Pos.CENTER_LEFT);
            HBox.setHgrow(progress, Priority.ALWAYS);
            bar = new HBox(8, progress, cancel);
            bar.setAlignment(Pos.CENTER_LEFT);
            box = new VBox(2, head, message, outcome, bar, cancelText);
            // As wide as the list, no wider: long reasons wrap instead of pushing the button out of sight.
            setPrefWidth(0);
            clock.addListener((o, a, b) -> {
                if (bound != null && !bound.outcomeProperty().get().ended()) {
                    elapsed.setText(took(bound.elapsed()));
                }
            });
        }

        @Override
        protected void updateItem(RunningTask item, boolean empty) {
            super.updateItem(item, empty);
            if (bound != null) {
                message.textProperty().unbind();
                progress.progressProperty().unbind();
                bound.offerProperty().removeListener(offerListener);
                bound.outcomeProperty().removeListener(outcomeListener);
                bound = null;
            }
            if (empty || item == null) {
                setGraphic(null);
                return;
            }
            bound = item;
            title.setText(item.title());
            message.textProperty().bind(item.task().messageProperty());
            progress.progressProperty().bind(item.task().progressProperty());
            item.offerProperty().addListener(offerListener);
            item.outcomeProperty().addListener(outcomeListener);
            show(item.offerProperty().get());
            showOutcome();
            setGraphic(box);
        }

        private void showOutcome() {
            Outcome o = bound.outcomeProperty().get();
            boolean ended = o.ended();
            for (var n : new javafx.scene.Node[] {bar, cancelText, message}) {
                n.setVisible(!ended);
                n.setManaged(!ended);
            }
            outcome.setVisible(ended);
            outcome.setManaged(ended);
            outcome.setText(ended ? outcomeText(bound) : "");
            elapsed.setText(took(bound.elapsed()));
            getStyleClass().removeAll(LogStyles.TASK_RUNNING, LogStyles.TASK_SUCCEEDED, LogStyles.TASK_FAILED, LogStyles.TASK_CANCELLED);
            switch (o) {
                case RUNNING -> {
                    getStyleClass().add(LogStyles.TASK_RUNNING);
                    state.setIconCode(Feather.LOADER);
                }
                case SUCCEEDED -> {
                    getStyleClass().add(LogStyles.TASK_SUCCEEDED);
                    state.setIconCode(Feather.CHECK_CIRCLE);
                }
                case FAILED -> {
                    getStyleClass().add(LogStyles.TASK_FAILED);
                    state.setIconCode(Feather.X_CIRCLE);
                }
                case CANCELLED -> {
                    getStyleClass().add(LogStyles.TASK_CANCELLED);
                    state.setIconCode(Feather.SLASH);
                }
            }
        }

        private void show(TaskCancel.Offer o) {
            cancel.setText(o.label());
            cancel.setDisable(!o.enabled());
            tip.setText(o.text());
            // A disabled button shows no tooltip: the reason is written under it as well.
            cancelText.setText(o.text());
        }
    }
}
