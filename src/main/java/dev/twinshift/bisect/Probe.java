package dev.twinshift.bisect;

import java.time.Instant;

/**
 * One snapshot probed: its clone made, started on its own port, checked, stopped and destroyed.
 *
 * @param index      the snapshot's position in the range, 0 = oldest
 * @param snapshot   the snapshot's id
 * @param verdict    what the check said
 * @param excerpt    the start of the check's output (or why it was skipped or errored)
 * @param millis     wall time of the whole probe, clone to destroy
 * @param round      the search round it belonged to (probes of one round run at once)
 * @param cloneName  the probe clone it ran on (gone afterwards)
 */
public record Probe(int index, String snapshot, Instant snapshotTakenAt, Verdict verdict, String excerpt, long millis,
                    int round, String cloneName, Instant at) {
}
