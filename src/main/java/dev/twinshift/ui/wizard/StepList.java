package dev.twinshift.ui.wizard;

import java.util.List;
import java.util.Map;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The rows of one engine run, in the engine's order. The engine's news only ever change a row in
 * place, so a table bound to {@link #rows()} keeps its order and scroll position while steps run.
 */
public final class StepList {
    private final ObservableList<StepRow> rows = FXCollections.observableArrayList();
    private final Map<String, String> titles;

    public StepList(Map<String, String> titles) {
        this.titles = titles;
    }

    public ObservableList<StepRow> rows() {
        return rows;
    }

    public String title(String step) {
        return titles.getOrDefault(step, step);
    }

    /** Every step pending, before a run starts. */
    public void reset(List<String> steps) {
        rows.setAll(steps.stream().map(s -> new StepRow(s, title(s), StepState.PENDING, -1, "")).toList());
    }

    public void clear() {
        rows.clear();
    }

    /** A step's new state; a step the list did not expect is added at the end rather than lost. */
    public void update(String step, StepState s, long ms, String msg) {
        for (int i = 0; i < rows.size(); i++) {
            StepRow r = rows.get(i);
            if (r.step().equals(step)) {
                rows.set(i, new StepRow(step, r.title(), s, ms >= 0 ? ms : r.millis(),
                        msg == null || msg.isEmpty() ? r.message() : msg));
                return;
            }
        }
        rows.add(new StepRow(step, title(step), s, ms, msg == null ? "" : msg));
    }

    /** The engine's own timings, which outlive a window closed while the steps ran. */
    public void timed(Map<String, Long> millis) {
        for (int i = 0; i < rows.size(); i++) {
            StepRow r = rows.get(i);
            Long ms = millis.get(r.step());
            if (ms != null) {
                rows.set(i, new StepRow(r.step(), r.title(), r.state(), ms, r.message()));
            }
        }
    }

    /** A row outside the engine's list (the rollback), put last whatever came before. */
    public void append(String step, String title) {
        rows.removeIf(r -> r.step().equals(step));
        rows.add(new StepRow(step, title, StepState.PENDING, -1, ""));
    }
}
