package dev.twinshift.ui.tasks;

/** Runs background work; the task's callbacks land on the FX thread (or the caller's, in tests). */
public interface TaskExecutor {
    <V> TaskHandle submit(BackgroundTask<V> task);

    /**
     * Runs {@code r} where the callbacks land: for news a task reports while it runs (a step started)
     * that a view model must apply on the thread that owns its properties.
     */
    void deliver(Runnable r);

    void shutdown();

    interface TaskHandle {
        /** A task that has already ended (ran at once, or was never started): nothing to cancel. */
        TaskHandle DONE = new TaskHandle() {
            @Override
            public void cancel() { }

            @Override
            public boolean isDone() {
                return true;
            }
        };

        /** As the Cancel button does: the task's {@link TaskCancel} decides what, if anything, happens. */
        void cancel();

        boolean isDone();
    }
}
