package dev.twinshift.ui.logs;

import dev.twinshift.ui.tasks.LogLine;
import java.io.File;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.IndexedCell;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.control.skin.VirtualFlow;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import atlantafx.base.controls.CustomTextField;
import atlantafx.base.theme.Styles;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The log console: a virtualized list of the newest lines that follows the tail until the user
 * scrolls up (then "Jump to end" brings it back), a filter that narrows the lines as one types, a
 * search that moves from match to match, stderr, warnings and errors in their colours, Copy for the
 * selected lines and Save for the whole log (older lines included, from disk).
 */
public final class LogConsole {
    public static final String LIST_ID = "log-list";
    public static final String FILTER_ID = "log-filter";
    public static final String SEARCH_ID = "log-search";
    public static final String NEXT_ID = "log-next";
    public static final String PREVIOUS_ID = "log-previous";
    public static final String MATCHES_ID = "log-matches";
    public static final String JUMP_ID = "log-jump-to-end";
    public static final String COPY_ID = "log-copy";
    public static final String SAVE_ID = "log-save";
    public static final String STATUS_ID = "log-status";
    public static final String SCOPE_ID = "log-scope";
    public static final String SHOW_ALL_ID = "log-show-all";

    private static final DateTimeFormatter FILE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final LogConsoleViewModel model;
    private final ListView<LogLine> list;
    private final Label matchesLabel = new Label();
    private final VBox root;
    private boolean checkQueued;
    private LogLine followedLast;

