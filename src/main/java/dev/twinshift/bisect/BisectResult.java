package dev.twinshift.bisect;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a bisect found, saved on the server as {@code .twinshift/bisect/<stamp>.json} so that any
 * console (and the timeline) can show its marks. Every snapshot of the range is listed with its verdict
 * (null where it was not probed) and whether it is the last good or the first bad.
 *
 * @param id          the stamp that names the result file and the probe clones
 * @param operation   the bisect's journal ({@code journal/<operation>.jsonl})
 * @param oldestBad   the user said the oldest end is the bad one (the search looks for when it got fixed):
 *                    {@code lastBad} and {@code firstGood} are then set instead of {@code lastGood}, {@code firstBad}
 * @param outcome     how it ended
 * @param message     the outcome in one or two sentences for the administrator
 * @param rounds      search rounds (probes of one round run at once)
 * @param changes     what changed between the last good and the first bad; null when not found or not asked
 */
public record BisectResult(String id, String operation, String server, String cluster, BisectCheck check, BisectMode mode,
                           int parallel, boolean oldestBad, Instant startedAt, Instant endedAt, List<Mark> snapshots,
                           List<Probe> probes, BisectSearch.Outcome outcome, String lastGood, String firstBad,
                           String lastBad, String firstGood, List<String> undecided, String message, List<String> notes,
                           int rounds, ChangeReport changes) {

    /** How a snapshot is marked on the timeline. */
    public enum Role { LAST_GOOD, FIRST_BAD, LAST_BAD, FIRST_GOOD, UNDECIDED, NONE }

    /** One snapshot of the range: its verdict if probed, and its role in the result. */
    public record Mark(String snapshot, Instant takenAt, Verdict verdict, Role role) {
    }

    public BisectResult {
        snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
        probes = probes == null ? List.of() : List.copyOf(probes);
        undecided = undecided == null ? List.of() : List.copyOf(undecided);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** The verdict of this snapshot, if it was probed. */
    public Optional<Verdict> verdictOf(String snapshotId) {
        return snapshots.stream().filter(m -> m.snapshot().equals(snapshotId) && m.verdict() != null)
                .map(Mark::verdict).findFirst();
    }

    public boolean found() {
        return outcome == BisectSearch.Outcome.FOUND;
    }

    /** Wall time of the probes, summed (they may have overlapped). */
    public long probeMillis() {
        return probes.stream().mapToLong(Probe::millis).sum();
    }
}
