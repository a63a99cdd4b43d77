package dev.twinshift.upgrade;

import java.util.Optional;

/**
 * How long the live cluster will be down in a cutover, learnt from its rehearsal: the one rule the
 * report and the console quote. The twin measured pg_upgrade and the first start on a clone of the
 * same volume; the live run adds the fast shutdown, the pinned snapshot, the sync and the port swap,
 * and a volume that serves clients meanwhile can be slower than a quiet clone. So the figure is a
 * range, never the twin's single best case.
 *
 * @param lowMillis  what the twin measured (pg_upgrade and the start)
 * @param highMillis half as long again, plus {@link #STEPS_ALLOWANCE_MILLIS}
 */
public record DowntimeEstimate(long upgradeMillis, long startMillis, long lowMillis, long highMillis) {
    /** The stop, the snapshot, the sync and the port swap, which the twin does not time. */
    public static final long STEPS_ALLOWANCE_MILLIS = 2000;

    /** From a rehearsal that ran pg_upgrade; empty when it did not get that far. */
    public static Optional<DowntimeEstimate> of(Rehearsal.Result r) {
        Long up = r == null ? null : r.stepMillis().get(Rehearsal.UPGRADE);
        if (up == null || r.preflightOnly()) {
            return Optional.empty();
        }
        long start = r.stepMillis().getOrDefault(Rehearsal.START, 0L);
        long low = up + start;
        return Optional.of(new DowntimeEstimate(up, start, low, low + low / 2 + STEPS_ALLOWANCE_MILLIS));
    }

    /** For example "about 5–11 s": whole seconds, rounded outwards. */
    public String range() {
        long lo = Math.max(1, lowMillis / 1000);
        long hi = Math.max(lo + 1, (highMillis + 999) / 1000);
        return "about " + lo + "–" + hi + " s";
    }

    /** How the range was reached, for whoever must announce the downtime. */
    public String derivation() {
        return String.format("pg_upgrade took %.1f s and the first start %.1f s on the twin; the live cutover adds the stop,"
                + " the pinned snapshot and the port swap (about %d s), and may take half as long again on a volume"
                + " that serves clients", upgradeMillis / 1000.0, startMillis / 1000.0, STEPS_ALLOWANCE_MILLIS / 1000);
    }
}
