package dev.twinshift.ui.wizard;

import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.LockedException;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.Cutover;
import dev.twinshift.upgrade.CutoverRefusedException;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradeException;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradeState;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * The cutover page and the result page: the real upgrade, its resume and its rollback, and where the
 * journal says each one ended. Whatever ends a run, the result page shows the journal's word on it.
 */
final class CutoverModel {
    /** Operations running in this console: a second window must not adopt their lock and run them twice. */
    private static final Map<String, Boolean> RUNNING_HERE = new ConcurrentHashMap<>();

    final ReadOnlyStringWrapper downtimeText = new ReadOnlyStringWrapper("");
    final IntegerProperty graceSeconds = new SimpleIntegerProperty(10);
    final StringProperty typedConfirmation = new SimpleStringProperty("");
    final StepList steps = new StepList(Cutover.TITLES);
    boolean started;

    final ReadOnlyObjectWrapper<UpgradeState> state = new ReadOnlyObjectWrapper<>();
    final ReadOnlyStringWrapper outcomeText = new ReadOnlyStringWrapper("");
    final ReadOnlyStringWrapper downtimeMeasured = new ReadOnlyStringWrapper("");
    final ReadOnlyStringWrapper snapshotText = new ReadOnlyStringWrapper("");

    private final WizardWork work;
    /** Where a run ended: the page it came from when refused before it began, else the result page. */
    private final Consumer<UpgradeWizardViewModel.Page> ended;
    private Runnable onEngineEnded = () -> { };

    CutoverModel(WizardWork work, Consumer<UpgradeWizardViewModel.Page> ended) {
        this.work = work;
        this.ended = ended;
        typedConfirmation.addListener((o, a, b) -> work.changed());
    }

    static boolean runningHere(String operation) {
        return RUNNING_HERE.containsKey(operation);
    }

    String confirmationWord() {
        return work.engine().cluster().id();
    }

    boolean confirmed() {
        return confirmationWord().equals(typedConfirmation.get());
    }

    void setOnEngineEnded(Runnable r) {
        onEngineEnded = r == null ? () -> { } : r;
    }

    /** The figure to announce, learnt from the rehearsal that made the cutover possible. */
    void rehearsed(UpgradePlan p, Rehearsal.Result r) {
        downtimeText.set(p == null ? "" : WizardText.downtime(p, r));
    }

    boolean canRollBack() {
        UpgradeState st = state.get();
        return st != null && st.plan() != null && !UpgradeState.ROLLED_BACK.equals(st.outcome()) && !runningHere(st.operation());
    }

    void cutOver(UpgradePlan p) {
        started = true;
        steps.reset(Cutover.STEPS);
        Cutover.Options options = new Cutover.Options(Duration.ofSeconds(Math.max(0, graceSeconds.get())), true);
        CancelRequest cancel = new CancelRequest();
        engine("Cutover of " + p.oldId() + " -> " + p.newId(), p, p.operation(), UpgradeWizardViewModel.Page.CUTOVER,
                work.byRequest(cancel), l -> work.engine().cutOver(p, options, l, cancel));
    }

    void resume(UpgradeState st) {
        started = true;
        steps.reset(Cutover.STEPS);
        for (String s : Cutover.STEPS) {
            if (st.done(s)) {
                steps.update(s, StepState.DONE, -1, "done before");
            }
        }
        CancelRequest cancel = new CancelRequest();
        engine("Resume " + st.operation(), st.plan(), st.operation(), UpgradeWizardViewModel.Page.UNFINISHED,
                work.byRequest(cancel), l -> work.engine().resume(st, l, cancel));
    }

    void rollBack(UpgradeState st, UpgradeWizardViewModel.Page origin) {
        steps.append("rollback", WizardText.rollbackTitle(st.plan().oldId()));
        engine("Roll back " + st.operation(), st.plan(), st.operation(), origin,
                TaskCancel.refused(WizardText.rollbackRefusesCancel(st.plan().oldId())),
                l -> work.engine().rollBack(st, l));
    }

    private interface EngineCall {
        UpgradeState call(UpgradeListener l) throws Exception;
    }

    private record Ending(UpgradeState state, String error, boolean refusedAtStart) { }

    /** A cutover, resume or rollback: whatever happens, the journal says where the upgrade stands. */
    private void engine(String title, UpgradePlan plan, String operation, UpgradeWizardViewModel.Page origin,
                        TaskCancel cancel, EngineCall call) {
        RUNNING_HERE.put(operation, true);
        work.run(title, t -> {
            try {
                return new Ending(call.call(work.listener(steps, t)), null, false);
            } catch (LockedException e) {
                // Another operation holds the server: nothing was done, so it can be tried again.
                return new Ending(journaled(plan, operation).orElse(null), WizardText.locked(e.getMessage()), true);
            } catch (CutoverRefusedException e) {
                // Refused by the readiness rule before anything was journaled, or before the stop with the
                // new cluster dropped again: either way the old cluster kept serving.
                Optional<UpgradeState> st = journaled(plan, operation);
                return new Ending(st.orElse(null), e.getMessage(), st.isEmpty());
            } catch (UpgradeException e) {
                return new Ending(journaled(plan, operation).orElse(null), e.getMessage(), false);
            } catch (SshException e) {
                Optional<UpgradeState> st = Optional.empty();
                try {
                    st = journaled(plan, operation);
                } catch (Exception again) {
                    // unreachable: the message says how to come back to it
                }
                return new Ending(st.orElse(null), WizardText.lostConnection(e.explain()), false);
            } catch (Exception | Error e) {
                // Whatever ended the run, the page shows what the journal says, never a wizard busy for ever.
                boolean interrupted = Thread.interrupted();
                Optional<UpgradeState> st = Optional.empty();
                try {
                    st = journaled(plan, operation);
                } catch (Exception again) {
                    e.addSuppressed(again);
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return new Ending(st.orElse(null), WizardText.stopped(title, e), false);
            } finally {
                RUNNING_HERE.remove(operation);
            }
        }, cancel, e -> {
            work.say(e.error());
            if (e.refusedAtStart()) {
                // Back where the administrator pressed the button, to try again.
                if (origin == UpgradeWizardViewModel.Page.CUTOVER) {
                    started = false;
                    steps.reset(Cutover.STEPS);
                }
                ended.accept(origin);
                return;
            }
            if (e.state() != null) {
                showState(e.state());
            }
            ended.accept(UpgradeWizardViewModel.Page.RESULT);
            onEngineEnded.run();
        });
    }

    private Optional<UpgradeState> journaled(UpgradePlan plan, String operation) throws Exception {
        return work.engine().journaled(plan, operation);
    }

    void showState(UpgradeState st) {
        state.set(st);
        outcomeText.set(WizardText.outcome(st));
        downtimeMeasured.set(WizardText.downtimeOrRollback(st));
        snapshotText.set(WizardText.snapshot(st));
    }
}
