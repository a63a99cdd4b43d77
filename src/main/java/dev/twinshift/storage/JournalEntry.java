package dev.twinshift.storage;

import java.time.Instant;
import java.util.Map;

/**
 * One line of an operation's journal: a step about to run, done or failed, or the operation's
 * outcome. Written on the server before and after every step, so that any console can tell exactly
 * where an interrupted operation stopped.
 *
 * @param kind    PLAN (first line: what the operation acts on), STEP, OUTCOME or NOTE
 * @param step    the step's name for STEP lines
 * @param state   STARTED, DONE, FAILED for steps; COMPLETED, ROLLED_BACK, ABANDONED for outcomes
 * @param data    what later steps (or a resuming console) need: snapshot ids, job directories, figures
 */
public record JournalEntry(Instant at, Actor by, String kind, String step, String state, String message,
                           Map<String, String> data) {
    public static final String PLAN = "PLAN";
    public static final String STEP = "STEP";
    public static final String OUTCOME = "OUTCOME";
    public static final String NOTE = "NOTE";

    public JournalEntry {
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    /** A step STARTED, DONE or FAILED. */
    public static JournalEntry step(Actor by, String step, String state, String message, Map<String, String> data) {
        return new JournalEntry(Instant.now(), by, STEP, step, state, message, data);
    }

    /** How the operation ended: the last line it writes. */
    public static JournalEntry outcome(Actor by, String state, String message, Map<String, String> data) {
        return new JournalEntry(Instant.now(), by, OUTCOME, null, state, message, data);
    }

    /** Something worth keeping on the server between the steps (what was made, where a log is). */
    public static JournalEntry note(Actor by, String message, Map<String, String> data) {
        return new JournalEntry(Instant.now(), by, NOTE, null, null, message, data);
    }

    /**
     * The first line of an operation: what it acts on, read back exactly by a console that resumes it.
     * Its data also says how to go on when it is found interrupted ({@link #RESUME_WITH}, {@link #UNDO_WITH}).
     */
    public static JournalEntry plan(Actor by, String message, Map<String, String> data) {
        return new JournalEntry(Instant.now(), by, PLAN, null, null, message, data);
    }

    /** Data key of the PLAN line: the command that finishes an interrupted operation. */
    public static final String RESUME_WITH = "resumeWith";
    /** Data key of the PLAN line: the command that undoes an interrupted operation. */
    public static final String UNDO_WITH = "undoWith";
}
