package dev.twinshift.ui.timeline;

import dev.twinshift.bisect.BisectResult;
import dev.twinshift.bisect.Probe;
import dev.twinshift.bisect.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** How a bisect result reads in the console: marks on the axis, and the result pane's text. */
public final class BisectResults {
    private BisectResults() {}

    /**
     * One mark per snapshot of the range: its verdict (UNTESTED where it was not probed) and, as
     * text, the probe's verdict line (probe, round, time, when) and the start of its output.
     * With "oldest is bad" the search found when it was fixed: the good line goes on the first good
     * and the bad line on the last bad, so the colours still say which side passed.
     */
    public static BisectMarks marks(BisectResult r, Function<Instant, String> time) {
        Map<String, Probe> probes = new HashMap<>();
        for (Probe p : r.probes()) {
            probes.put(p.snapshot(), p);
        }
        List<TimelineMark> marks = new ArrayList<>();
        for (BisectResult.Mark m : r.snapshots()) {
            marks.add(new TimelineMark(m.snapshot(), kind(m.verdict()), text(m, probes.get(m.snapshot()), time)));
        }
        String good = r.oldestBad() ? r.firstGood() : r.lastGood();
        String bad = r.oldestBad() ? r.lastBad() : r.firstBad();
        return new BisectMarks(title(r), marks, good, bad);
    }

    /** Marks for the probes that have come back so far, while the search runs. */
    public static BisectMarks running(String title, List<Probe> probes, Function<Instant, String> time) {
        List<TimelineMark> marks = new ArrayList<>();
        for (Probe p : probes) {
            marks.add(new TimelineMark(p.snapshot(), kind(p.verdict()), probeText(p, time)));
        }
        return new BisectMarks(title, marks, null, null);
    }

    public static TimelineMark.Kind kind(Verdict v) {
        if (v == null) {
            return TimelineMark.Kind.UNTESTED;
        }
        return switch (v) {
            case GOOD -> TimelineMark.Kind.GOOD;
            case BAD -> TimelineMark.Kind.BAD;
            case SKIPPED -> TimelineMark.Kind.SKIPPED;
            case ERROR -> TimelineMark.Kind.ERROR;
        };
    }

    public static String title(BisectResult r) {
        return r.check() == null ? "bisect" : r.check().describe();
    }

    private static String text(BisectResult.Mark m, Probe p, Function<Instant, String> time) {
        if (p != null) {
            return probeText(p, time);
        }
        return m.verdict() == null ? "not probed" : m.verdict().name().toLowerCase(Locale.ROOT);
    }

    static String probeText(Probe p, Function<Instant, String> time) {
        String line = p.verdict().name().toLowerCase(Locale.ROOT) + " · probe of round " + p.round()
                + String.format(Locale.ROOT, ", %.1f s", p.millis() / 1000.0)
                + (p.at() == null ? "" : ", " + time.apply(p.at()));
        String out = p.excerpt() == null ? "" : p.excerpt().strip();
        return out.isEmpty() ? line : line + "\n" + out;
    }

    /** The result pane's text: the outcome, the two snapshots, the probes and the change report as Markdown. */
    public static String report(BisectResult r, Function<Instant, String> time) {
        StringBuilder b = new StringBuilder();
        b.append(r.outcome()).append(": ").append(r.message() == null ? "" : r.message()).append('\n');
        b.append("Check: ").append(title(r)).append('\n');
        if (r.oldestBad()) {
            b.append("Last bad: ").append(orNone(r.lastBad())).append('\n');
            b.append("First good: ").append(orNone(r.firstGood())).append('\n');
        } else {
            b.append("Last good: ").append(orNone(r.lastGood())).append('\n');
            b.append("First bad: ").append(orNone(r.firstBad())).append('\n');
        }
        if (!r.undecided().isEmpty()) {
            b.append("Undecided (skipped): ").append(String.join(", ", r.undecided())).append('\n');
        }
        for (String n : r.notes()) {
            b.append("Note: ").append(n).append('\n');
        }
        b.append(r.probes().size()).append(" probe(s) in ").append(r.rounds()).append(" round(s), ")
                .append(r.parallel()).append(" at a time\n");
        for (Probe p : r.probes()) {
            b.append("\n").append(p.snapshot()).append(": ").append(probeText(p, time)).append('\n');
        }
        if (r.changes() != null) {
            b.append("\n").append(r.changes().markdown());
        }
        return b.toString();
    }

    private static String orNone(String s) {
        return s == null ? "none" : s;
    }
}
