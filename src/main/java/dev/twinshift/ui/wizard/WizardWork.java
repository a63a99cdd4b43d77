package dev.twinshift.ui.wizard;

import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.ui.tasks.TaskExecutor;
import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradeState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * The one way the wizard's pages reach the engine: a background task at a time, its title shown while
 * it runs, its failure or cancellation said in the message line, and every change reported back so
 * the coordinator can recompute what may be pressed.
 */
final class WizardWork {
    interface Call<V> {
        V call(BackgroundTask.Progress p) throws Exception;
    }

    final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    final ReadOnlyStringWrapper busyText = new ReadOnlyStringWrapper("");
    final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");

    private final TaskExecutor tasks;
    private final UpgradeEngine engine;
    private final LogBuffer log;
    private Runnable changed = () -> { };

    WizardWork(TaskExecutor tasks, UpgradeEngine engine, LogBuffer log) {
        this.tasks = tasks;
        this.engine = engine;
        this.log = log;
    }

    UpgradeEngine engine() {
        return engine;
    }

    LogBuffer log() {
        return log;
    }

    void onChanged(Runnable r) {
        changed = r;
    }

    void changed() {
        changed.run();
    }

    void say(String text) {
        message.set(text == null ? "" : text);
    }

    /** Cancel goes to the engine, which acts at its next step boundary; the journal names who asked. */
    TaskCancel byRequest(CancelRequest cancel) {
        return TaskCancel.byRequest(cancel, engine.actor());
    }

    <V> void run(String title, Call<V> work, TaskCancel cancel, Consumer<V> done) {
        busy.set(true);
        busyText.set(title + " ...");
        message.set("");
        changed();
        tasks.submit(BackgroundTask.of(title, p -> {
            p.log(title);
            return work.call(p);
        }).onSuccess(v -> {
            idle();
            done.accept(v);
            changed();
        }).onFailure(t -> {
            idle();
            message.set(WizardText.failed(title, BackgroundTask.explain(t)));
            changed();
        }).onCancelled(() -> {
            // Only work that changes nothing can be cancelled this way: there is nothing to undo.
            idle();
            message.set(WizardText.cancelled(title));
            changed();
        }).cancel(cancel));
    }

    private void idle() {
        busy.set(false);
        busyText.set("");
    }

    /** The engine's step news, onto {@code steps} through the executor, and every line into the log. */
    UpgradeListener listener(StepList steps, BackgroundTask.Progress p) {
        Map<String, Long> started = new ConcurrentHashMap<>();
        return new UpgradeListener() {
            private volatile String current = "";

            @Override
            public void step(String step, String st, String msg) {
                p.log(step + ": " + st.toLowerCase() + (msg == null ? "" : " - " + msg));
                // Kept while the window is closed too (the buffer bounds it): reopened, it shows no gap.
                log.append(step, st.toLowerCase() + (msg == null ? "" : ": " + msg));
                if ("outcome".equals(step)) {
                    return;
                }
                current = step;
                long now = System.nanoTime();
                switch (st) {
                    case UpgradeState.STARTED -> {
                        started.put(step, now);
                        tasks.deliver(() -> steps.update(step, StepState.RUNNING, -1, msg == null ? steps.title(step) : msg));
                    }
                    case UpgradeState.DONE, UpgradeState.FAILED -> {
                        Long t0 = started.get(step);
                        long ms = t0 == null ? -1 : (now - t0) / 1_000_000;
                        StepState s = UpgradeState.DONE.equals(st) ? StepState.DONE : StepState.FAILED;
                        tasks.deliver(() -> steps.update(step, s, ms, msg == null ? "" : msg));
                    }
                    default -> { }
                }
            }

            @Override
            public void log(String line) {
                log.append(current, line);
            }
        };
    }
}
