package dev.twinshift.upgrade;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.Json;
import dev.twinshift.storage.OperationState;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where an operation stands, read back from its journal: its plan, each step's last state, the data
 * steps left for later ones, and its outcome if it has one. Pure, so that any console reading the
 * same journal reaches the same conclusion.
 */
public record UpgradeState(String operation, UpgradePlan plan, Map<String, String> steps, Map<String, String> data,
                           String outcome, Instant startedAt, Instant lastAt, String lastMessage) {

    public static final String STARTED = "STARTED";
    public static final String DONE = "DONE";
    public static final String FAILED = "FAILED";
    public static final String COMPLETED = "COMPLETED";
    public static final String ROLLED_BACK = "ROLLED_BACK";
    public static final String ROLLBACK_FAILED = "ROLLBACK_FAILED";
    /** A preflight or rehearsal that stopped on an error: its clones were removed, live was never touched. */
    public static final String ABANDONED = "ABANDONED";

    public static UpgradeState of(String operation, List<JournalEntry> entries) {
        OperationState o = OperationState.of(operation, entries);
        return new UpgradeState(operation, readPlan(o.plan().get("plan")), o.steps(), o.data(), o.outcome(),
                o.startedAt(), o.lastAt(), o.lastMessage());
    }

    /** The first line of a rehearsal's journal: the plan it acts on. */
    public static JournalEntry planEntry(Actor by, String message, UpgradePlan plan) {
        return JournalEntry.plan(by, message, Map.of("plan", planJson(plan), "cluster", plan.oldId()));
    }

    /**
     * The first line of a cutover's journal: the plan, read back exactly by a console that resumes it,
     * and what to run when it is found interrupted.
     */
    public static JournalEntry cutoverPlanEntry(Actor by, String message, UpgradePlan plan) {
        String on = " --cluster " + plan.oldId() + " --operation " + plan.operation();
        return JournalEntry.plan(by, message, Map.of("plan", planJson(plan), "cluster", plan.oldId(),
                JournalEntry.RESUME_WITH, "twinshift upgrade resume" + on,
                JournalEntry.UNDO_WITH, "twinshift upgrade rollback" + on + " --yes"));
    }

    private static String planJson(UpgradePlan plan) {
        try {
            return Json.mapper().writeValueAsString(plan).replace("\n", " ");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the plan as JSON", e);
        }
    }

    private static UpgradePlan readPlan(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.mapper().readValue(json, UpgradePlan.class);
        } catch (IOException e) {
            throw new IllegalStateException("the journal's plan cannot be read: " + e.getMessage(), e);
        }
    }

    /** Not finished: neither completed nor rolled back. A console must offer resume or rollback. */
    public boolean unfinished() {
        return outcome == null || ROLLBACK_FAILED.equals(outcome);
    }

    public boolean done(String step) {
        return DONE.equals(steps.get(step));
    }

    /** The step that was running when the journal stopped, if one was. */
    public Optional<String> interruptedStep() {
        String last = null;
        for (Map.Entry<String, String> e : steps.entrySet()) {
            if (!DONE.equals(e.getValue())) {
                last = e.getKey();
            }
        }
        return Optional.ofNullable(last);
    }

    /** Whether the new cluster has taken over (writes since then live only in it). */
    public boolean handedOver() {
        return done(Cutover.HAND_OVER);
    }

    /** A sentence for a console that finds this journal. */
    public String describe() {
        if (COMPLETED.equals(outcome)) {
            return operation + " completed";
        }
        if (ROLLED_BACK.equals(outcome)) {
            return operation + " was rolled back";
        }
        if (ABANDONED.equals(outcome)) {
            return operation + " stopped on an error" + (lastMessage == null ? "" : " (" + lastMessage + ")")
                    + "; the live cluster was not touched";
        }
        List<String> done = new ArrayList<>();
        steps.forEach((k, v) -> {
            if (DONE.equals(v)) {
                done.add(k);
            }
        });
        return operation + " stopped " + interruptedStep().map(s -> "during " + s).orElse("between steps")
                + " (done: " + (done.isEmpty() ? "nothing" : String.join(", ", done)) + ")"
                + (lastAt == null ? "" : "; last journal entry at " + lastAt);
    }
}
