package dev.twinshift.ui.tasks;

import dev.twinshift.ssh.SshException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Work that must stay off the FX thread (network, disk), with callbacks that a
 * {@link TaskExecutor} delivers on the FX thread.
 */
public final class BackgroundTask<V> {

    /** What the work can report while it runs; callable from the worker thread. */
    public interface Progress {
        void message(String text);

        /** @param done fraction 0..1, or negative for indeterminate */
        void progress(double done);

        void log(String line);

        /** A line of a command's error output: the console shows it apart from the rest. */
        default void logError(String line) {
            log(line);
        }

        boolean isCancelled();
    }

    @FunctionalInterface
    public interface Work<V> {
        V call(Progress progress) throws Exception;
    }

    private final String title;
    private final Work<V> work;
    private Consumer<V> onSuccess = v -> { };
    private Consumer<Throwable> onFailure = t -> { };
    private Runnable onCancelled = () -> { };
    private TaskCancel cancel = TaskCancel.refused(TaskCancel.RUNS_TO_ITS_END);

    private BackgroundTask(String title, Work<V> work) {
        this.title = Objects.requireNonNull(title);
        this.work = Objects.requireNonNull(work);
    }

    public static <V> BackgroundTask<V> of(String title, Work<V> work) {
        return new BackgroundTask<>(title, work);
    }

    public BackgroundTask<V> onSuccess(Consumer<V> c) {
        this.onSuccess = c;
        return this;
    }

    public BackgroundTask<V> onFailure(Consumer<Throwable> c) {
        this.onFailure = c;
        return this;
    }

    public BackgroundTask<V> onCancelled(Runnable r) {
        this.onCancelled = r;
        return this;
    }

    /** What Cancel does for this task; by default it is refused (see {@link TaskCancel#RUNS_TO_ITS_END}). */
    public BackgroundTask<V> cancel(TaskCancel c) {
        this.cancel = java.util.Objects.requireNonNull(c);
        return this;
    }

    public TaskCancel cancelPolicy() {
        return cancel;
    }

    public String title() {
        return title;
    }

    public Work<V> work() {
        return work;
    }

    public Consumer<V> successHandler() {
        return onSuccess;
    }

    public Consumer<Throwable> failureHandler() {
        return onFailure;
    }

    public Runnable cancelledHandler() {
        return onCancelled;
    }

    /** How a failed task's cause reads to the user: an SSH failure with what to do next, else its message. */
    public static String explain(Throwable failure) {
        if (failure instanceof SshException se) {
            return se.explain();
        }
        return failure == null ? "unknown error" : String.valueOf(failure.getMessage());
    }
}
