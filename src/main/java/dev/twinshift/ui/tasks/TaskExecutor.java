package dev.twinshift.ui.tasks;

/** Runs background work; the task's callbacks land on the FX thread (or the caller's, in tests). */
public interface TaskExecutor {
    <V> TaskHandle submit(BackgroundTask<V> task);

    void shutdown();

    interface TaskHandle {
        void cancel();

        boolean isDone();
    }
}
