package dev.twinshift.ui.tasks;

import java.util.ArrayList;
import java.util.List;

/**
 * Holds submitted tasks until the test runs them, one at a time and in any order, on the test's
 * thread: overlapping tasks and a selection changed before a task runs become plain steps of a test.
 */
public final class ManualTaskExecutor implements TaskExecutor {
    private final List<BackgroundTask<?>> pending = new ArrayList<>();

    @Override
    public <V> TaskHandle submit(BackgroundTask<V> task) {
        pending.add(task);
        return new TaskHandle() {
            @Override
            public void cancel() {
                task.cancelPolicy().request();
            }

            @Override
            public boolean isDone() {
                return !pending.contains(task);
            }
        };
    }

    /** Tasks submitted and not yet run, oldest first. */
    public List<BackgroundTask<?>> pending() {
        return List.copyOf(pending);
    }

    /** Runs the i-th pending task to its end: its work, then its success or failure callback. */
    public void run(int i) {
        run(pending.remove(i));
    }

    /** Ends the i-th pending task as cancelled, without running its work. */
    public void cancel(int i) {
        pending.remove(i).cancelledHandler().run();
    }

    private static <V> void run(BackgroundTask<V> task) {
        V v;
        try {
            v = task.work().call(new BackgroundTask.Progress() {
                @Override
                public void message(String text) { }

                @Override
                public void progress(double done) { }

                @Override
                public void log(String line) { }

                @Override
                public boolean isCancelled() {
                    return false;
                }
            });
        } catch (Exception e) {
            task.failureHandler().accept(e);
            return;
        }
        task.successHandler().accept(v);
    }

    @Override
    public void deliver(Runnable r) {
        r.run();
    }

    @Override
    public void shutdown() { }
}
