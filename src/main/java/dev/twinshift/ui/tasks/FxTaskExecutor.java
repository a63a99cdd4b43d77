package dev.twinshift.ui.tasks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * Runs each {@link BackgroundTask} as a JavaFX {@link Task} on a daemon pool. Running tasks are
 * listed in {@link #running()}, each with what its Cancel does; {@link #tasks()} keeps them listed
 * with their outcome once they end. Log lines go to a batched {@link LogBuffer}, marked with the task
 * that wrote them.
 */
public final class FxTaskExecutor implements TaskExecutor {
    /** Finished tasks kept listed with their outcome, newest first; older ones leave the list. */
    public static final int KEEP_FINISHED = 50;

    private final AtomicInteger seq = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "twinshift-task-" + seq.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private final ObservableList<RunningTask> running = FXCollections.observableArrayList();
    private final ObservableList<RunningTask> tasks = FXCollections.observableArrayList();
    private final List<Consumer<RunningTask>> finished = new CopyOnWriteArrayList<>();
    private final LogBuffer log;

    public FxTaskExecutor(LogBuffer log) {
        this.log = log;
    }

    /** Tasks under way, for a progress view; changed on the FX thread only. */
    public ObservableList<RunningTask> running() {
        return running;
    }

    /**
     * Tasks under way and the last {@value #KEEP_FINISHED} that ended, newest first, for the task
     * center; changed on the FX thread only.
     */
    public ObservableList<RunningTask> tasks() {
        return tasks;
    }

    /** {@code c} is told on the FX thread of each task that ends, after its outcome is set. */
    public void onFinished(Consumer<RunningTask> c) {
        finished.add(c);
    }

    /** The log lines go to. */
    public LogBuffer log() {
        return log;
    }

    /** How a task ended, or that it has not. */
    public enum Outcome {
        RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public boolean ended() {
            return this != RUNNING;
        }
    }

    /** A task, under way or ended, and what its Cancel button offers now. */
    public static final class RunningTask {
        private final int id;
        private final String title;
        private final Task<?> task;
        private final TaskCancel cancel;
        private final LogBuffer log;
        private final ReadOnlyObjectWrapper<TaskCancel.Offer> offer;
        private final ReadOnlyObjectWrapper<Outcome> outcome = new ReadOnlyObjectWrapper<>(Outcome.RUNNING);
        private final long startedNanos = System.nanoTime();
        private volatile long endedNanos;
        private String outcomeText = "";

        RunningTask(int id, String title, Task<?> task, TaskCancel cancel, LogBuffer log) {
            this.id = id;
            this.title = title;
            this.task = task;
            this.cancel = cancel;
            this.log = log;
            this.offer = new ReadOnlyObjectWrapper<>(cancel.offer());
            // The operation's news come from its worker thread; the offer is an FX property.
            cancel.onChange(() -> runOnFx(() -> offer.set(cancel.offer())));
        }

        /** Marks its log lines: {@link LogLine#task()}. */
        public int id() {
            return id;
        }

        /** Its title as submitted (the task's own title property is set once it runs). */
        public String title() {
            return title;
        }

        /** For its title, message and progress. */
        public Task<?> task() {
            return task;
        }

        public ReadOnlyObjectProperty<TaskCancel.Offer> offerProperty() {
            return offer.getReadOnlyProperty();
        }

        public ReadOnlyObjectProperty<Outcome> outcomeProperty() {
            return outcome.getReadOnlyProperty();
        }

        /** For a failure, what went wrong as {@link BackgroundTask#explain} says it; else empty. */
        public String outcomeText() {
            return outcomeText;
        }

        /** Time since it started, or how long it ran once it ended. */
        public Duration elapsed() {
            long end = endedNanos;
            return Duration.ofNanos((end != 0 ? end : System.nanoTime()) - startedNanos);
        }

        void end(Outcome o, String text) {
            endedNanos = System.nanoTime();
            outcomeText = text;
            outcome.set(o);
        }

        /**
         * What the Cancel button does: nothing when refused; interrupts only work that changes
         * nothing; otherwise asks the operation, which acts at its next step boundary.
         */
        public void cancel() {
            TaskCancel.Offer o = cancel.offer();
            if (!o.enabled() || outcome.get().ended()) {
                return;
            }
            log.append(id, title, (o.kind() == TaskCancel.Offer.Kind.ROLL_BACK ? "roll back asked: " : "cancel asked: ")
                    + o.text(), false);
            if (cancel.interruptsThread()) {
                task.cancel(true);
            } else {
                cancel.request();
                offer.set(cancel.offer());
            }
        }

        @Override
        public String toString() {
            return title + " (" + outcome.get() + ")";
        }
    }

    @Override
    public <V> TaskHandle submit(BackgroundTask<V> bt) {
        int id = ids.incrementAndGet();
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
                        log.append(id, bt.title(), line, false);
                    }

                    @Override
                    public void logError(String line) {
                        log.append(id, bt.title(), line, true);
                    }

                    @Override
                    public boolean isCancelled() {
                        return self.isCancelled();
                    }
                });
            }
        };
        RunningTask entry = new RunningTask(id, bt.title(), task, bt.cancelPolicy(), log);
        task.setOnSucceeded(e -> {
            finish(entry, Outcome.SUCCEEDED, "");
            bt.successHandler().accept(task.getValue());
        });
        task.setOnFailed(e -> {
            Throwable ex = task.getException();
            String why = BackgroundTask.explain(ex);
            log.append(id, bt.title(), "failed: " + why, false);
            finish(entry, Outcome.FAILED, why);
            bt.failureHandler().accept(ex);
        });
        task.setOnCancelled(e -> {
            log.append(id, bt.title(), "cancelled", false);
            finish(entry, Outcome.CANCELLED, "");
            bt.cancelledHandler().run();
        });
        if (pool.isShutdown()) {
            // The console is closing (a window's last refresh): nothing would show the result.
            return TaskHandle.DONE;
        }
        runOnFx(() -> {
            running.add(entry);
            tasks.add(0, entry);
        });
        try {
            pool.submit(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // Shut down between the look above and here: the same closing console, the same answer.
            runOnFx(() -> {
                running.remove(entry);
                tasks.remove(entry);
            });
            return TaskHandle.DONE;
        }
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

    private void finish(RunningTask entry, Outcome o, String text) {
        running.remove(entry);
        entry.end(o, text);
        int ended = 0;
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i).outcomeProperty().get().ended() && ++ended > KEEP_FINISHED) {
                tasks.remove(i--);
            }
        }
        for (Consumer<RunningTask> c : finished) {
            c.accept(entry);
        }
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
