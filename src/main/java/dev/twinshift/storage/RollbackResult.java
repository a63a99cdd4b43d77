package dev.twinshift.storage;

import java.time.Duration;

/**
 * A finished rollback.
 *
 * @param restored the snapshot the cluster now runs from
 * @param safety   the snapshot of the state just before: roll back to it to undo
 * @param downtime from stopping the cluster to it answering again
 */
public record RollbackResult(SnapshotRecord restored, SnapshotRecord safety, Duration downtime) {
}
