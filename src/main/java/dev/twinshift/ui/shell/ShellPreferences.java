package dev.twinshift.ui.shell;

import dev.twinshift.inventory.Preferences;
import dev.twinshift.inventory.PreferencesStore;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.TaskExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import javafx.animation.PauseTransition;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.util.Duration;

/**
 * The window's preferences while the console runs: the theme as a property the View menu toggles,
 * window bounds and dividers as they are dragged. Changes are written in the background, a burst
 * of them (a drag) once it settles; the last write wins even when writes overlap.
 */
public final class ShellPreferences {
    private final PreferencesStore store;
    private final TaskExecutor tasks;
    private final ObjectProperty<Theme> theme = new SimpleObjectProperty<>(Theme.LIGHT);
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper loaded = new ReadOnlyBooleanWrapper(false);
    private final PauseTransition settle = new PauseTransition(Duration.millis(400));
    private final AtomicLong generation = new AtomicLong();
    private final Object writeLock = new Object();
    private long written;
    private Preferences current = Preferences.defaults();
    /** Off when the file could not be read nor moved aside: it must not be overwritten then. */
    private boolean saving = true;

    public ShellPreferences(PreferencesStore store, TaskExecutor tasks) {
        this.store = store;
        this.tasks = tasks;
        settle.setOnFinished(e -> save());
        theme.addListener((o, a, b) -> {
            if (b != null && !b.key().equals(current.theme())) {
                update(p -> p.withTheme(b.key()));
                save();
            }
        });
    }

    public ObjectProperty<Theme> themeProperty() {
        return theme;
    }

    /** Why the saved preferences were not used (damaged, newer), naming where the file was kept; else empty. */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    /** True once the saved preferences are known (or known to be unusable). */
    public ReadOnlyBooleanProperty loadedProperty() {
        return loaded.getReadOnlyProperty();
    }

    public Preferences current() {
        return current;
    }

    /** Reads the file in the background; {@link #loadedProperty()} turns true when done. */
    public void load() {
        tasks.submit(BackgroundTask.of("Read preferences", p -> store.load())
                .onSuccess(this::use)
                .onFailure(t -> {
                    saving = false;
                    problem.set(BackgroundTask.explain(t) + " Preferences will not be saved this time.");
                    loaded.set(true);
                }));
    }

    /** What {@link PreferencesStore#load()} gave, read before the window was built (no flicker from a late theme). */
    public void use(PreferencesStore.Loaded l) {
        current = l.preferences();
        problem.set(l.problem().orElse(""));
        theme.set(Theme.of(current.theme()));
        loaded.set(true);
    }

    public void setWindow(Preferences.WindowBounds w) {
        update(p -> p.withWindow(w));
        settle.playFromStart();
    }

    public void setDividers(String pane, double[] positions) {
        update(p -> p.withDividers(pane, positions));
        settle.playFromStart();
    }

    private void update(UnaryOperator<Preferences> change) {
        current = change.apply(current);
        generation.incrementAndGet();
    }

    /** Writes the current preferences now, in the background. */
    public void save() {
        settle.stop();
        if (!saving || !loaded.get()) {
            return;
        }
        Preferences p = current;
        long gen = generation.get();
        tasks.submit(BackgroundTask.of("Save preferences", x -> {
            write(p, gen);
            return p;
        }).onFailure(t -> problem.set(BackgroundTask.explain(t))));
    }

    /**
     * The last write as the console closes, on a thread of its own that the JVM waits for: the task
     * pool is stopped with the window, and the FX thread never waits on the disk.
     */
    public void flush() {
        settle.stop();
        if (!saving || !loaded.get()) {
            return;
        }
        Preferences p = current;
        long gen = generation.get();
        Thread t = new Thread(() -> {
            try {
                write(p, gen);
            } catch (RuntimeException e) {
                System.getLogger(ShellPreferences.class.getName()).log(System.Logger.Level.WARNING, e.getMessage(), e);
            }
        }, "twinshift-preferences");
        t.setDaemon(false);
        t.start();
    }

    private void write(Preferences p, long gen) {
        synchronized (writeLock) {
            if (gen < written) {
                return;
            }
            store.save(p);
            written = gen;
        }
    }
}
