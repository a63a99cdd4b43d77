package dev.twinshift.upgrade;

import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.FailPoint;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.LockedException;
import dev.twinshift.storage.RefusedException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How every journaled operation of the upgrade engine runs a step: STARTED is on the server before
 * anything of the step is done, DONE (with what the step found and how long it took) or FAILED after
 * it, and the listener hears the same. The fail points a lab test arms sit exactly between the
 * journal and the work: {@code KIND:STEP:before} right after STARTED, {@code KIND:STEP:after} right
 * before DONE. What a failure means (roll back, remove what was made) is the operation's own.
 */
final class JournaledSteps {
    /** What a step reports when it is done: a sentence for the journal and the facts later steps read. */
    record Done(String message, Map<String, String> data) {
        static Done of(String message) {
            return new Done(message, Map.of());
        }
    }

    /** A step's work. */
    @FunctionalInterface
    interface Work {
        Done run() throws UpgradeException, SshException, InterruptedException, RefusedException, LockedException;
    }

    private final String kind;
    private final Actor actor;
    private final Journal journal;
    private final UpgradeListener listener;

    JournaledSteps(String kind, Actor actor, Journal journal, UpgradeListener listener) {
        this.kind = kind;
        this.actor = actor;
        this.journal = journal;
        this.listener = listener;
    }

    /**
     * Runs {@code work} as step {@code step}. A failure is journaled with its message and rethrown as
     * it came.
     *
     * @return what the step reported, its data with {@code millis} added
     */
    Done run(String step, String title, Work work)
            throws UpgradeException, SshException, InterruptedException, RefusedException, LockedException {
        entry(step, UpgradeState.STARTED, title, Map.of());
        Instant t0 = Instant.now();
        Done done;
        try {
            done = work.run();
        } catch (UpgradeException | SshException | RuntimeException | RefusedException | LockedException e) {
            Map<String, String> data = Map.of("millis", Long.toString(Duration.between(t0, Instant.now()).toMillis()));
            entry(step, UpgradeState.FAILED, e.getMessage(), data);
            throw e;
        }
        Map<String, String> data = new LinkedHashMap<>(done.data());
        data.put("millis", Long.toString(Duration.between(t0, Instant.now()).toMillis()));
        entry(step, UpgradeState.DONE, done.message(), data);
        return new Done(done.message(), data);
    }

    /** One line of a step's life, with the fail point that belongs beside it. */
    void entry(String step, String state, String message, Map<String, String> data)
            throws SshException, InterruptedException {
        if (UpgradeState.DONE.equals(state)) {
            FailPoint.reached(kind, step, "after");
        }
        journal.append(JournalEntry.step(actor, step, state, message, data));
        if (UpgradeState.STARTED.equals(state)) {
            FailPoint.reached(kind, step, "before");
        }
        listener.step(step, state, message);
    }

    /** A note in the journal that the administrator reads in the log too. */
    void note(String message) throws SshException, InterruptedException {
        journal.append(JournalEntry.note(actor, message, Map.of()));
        listener.log(message);
    }

    /** How the operation ended, in the journal and to the listener. */
    void outcome(String state, String message, Map<String, String> data) throws SshException, InterruptedException {
        journal.append(JournalEntry.outcome(actor, state, message, data));
        listener.step("outcome", state, message);
    }
}
