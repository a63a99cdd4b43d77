package dev.twinshift.ui.logs;

import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.FxTaskExecutor.RunningTask;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.TaskCancel;
import javafx.beans.value.ChangeListener;
import javafx.collections.ListChangeListener;
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
import javafx.scene.layout.VBox;

/**
 * The bottom panel: tasks under way with their progress, and the log of everything done. Each task's
 * Cancel button says what it would do now: disabled with the reason, "Cancel", or "Roll back now"
 * inside a downtime.
 */
public final class ActivityView {
    public static final String TASK_LIST_ID = "task-list";
    public static final String CANCEL_BUTTON_CLASS = "task-cancel";
    public static final String CANCEL_TEXT_CLASS = "task-cancel-text";

    private final TabPane root = new TabPane();

    public ActivityView(LogBuffer log, FxTaskExecutor executor) {
        ListView<String> lines = new ListView<>(log.lines());
        lines.setId("log-list");
        lines.getStyleClass().add("log-list");
        lines.setPlaceholder(new Label("What Twinshift does on your servers is logged here, as it happens."));
        // Follow the tail while new lines arrive, as a terminal does.
        log.lines().addListener((ListChangeListener<String>) c -> lines.scrollTo(log.lines().size() - 1));
        ListView<RunningTask> tasks = new ListView<>(executor.running());
        tasks.setId(TASK_LIST_ID);
        tasks.setPlaceholder(new Label("No task running."));
        tasks.setCellFactory(v -> new TaskCell());
        SplitPane split = new SplitPane(lines, tasks);
        split.setDividerPositions(0.62);
        Tab tab = new Tab("Activity", split);
        tab.setClosable(false);
        root.getTabs().add(tab);
        root.setPrefHeight(180);
        root.getStyleClass().add("activity");
    }

    public TabPane root() {
        return root;
    }

    /** A task: title, message, progress, and its Cancel as the task's policy says. */
    private static final class TaskCell extends ListCell<RunningTask> {
        private final Label title = new Label();
        private final Label message = new Label();
        private final ProgressBar progress = new ProgressBar();
        private final Button cancel = new Button("Cancel");
        private final Label cancelText = new Label();
        private final Tooltip tip = new Tooltip();
        private final VBox box;
        private final ChangeListener<TaskCancel.Offer> offerListener = (o, a, b) -> show(b);
        private RunningTask bound;

        TaskCell() {
            title.getStyleClass().add("task-title");
            message.getStyleClass().add("task-message");
            cancel.getStyleClass().add(CANCEL_BUTTON_CLASS);
            cancelText.getStyleClass().add(CANCEL_TEXT_CLASS);
            cancelText.setWrapText(true);
            progress.setMaxWidth(Double.MAX_VALUE);
            cancel.setTooltip(tip);
            cancel.setOnAction(e -> {
                if (bound != null) {
                    bound.cancel();
                }
            });
            HBox.setHgrow(progress, Priority.ALWAYS);
            HBox bar = new HBox(8, progress, cancel);
            bar.setAlignment(Pos.CENTER_LEFT);
            box = new VBox(2, title, message, bar, cancelText);
            // As wide as the list, no wider: long reasons wrap instead of pushing the button out of sight.
            setPrefWidth(0);
        }

        @Override
        protected void updateItem(RunningTask item, boolean empty) {
            super.updateItem(item, empty);
            if (bound != null) {
                title.textProperty().unbind();
                message.textProperty().unbind();
                progress.progressProperty().unbind();
                bound.offerProperty().removeListener(offerListener);
                bound = null;
            }
            if (empty || item == null) {
                setGraphic(null);
                return;
            }
            bound = item;
            title.textProperty().bind(item.task().titleProperty());
            message.textProperty().bind(item.task().messageProperty());
            progress.progressProperty().bind(item.task().progressProperty());
            item.offerProperty().addListener(offerListener);
            show(item.offerProperty().get());
            setGraphic(box);
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
