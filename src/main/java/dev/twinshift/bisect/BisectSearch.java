package dev.twinshift.bisect;

import java.util.ArrayList;
import java.util.List;

/**
 * The search itself, over positions 0 (oldest) to n-1 (newest) of a range, without any server: which
 * snapshots to probe next, and what the verdicts so far prove. Pure, so that the order of probes, the
 * handling of skipped snapshots and the number of probes are tested without a lab.
 *
 * <p>In {@link BisectMode#BINARY} the newest snapshot is probed first: a newest that is GOOD means the
 * range has no bad snapshot, said at once. The oldest is not probed unless the search reaches it, so
 * that 2^m snapshots take 1 + m probes (1,024 take 11); the last good and the first bad it reports are
 * always snapshots it probed. With k probes per round the open interval is cut into k+1 parts.
 */
public final class BisectSearch {

    /** How a search ended, in the terms of an oldest-good, newest-bad range. */
    public enum Outcome {
        /** The last good and the first bad are neighbours (skipped snapshots aside, none between them). */
        FOUND,
        /** The newest snapshot that could be judged is GOOD: nothing in the range is bad. */
        NO_BAD,
        /** The oldest snapshot is already BAD: nothing in the range is good. */
        NO_GOOD,
        /** Only skipped snapshots lie between the last good and the first bad: the first bad is one of them or the first bad. */
        UNDECIDED,
        /** The check is broken: the search stopped at its first ERROR. */
        ERROR,
        /** The range holds no snapshot. */
        EMPTY,
        /** Cancelled before it ended: what the probes so far found is kept. */
        CANCELLED,
        /** Still running (or stopped before it ended). */
        OPEN
    }

    /**
     * Where the search stands.
     *
     * @param lastGood  position of the last good snapshot, -1 when none is known
     * @param firstBad  position of the first bad one, -1 when none is known
     * @param undecided skipped positions between them (UNDECIDED)
     * @param notes     what the verdicts say besides (a check that is not monotonic)
     */
    public record Conclusion(Outcome outcome, int lastGood, int firstBad, List<Integer> undecided, List<String> notes) {
    }

    private final int n;
    private final BisectMode mode;
    private final int k;
    private final Verdict[] verdicts;
    private int errorAt = -1;

    public BisectSearch(int n, BisectMode mode, int k) {
        if (n < 0) {
            throw new IllegalArgumentException("n < 0");
        }
        if (k < 1) {
            throw new IllegalArgumentException("--parallel must be at least 1, not " + k);
        }
        this.n = n;
        this.mode = mode;
        this.k = k;
        this.verdicts = new Verdict[n];
    }

    public int size() {
        return n;
    }

    public Verdict verdict(int i) {
        return verdicts[i];
    }

    /** Records what the probe of position {@code i} found. */
    public void record(int i, Verdict v) {
        if (verdicts[i] != null) {
            throw new IllegalStateException("position " + i + " was probed already");
        }
        verdicts[i] = v;
        if (v == Verdict.ERROR && errorAt < 0) {
            errorAt = i;
        }
    }

