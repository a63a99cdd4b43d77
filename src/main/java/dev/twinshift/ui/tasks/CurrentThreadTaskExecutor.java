package dev.twinshift.ui.tasks;

/**
 * Runs tasks at once on the calling thread: view models can be tested without an FX thread or
 * timing, and the result is there when submit returns.
 */
public final class CurrentThreadTaskExecutor implements TaskExecutor {
    @Override
    public <V> TaskHandle submit(BackgroundTask<V> task) {
        try {
            V v = task.work().call(new BackgroundTask.Progress() {
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
            task.successHandler().accept(v);
        } catch (Exception e) {
            task.failureHandler().accept(e);
        }
        return TaskHandle.DONE;
    }

    @Override
    public void deliver(Runnable r) {
        r.run();
    }

    @Override
    public void shutdown() { }
}