    public LogConsole(LogConsoleViewModel model) {
        this.model = model;
        list = new ListView<>();
        list.itemsProperty().bind(model.shownProperty());
        list.setId(LIST_ID);
        list.getStyleClass().addAll(LogStyles.LIST, LogStyles.CONSOLE);
        list.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        list.setPlaceholder(new Label("What Twinshift does on your servers is logged here, as it happens."));
        list.setCellFactory(v -> new LineCell());
        // Rows of one height: the list lays out ten thousand rows by arithmetic, not by measuring each.
        list.setFixedCellSize(20);

        CustomTextField filter = field(FILTER_ID, "Filter lines", Feather.FILTER);
        filter.textProperty().bindBidirectional(model.filterProperty());
        filter.setPrefColumnCount(14);

        CustomTextField search = field(SEARCH_ID, "Search", Feather.SEARCH);
        search.textProperty().bindBidirectional(model.searchProperty());
        search.setPrefColumnCount(12);
        search.setOnAction(e -> next());
        search.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ENTER && e.isShiftDown()) {
                previous();
                e.consume();
            }
        });

        Button prev = iconButton(PREVIOUS_ID, Feather.CHEVRON_UP, "Previous match (Shift+Enter, Shift+F3)");
        prev.setOnAction(e -> previous());
        Button nxt = iconButton(NEXT_ID, Feather.CHEVRON_DOWN, "Next match (Enter, F3)");
        nxt.setOnAction(e -> next());
        prev.disableProperty().bind(model.matchesProperty().isEqualTo(0));
        nxt.disableProperty().bind(model.matchesProperty().isEqualTo(0));
        matchesLabel.setId(MATCHES_ID);
        matchesLabel.getStyleClass().add(LogStyles.MATCHES);
        model.matchesProperty().addListener((o, a, b) -> showMatchNumber());
        model.searchProperty().addListener((o, a, b) -> {
            showMatchNumber();
            list.refresh();
        });
        list.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> showMatchNumber());

        Label status = new Label();
        status.setId(STATUS_ID);
        status.getStyleClass().add(LogStyles.STATUS);
        status.textProperty().bind(model.statusProperty());
        status.setMinWidth(Region.USE_PREF_SIZE);

        Button copy = iconButton(COPY_ID, Feather.COPY, "Copy the selected lines (Ctrl+C)");
        copy.disableProperty().bind(Bindings.isEmpty(list.getSelectionModel().getSelectedIndices()));
        copy.setOnAction(e -> copySelection());
        Button save = iconButton(SAVE_ID, Feather.DOWNLOAD, "Save the whole log to a file, older lines included");
        save.setOnAction(e -> chooseAndSave(() -> list.getScene() == null ? null : list.getScene().getWindow()));

        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox bar = new HBox(6, filter, search, prev, nxt, matchesLabel, gap, status, copy, save);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add(LogStyles.TOOLBAR);

        Label scopeText = new Label();
        scopeText.setId(SCOPE_ID);
        Button showAll = new Button("Show all lines");
        showAll.setId(SHOW_ALL_ID);
        showAll.getStyleClass().add(Styles.SMALL);
        showAll.setOnAction(e -> model.scopeProperty().set(null));
        HBox scopeBar = new HBox(8, scopeText, showAll);
        scopeBar.setAlignment(Pos.CENTER_LEFT);
        scopeBar.getStyleClass().add(LogStyles.SCOPE_BAR);
        scopeText.textProperty().bind(Bindings.createStringBinding(
                () -> model.scopeProperty().get() == null ? "" : "Lines of " + model.scopeProperty().get().title(), model.scopeProperty()));
        scopeBar.visibleProperty().bind(model.scopeProperty().isNotNull());
        scopeBar.managedProperty().bind(scopeBar.visibleProperty());

        Button jump = new Button();
        jump.setId(JUMP_ID);
        jump.getStyleClass().addAll(LogStyles.JUMP_TO_END, Styles.ACCENT);
        jump.setGraphic(icon(Feather.ARROW_DOWN));
        jump.textProperty().bind(Bindings.createStringBinding(() -> model.unseenProperty().get() == 0 ? "Jump to end"
                : String.format("Jump to end (%,d new)", model.unseenProperty().get()), model.unseenProperty()));
        jump.visibleProperty().bind(model.followingProperty().not());
        jump.setOnAction(e -> jumpToEnd());
        StackPane.setAlignment(jump, Pos.BOTTOM_RIGHT);
        StackPane listPane = new StackPane(list, jump);
        StackPane.setMargin(jump, new javafx.geometry.Insets(0, 22, 10, 0));
        VBox.setVgrow(listPane, Priority.ALWAYS);

        root = new VBox(4, bar, scopeBar, listPane);
        root.getStyleClass().add(LogStyles.PANE);

        // Follow the tail as a terminal does: once per frame, after the frame's lines have arrived (the
        // list has heard of them, so the scroll goes to the new end) and before the layout that shows them.
        Runnable follow = () -> {
            List<LogLine> items = list.getItems();
            LogLine last = items == null || items.isEmpty() ? null : items.get(items.size() - 1);
            if (last != followedLast && model.followingProperty().get()) {
                scrollToEnd();
            }
            followedLast = last;
        };
        list.sceneProperty().addListener((o, a, b) -> {
            if (a != null) {
                a.removePreLayoutPulseListener(follow);
            }
            if (b != null) {
                b.addPreLayoutPulseListener(follow);
            }
        });
        model.followingProperty().addListener((o, a, b) -> {
            if (b) {
                scrollToEnd();
            }
        });
        // Only the user's own scrolling decides whether to follow: scrolled up stops it, back at the end resumes.
        list.addEventFilter(ScrollEvent.SCROLL, e -> queueFollowCheck());
        list.addEventFilter(MouseEvent.MOUSE_DRAGGED, e -> queueFollowCheck());
        list.addEventFilter(MouseEvent.MOUSE_RELEASED, e -> queueFollowCheck());
        list.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            switch (e.getCode()) {
                case UP, DOWN, PAGE_UP, PAGE_DOWN, HOME, END -> queueFollowCheck();
                default -> { }
            }
        });
        KeyCombination copyKey = new KeyCodeCombination(KeyCode.C, KeyCombination.SHORTCUT_DOWN);
        list.addEventHandler(KeyEvent.KEY_PRESSED, e -> {
            if (copyKey.match(e)) {
                copySelection();
                e.consume();
            }
        });
        KeyCombination find = new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN);
        root.addEventHandler(KeyEvent.KEY_PRESSED, e -> {
            if (find.match(e)) {
                search.requestFocus();
                e.consume();
            } else if (e.getCode() == KeyCode.F3) {
                if (e.isShiftDown()) {
                    previous();
                } else {
                    next();
                }
                e.consume();
            }
        });
    }

    public VBox root() {
        return root;
    }

    public ListView<LogLine> list() {
        return list;
    }

    /** Selects the next line the search finds and brings it into view. */
    public void next() {
        select(model.nextMatch(list.getSelectionModel().getSelectedIndex()));
    }

    public void previous() {
        select(model.previousMatch(list.getSelectionModel().getSelectedIndex()));
    }

    private void select(int i) {
        if (i < 0) {
            return;
        }
        // Reading a match is reading back: new lines must not pull it out of sight.
        model.followingProperty().set(i == model.shown().size() - 1);
        list.getSelectionModel().clearAndSelect(i);
        list.scrollTo(Math.max(0, i - visibleRows() / 2));
        showMatchNumber();
    }

    private int visibleRows() {
        return (int) Math.max(1, list.getHeight() / list.getFixedCellSize());
    }

    public void jumpToEnd() {
        model.followingProperty().set(true);
        scrollToEnd();
    }

    private void scrollToEnd() {
        if (model.shown().isEmpty()) {
            return;
        }
        // scrollTo brings the row count up to date and the last row near the top; position 1 is the very
        // end, the last row's bottom on the list's bottom.
        list.scrollTo(model.shown().size() - 1);
        if (list.lookup(".virtual-flow") instanceof VirtualFlow<?> flow) {
            flow.setPosition(1.0);
        }
    }

    private void showMatchNumber() {
        int n = model.matchesProperty().get();
        String s = model.searchProperty().get();
        if (s == null || s.isEmpty()) {
            matchesLabel.setText("");
            return;
        }
        int k = model.matchNumber(list.getSelectionModel().getSelectedIndex());
        matchesLabel.setText(n == 0 ? "no match" : k > 0 ? String.format("%,d of %,d", k, n) : String.format("%,d found", n));
    }

    private void queueFollowCheck() {
        if (checkQueued) {
            return;
        }
        checkQueued = true;
        // After the list has handled the event and moved its rows.
        Platform.runLater(() -> {
            checkQueued = false;
            model.followingProperty().set(lastLineInSight());
        });
    }

    /** Whether the newest shown line is at least partly in sight. */
    boolean lastLineInSight() {
        if (model.shown().isEmpty()) {
            return true;
        }
        if (!(list.lookup(".virtual-flow") instanceof VirtualFlow<?> flow)) {
            return true;
        }
        IndexedCell<?> last = flow.getLastVisibleCell();
        return last != null && last.getIndex() >= model.shown().size() - 1;
    }

    private void copySelection() {
        List<LogLine> selected = List.copyOf(list.getSelectionModel().getSelectedItems());
        if (selected.isEmpty()) {
            return;
        }
        ClipboardContent c = new ClipboardContent();
        c.putString(LogConsoleViewModel.copyText(selected));
        Clipboard.getSystemClipboard().setContent(c);
    }

    private void chooseAndSave(Supplier<Window> owner) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Save the log");
        chooser.setInitialFileName("twinshift-" + LocalDateTime.now().format(FILE_STAMP) + ".log");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Log files", "*.log", "*.txt"),
                new FileChooser.ExtensionFilter("All files", "*"));
        File f = chooser.showSaveDialog(owner.get());
        if (f != null) {
            model.save(Path.of(f.getPath()));
        }
    }

    /**
     * A text field with its icon and a clear button, from the theme's own controls: ControlsFX's
     * clearable field is styled for Modena and reads wrong under AtlantaFX.
     */
    private static CustomTextField field(String id, String prompt, Feather f) {
        CustomTextField t = new CustomTextField();
        t.setId(id);
        t.setPromptText(prompt);
        t.setLeft(icon(f));
        FontIcon clear = icon(Feather.X);
        clear.setCursor(javafx.scene.Cursor.HAND);
        clear.setOnMouseClicked(e -> t.clear());
        clear.visibleProperty().bind(t.textProperty().isNotEmpty());
        t.setRight(clear);
        return t;
    }

    private static FontIcon icon(Feather f) {
        FontIcon i = new FontIcon(f);
        i.getStyleClass().add(LogStyles.ICON);
        return i;
    }

    private static Button iconButton(String id, Feather f, String tip) {
        Button b = new Button(null, icon(f));
        b.setId(id);
        b.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
        b.setTooltip(new Tooltip(tip));
        return b;
    }

    /** A line: its text, its colour (stderr, warning, error) and whether the search finds it. */
    private final class LineCell extends ListCell<LogLine> {
        LineCell() {
            getStyleClass().add(LogStyles.LINE);
        }

        @Override
        protected void updateItem(LogLine item, boolean empty) {
            super.updateItem(item, empty);
            boolean line = !empty && item != null;
            setText(line ? item.formatted() : null);
            mark(LogStyles.STDERR, line && item.stderr());
            mark(LogStyles.WARNING, line && item.level() == LogLine.Level.WARNING);
            mark(LogStyles.ERROR, line && item.level() == LogLine.Level.ERROR);
            mark(LogStyles.MATCH, line && model.isMatch(item));
        }

        /**
         * A class changed means the row's styles are matched again: rows are reused for new lines on
         * every frame, so a class is touched only when the new line differs from the old one.
         */
        private void mark(String styleClass, boolean on) {
            if (getStyleClass().contains(styleClass) != on) {
                if (on) {
                    getStyleClass().add(styleClass);
                } else {
                    getStyleClass().remove(styleClass);
                }
            }
        }
    }
}