    /** The positions to probe in the next round (at most k, all at once); empty when the search is over. */
    public List<Integer> next() {
        if (errorAt >= 0 || n == 0) {
            return List.of();
        }
        if (mode == BisectMode.SCAN_ALL) {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < n && out.size() < k; i++) {
                if (verdicts[i] == null) {
                    out.add(i);
                }
            }
            return out;
        }
        int hi = firstBad();
        int lo = lastGoodBelow(hi < 0 ? n : hi);
        List<Integer> out = new ArrayList<>();
        int top = hi;
        if (hi < 0) {
            // No bad known yet: the newest snapshot not yet judged above the last good must be probed.
            top = -1;
            for (int i = n - 1; i > lo; i--) {
                if (verdicts[i] == null) {
                    top = i;
                    break;
                }
            }
            if (top < 0) {
                return List.of();
            }
            out.add(top);
        }
        // The places left cut the open interval (lo, top) into equal parts.
        int places = k - out.size();
        for (int j = 1; j <= places; j++) {
            int ideal = lo + (int) Math.floor((double) (top - lo) * j / (places + 1));
            int pick = nearestUnprobed(ideal, lo, top, out);
            if (pick >= 0) {
                out.add(pick);
            }
        }
        // Fewer distinct points than places (a short interval): the rest of the interval, as far as it goes.
        for (int i = lo + 1; i < top && out.size() < k; i++) {
            if (verdicts[i] == null && !out.contains(i)) {
                out.add(i);
            }
        }
        out.sort(null);
        return out;
    }

    /** Nearest position to {@code ideal} strictly between lo and hi that is neither probed nor chosen; -1 if none. */
    private int nearestUnprobed(int ideal, int lo, int hi, List<Integer> chosen) {
        int c = Math.max(lo + 1, Math.min(hi - 1, ideal));
        for (int d = 0; d <= hi - lo; d++) {
            for (int cand : d == 0 ? new int[] {c} : new int[] {c - d, c + d}) {
                if (cand > lo && cand < hi && verdicts[cand] == null && !chosen.contains(cand)) {
                    return cand;
                }
            }
        }
        return -1;
    }

    private int firstBad() {
        for (int i = 0; i < n; i++) {
            if (verdicts[i] == Verdict.BAD) {
                return i;
            }
        }
        return -1;
    }

    private int lastGoodBelow(int limit) {
        for (int i = limit - 1; i >= 0; i--) {
            if (verdicts[i] == Verdict.GOOD) {
                return i;
            }
        }
        return -1;
    }

    public boolean done() {
        return next().isEmpty();
    }

    /** What the verdicts so far prove. */
    public Conclusion conclusion() {
        List<String> notes = new ArrayList<>();
        if (n == 0) {
            return new Conclusion(Outcome.EMPTY, -1, -1, List.of(), notes);
        }
        if (errorAt >= 0) {
            return new Conclusion(Outcome.ERROR, -1, -1, List.of(), notes);
        }
        if (mode == BisectMode.SCAN_ALL) {
            return scanConclusion(notes);
        }
        int hi = firstBad();
        int lo = lastGoodBelow(hi < 0 ? n : hi);
        for (int i = Math.max(hi, 0); hi >= 0 && i < n; i++) {
            if (verdicts[i] == Verdict.GOOD) {
                notes.add("position " + i + " is GOOD although an older one (" + hi + ") is BAD: the check is not"
                        + " monotonic over this range; scan every snapshot to see each change");
                break;
            }
        }
        if (!done()) {
            return new Conclusion(Outcome.OPEN, lo, hi, List.of(), notes);
        }
        if (hi < 0) {
            return new Conclusion(lo < 0 ? Outcome.UNDECIDED : Outcome.NO_BAD, lo, -1, skippedBetween(lo, n), notes);
        }
        List<Integer> skipped = skippedBetween(lo, hi);
        if (!skipped.isEmpty()) {
            return new Conclusion(Outcome.UNDECIDED, lo, hi, skipped, notes);
        }
        return new Conclusion(lo < 0 ? Outcome.NO_GOOD : Outcome.FOUND, lo, hi, List.of(), notes);
    }

    private List<Integer> skippedBetween(int lo, int hi) {
        List<Integer> out = new ArrayList<>();
        for (int i = lo + 1; i < hi; i++) {
            if (verdicts[i] == Verdict.SKIPPED) {
                out.add(i);
            }
        }
        return out;
    }

    /** Scan: the last change from GOOD to BAD is the one reported; every change is noted. */
    private Conclusion scanConclusion(List<String> notes) {
        if (!done()) {
            return new Conclusion(Outcome.OPEN, -1, -1, List.of(), notes);
        }
        int prev = -1;
        int lastGood = -1;
        int firstBad = -1;
        boolean anyGood = false;
        boolean anyBad = false;
        for (int i = 0; i < n; i++) {
            Verdict v = verdicts[i];
            if (v != Verdict.GOOD && v != Verdict.BAD) {
                continue;
            }
            anyGood |= v == Verdict.GOOD;
            anyBad |= v == Verdict.BAD;
            if (prev >= 0 && verdicts[prev] != v) {
                notes.add("position " + prev + " " + verdicts[prev] + " -> position " + i + " " + v);
                if (v == Verdict.BAD) {
                    lastGood = prev;
                    firstBad = i;
                }
            }
            prev = i;
        }
        if (!anyBad) {
            return new Conclusion(anyGood ? Outcome.NO_BAD : Outcome.UNDECIDED, -1, -1, List.of(), notes);
        }
        if (!anyGood) {
            return new Conclusion(Outcome.NO_GOOD, -1, firstIndexOf(Verdict.BAD), List.of(), notes);
        }
        if (firstBad < 0) {
            // Bad first, good afterwards: fixed, never broken again in this range.
            notes.add("the range starts BAD and ends GOOD: no change from good to bad");
            return new Conclusion(Outcome.NO_BAD, -1, -1, List.of(), notes);
        }
        if (verdicts[prev] == Verdict.GOOD) {
            notes.add("the newest judged snapshot is GOOD again: the last change to BAD was repaired since");
        }
        List<Integer> skipped = skippedBetween(lastGood, firstBad);
        return new Conclusion(skipped.isEmpty() ? Outcome.FOUND : Outcome.UNDECIDED, lastGood, firstBad, skipped, notes);
    }

    private int firstIndexOf(Verdict v) {
        for (int i = 0; i < n; i++) {
            if (verdicts[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
