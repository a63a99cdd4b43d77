package dev.twinshift.ui.tasks;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * Runs each {@link BackgroundTask} as a JavaFX {@link Task} on a daemon pool. Running tasks are
 * listed in {@link #running()} for the activity panel, each with what its Cancel does; log lines go
 * to a batched {@link LogBuffer}.
 */
public final class FxTaskExecutor implements TaskExecutor {
    private final AtomicInteger seq = new AtomicInteger();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "twinshift-task-" + seq.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private final ObservableList<RunningTask> running = FXCollections.observableArrayList();
    private final LogBuffer log;

    public FxTaskExecutor(LogBuffer log) {
        this.log = log;
    }

    /** Tasks under way, for a progress view; changed on the FX thread only. */
    public ObservableList<RunningTask> running() {
        return running;
    }

    /** A task under way and what its Cancel button offers now. */
    public static final class RunningTask {
        private final Task<?> task;
        private final TaskCancel cancel;
        private final LogBuffer log;
        private final ReadOnlyObjectWrapper<TaskCancel.Offer> offer;

        RunningTask(Task<?> task, TaskCancel cancel, LogBuffer log) {
            this.task = task;
            this.cancel = cancel;
            this.log = log;
            this.offer = new ReadOnlyObjectWrapper<>(cancel.offer());
            // The operation's news come from its worker thread; the offer is an FX property.
            cancel.onChange(() -> runOnFx(() -> offer.set(cancel.offer())));
        }

        /** For its title, message and progress. */
        public Task<?> task() {
            return task;
        }

        public ReadOnlyObjectProperty<TaskCancel.Offer> offerProperty() {
            return offer.getReadOnlyProperty();
        }

        /**
         * What the Cancel button does: nothing when refused; interrupts only work that changes
         * nothing; otherwise asks the operation, which acts at its next step boundary.
         */
        public void cancel() {
            TaskCancel.Offer o = cancel.offer();
            if (!o.enabled()) {
                return;
            }
            log.append(task.getTitle(), (o.kind() == TaskCancel.Offer.Kind.ROLL_BACK ? "roll back asked: " : "cancel asked: ")
                    + o.text());
            if (cancel.interruptsThread()) {
                task.cancel(true);
            } else {
                cancel.request();
                offer.set(cancel.offer());
            }
        }
    }

    @Override
    public <V> TaskHandle submit(BackgroundTask<V> bt) {
        Task<V> task = new Task<>() {
            @Override
            protected V call() throws Exception {
                updateTitle(bt.title());
                updateProgress(-1, 1);
                Task<V> self = this;
                return bt.work().call(new BackgroundTask.Progress() {
                    @Override
                    public void message(String text) {
                        updateMessage(text);
                    }

                    @Override
                    public void progress(double done) {
                        if (done < 0) {
                            updateProgress(-1, 1);
                        } else {
                            updateProgress(done, 1.0);
                        }
                    }

                    @Override
                    public void log(String line) {
                        log.append(bt.title(), line);
                    }

                    @Override
                    public boolean isCancelled() {
                        return self.isCancelled();
                    }
                });
            }
        };
        RunningTask entry = new RunningTask(task, bt.cancelPolicy(), log);
        task.setOnSucceeded(e -> {
            running.remove(entry);
            bt.successHandler().accept(task.getValue());
        });
        task.setOnFailed(e -> {
            running.remove(entry);
            Throwable ex = task.getException();
            log.append(bt.title(), "failed: " + (ex == null ? "unknown error" : ex.getMessage()));
            bt.failureHandler().accept(ex);
        });
        task.setOnCancelled(e -> {
            running.remove(entry);
            log.append(bt.title(), "cancelled");
            bt.cancelledHandler().run();
        });
        if (pool.isShutdown()) {
            // The console is closing (a window's last refresh): nothing would show the result.
            return TaskHandle.DONE;
        }
        runOnFx(() -> running.add(entry));
        pool.submit(task);
        return new TaskHandle() {
            @Override
            public void cancel() {
                runOnFx(entry::cancel);
            }

            @Override
            public boolean isDone() {
                return task.isDone();
            }
        };
    }

    private static void runOnFx(Runnable r) {
        if (Platform.isFxApplicationThread()) {
            r.run();
        } else {
            Platform.runLater(r);
        }
    }

    @Override
    public void deliver(Runnable r) {
        runOnFx(r);
    }

    @Override
    public void shutdown() {
        pool.shutdownNow();
    }
}
