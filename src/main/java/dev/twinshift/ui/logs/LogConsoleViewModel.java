package dev.twinshift.ui.logs;

import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.LogLine;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.ui.tasks.TaskExecutor;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * The log console's state: which lines are shown (the filter, one task's lines), what the search
 * finds, whether the view follows the tail, and saving the whole log. Its properties belong to the FX
 * thread; the lines come from a {@link LogBuffer} drained once per frame.
 */
public final class LogConsoleViewModel {

    /** Only the lines of one task. */
    public record Scope(int task, String title) { }

    private final LogBuffer log;
    private final TaskExecutor tasks;
    private final StringProperty filter = new SimpleStringProperty(this, "filter", "");
    private final StringProperty search = new SimpleStringProperty(this, "search", "");
    private final ObjectProperty<Scope> scope = new SimpleObjectProperty<>(this, "scope");
    private final ReadOnlyObjectWrapper<ObservableList<LogLine>> shown = new ReadOnlyObjectWrapper<>(this, "shown");
    private final ReadOnlyIntegerWrapper matches = new ReadOnlyIntegerWrapper(this, "matches");
    private final BooleanProperty following = new SimpleBooleanProperty(this, "following", true);
    private final ReadOnlyLongWrapper unseen = new ReadOnlyLongWrapper(this, "unseen");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyStringWrapper saved = new ReadOnlyStringWrapper(this, "saved", "");
    private final ListChangeListener<LogLine> matchCounter = c -> {
        int delta = 0;
        while (c.next()) {
            delta -= count(c.getRemoved());
            if (c.wasAdded()) {
                delta += count(c.getAddedSubList());
            }
        }
        matches.set(matches.get() + delta);
    };

    public LogConsoleViewModel(LogBuffer log, TaskExecutor tasks) {
        this.log = log;
        this.tasks = tasks;
        show(log.entries());
        filter.addListener((o, a, b) -> refilter());
        scope.addListener((o, a, b) -> refilter());
        search.addListener((o, a, b) -> matches.set(count(shown.get())));
        log.entries().addListener((ListChangeListener<LogLine>) c -> {
            if (following.get()) {
                return;
            }
            long added = 0;
            while (c.next()) {
                added += c.getAddedSize();
            }
            unseen.set(unseen.get() + added);
        });
        following.addListener((o, a, b) -> {
            if (b) {
                unseen.set(0);
            }
        });
        log.entries().addListener((ListChangeListener<LogLine>) c -> updateStatus());
        updateStatus();
    }

    private void refilter() {
        String f = filter.get() == null ? "" : filter.get().strip();
        Scope s = scope.get();
        if (f.isEmpty() && s == null) {
            show(log.entries());
        } else {
            Predicate<LogLine> p = l -> (s == null || l.task() == s.task()) && (f.isEmpty() || matches(l, f));
            if (shown.get() instanceof FilteredList<LogLine> narrowed) {
                narrowed.setPredicate(p);
            } else {
                show(new FilteredList<>(log.entries(), p));
            }
        }
        matches.set(count(shown.get()));
        updateStatus();
    }

    /**
     * Unfiltered, the view shows the log's own list: a frame that brings thousands of lines then costs
     * one change of one list, not a filtered copy kept in step as well. A filtered list is made when a
     * filter is set and dropped when it is cleared.
     */
    private void show(ObservableList<LogLine> lines) {
        ObservableList<LogLine> old = shown.get();
        if (old == lines) {
            return;
        }
        if (old != null) {
            old.removeListener(matchCounter);
        }
        lines.addListener(matchCounter);
        shown.set(lines);
        matches.set(count(lines));
    }

