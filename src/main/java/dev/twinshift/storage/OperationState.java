package dev.twinshift.storage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a journaled operation stands, read back from its journal: what its first line said it acts on,
 * each step's last state, the data steps left for later ones, and its outcome if it has one. Pure, so
 * that every console reading the same journal reaches the same conclusion.
 */
public record OperationState(String operation, Map<String, String> plan, Map<String, String> steps,
                             Map<String, String> data, String outcome, Instant startedAt, Instant lastAt,
                             String lastMessage) {

    public static final String STARTED = "STARTED";
    public static final String DONE = "DONE";
    public static final String FAILED = "FAILED";

    public static OperationState of(String operation, List<JournalEntry> entries) {
        Map<String, String> plan = Map.of();
        Map<String, String> steps = new LinkedHashMap<>();
        Map<String, String> data = new LinkedHashMap<>();
        String outcome = null;
        Instant first = null;
        Instant last = null;
        String lastMessage = null;
        for (JournalEntry e : entries) {
            if (first == null) {
                first = e.at();
            }
            last = e.at();
            if (e.message() != null) {
                lastMessage = e.message();
            }
            switch (e.kind()) {
                case JournalEntry.PLAN -> plan = e.data();
                case JournalEntry.STEP -> steps.put(e.step(), e.state());
                case JournalEntry.OUTCOME -> outcome = e.state();
                default -> { }
            }
            if (!JournalEntry.PLAN.equals(e.kind())) {
                data.putAll(e.data());
            }
        }
        return new OperationState(operation, plan, steps, data, outcome, first, last, lastMessage);
    }

    public static OperationState read(Journal journal) throws dev.twinshift.ssh.SshException, InterruptedException {
        return of(journal.operation(), journal.read());
    }

    public boolean done(String step) {
        return DONE.equals(steps.get(step));
    }

    public boolean started(String step) {
        return steps.containsKey(step);
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

    public List<String> doneSteps() {
        List<String> done = new ArrayList<>();
        steps.forEach((k, v) -> {
            if (DONE.equals(v)) {
                done.add(k);
            }
        });
        return done;
    }

    /** "stopped during X (done: a, b); last journal entry at T": where an interrupted operation is. */
    public String where() {
        List<String> done = doneSteps();
        return "stopped " + interruptedStep().map(s -> "during " + s).orElse("between steps")
                + " (done: " + (done.isEmpty() ? "nothing" : String.join(", ", done)) + ")"
                + (lastAt == null ? "" : "; last journal entry at " + lastAt);
    }

    /** What to run to finish or undo it, as its first line recorded it. */
    public String howToGoOn() {
        String resume = plan.get(JournalEntry.RESUME_WITH);
        String undo = plan.get(JournalEntry.UNDO_WITH);
        List<String> ways = new ArrayList<>();
        if (resume != null) {
            ways.add("finish it with `" + resume + "`");
        }
        if (undo != null) {
            ways.add("undo it with `" + undo + "`");
        }
        return ways.isEmpty() ? "see its journal" : String.join(", or ", ways);
    }
}
