package dev.twinshift.ui.logs;

import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import javafx.collections.ListChangeListener;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import org.controlsfx.control.TaskProgressView;

/** The bottom panel: tasks under way with their progress, and the log of everything done. */
public final class ActivityView {
    private final TabPane root = new TabPane();

    public ActivityView(LogBuffer log, FxTaskExecutor executor) {
        ListView<String> lines = new ListView<>(log.lines());
        lines.setId("log-list");
        lines.getStyleClass().add("log-list");
        lines.setPlaceholder(new javafx.scene.control.Label("What Twinshift does on your servers is logged here, as it happens."));
        // Follow the tail while new lines arrive, as a terminal does.
        log.lines().addListener((ListChangeListener<String>) c -> lines.scrollTo(log.lines().size() - 1));
        TaskProgressView<javafx.concurrent.Task<?>> progress = new TaskProgressView<>();
        progress.setId("task-progress");
        javafx.beans.binding.Bindings.bindContent(progress.getTasks(), executor.running());
        SplitPane split = new SplitPane(lines, progress);
        split.setDividerPositions(0.7);
        Tab tab = new Tab("Activity", split);
        tab.setClosable(false);
        root.getTabs().add(tab);
        root.setPrefHeight(180);
        root.getStyleClass().add("activity");
    }

    public TabPane root() {
        return root;
    }
}
