package dev.twinshift.upgrade;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Json;
import java.time.Instant;
import java.util.Map;

/**
 * One line of an operation's journal: a step about to run, done or failed, or the operation's
 * outcome. Written on the server before and after every step, so that any console can tell exactly
 * where an interrupted operation stopped.
 *
 * @param kind    PLAN (first line, carries the plan), STEP, OUTCOME or NOTE
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

    /** The first line of an operation: the plan it acts on, read back exactly by a console that resumes it. */
    public static JournalEntry plan(Actor by, String message, UpgradePlan plan) {
        try {
            return new JournalEntry(Instant.now(), by, PLAN, null, null, message,
                    Map.of("plan", Json.mapper().writeValueAsString(plan).replace("\n", " ")));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the plan as JSON", e);
        }
    }
}