    private int count(List<? extends LogLine> lines) {
        String s = search.get();
        if (s == null || s.isEmpty()) {
            return 0;
        }
        int n = 0;
        for (LogLine l : lines) {
            if (matches(l, s)) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@code l}'s source or text contains {@code what}, in any case. */
    static boolean matches(LogLine l, String what) {
        return containsIgnoreCase(l.text(), what) || containsIgnoreCase(l.source(), what);
    }

    static boolean containsIgnoreCase(String hay, String needle) {
        int n = needle.length();
        if (n == 0) {
            return true;
        }
        char first = needle.charAt(0);
        char lower = Character.toLowerCase(first);
        char upper = Character.toUpperCase(first);
        for (int i = 0, max = hay.length() - n; i <= max; i++) {
            char c = hay.charAt(i);
            if ((c == lower || c == upper || c == first) && hay.regionMatches(true, i, needle, 0, n)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the search finds this line: the view highlights it. */
    public boolean isMatch(LogLine l) {
        String s = search.get();
        return s != null && !s.isEmpty() && matches(l, s);
    }

    /** The first line after {@code from} (an index in {@link #shown()}) that the search finds, wrapping; -1 if none. */
    public int nextMatch(int from) {
        return step(from, 1);
    }

    /** The first line before {@code from} that the search finds, wrapping; -1 if none. */
    public int previousMatch(int from) {
        return step(from, -1);
    }

    private int step(int from, int dir) {
        List<LogLine> shown = this.shown.get();
        int n = shown.size();
        if (n == 0 || matches.get() == 0) {
            return -1;
        }
        int start = from < 0 || from >= n ? (dir > 0 ? -1 : n) : from;
        for (int k = 1; k <= n; k++) {
            int i = Math.floorMod(start + dir * k, n);
            if (isMatch(shown.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Which match the line at {@code index} is, from 1; 0 when it is none. */
    public int matchNumber(int index) {
        List<LogLine> shown = this.shown.get();
        if (index < 0 || index >= shown.size() || !isMatch(shown.get(index))) {
            return 0;
        }
        int k = 0;
        for (int i = 0; i <= index; i++) {
            if (isMatch(shown.get(i))) {
                k++;
            }
        }
        return k;
    }

    /** The lines as a saved log has them, one per line, for the clipboard. */
    public static String copyText(List<LogLine> lines) {
        return lines.stream().map(LogLine::formatted).collect(Collectors.joining("\n", "", lines.isEmpty() ? "" : "\n"));
    }

    /**
     * Writes the whole log (the lines already on disk, then those in memory) to {@code target}, as a
     * task: the file is written off the FX thread, and the task center shows it.
     */
    public TaskExecutor.TaskHandle save(Path target) {
        return tasks.submit(BackgroundTask.of("Save the log to " + target.getFileName(), p -> {
            p.message(target.toString());
            log.saveTo(target);
            return log.total();
        }).cancel(TaskCancel.refused("Saving writes a file on this computer and takes seconds at most: it runs to its end."))
                .onSuccess(n -> saved.set(String.format("Saved %,d lines to %s", n, target)))
                .onFailure(e -> saved.set("Could not save the log to " + target + ": " + BackgroundTask.explain(e))));
    }

    private void updateStatus() {
        long onDisk = log.dropped();
        StringBuilder b = new StringBuilder();
        if (filter.get() != null && !filter.get().isBlank() || scope.get() != null) {
            b.append(String.format("%,d of %,d lines", shown.get().size(), log.entries().size()));
        } else {
            b.append(String.format("%,d lines", log.entries().size()));
        }
        if (onDisk > 0) {
            b.append(String.format(" · %,d older on disk (Save writes them too)", onDisk));
        }
        status.set(b.toString());
    }

    /** The lines shown: the log's newest, narrowed by the filter and the task. */
    public ObservableList<LogLine> shown() {
        return shown.get();
    }

    public ReadOnlyObjectProperty<ObservableList<LogLine>> shownProperty() {
        return shown.getReadOnlyProperty();
    }

    public LogBuffer log() {
        return log;
    }

    /** Narrows the lines to those whose text or source contains it, in any case. */
    public StringProperty filterProperty() {
        return filter;
    }

    public StringProperty searchProperty() {
        return search;
    }

    /** Only one task's lines, or all when null. */
    public ObjectProperty<Scope> scopeProperty() {
        return scope;
    }

    /** How many shown lines the search finds. */
    public ReadOnlyIntegerProperty matchesProperty() {
        return matches.getReadOnlyProperty();
    }

    /** Whether the view keeps the newest line in sight; the view clears it when the user scrolls up. */
    public BooleanProperty followingProperty() {
        return following;
    }

    /** Lines that arrived since the view stopped following. */
    public ReadOnlyLongProperty unseenProperty() {
        return unseen.getReadOnlyProperty();
    }

    /** How many lines there are, and how many older ones are on disk. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** What the last save did. */
    public ReadOnlyStringProperty savedProperty() {
        return saved.getReadOnlyProperty();
    }
}
