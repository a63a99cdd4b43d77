package dev.twinshift.storage;

import java.util.List;

/**
 * Whether a cluster can be snapshotted as it is now, atomically or not, and if not why: what
 * {@code snapshot create} enforces, and what the cluster listings show, from one rule
 * ({@link ClusterVolume#snapshotVerdict()}).
 *
 * @param cluster  the cluster ("13/main")
 * @param method   how its volume is copied
 * @param problems why a snapshot is refused; empty when it is allowed
 */
public record SnapshotVerdict(String cluster, StorageMethod method, List<String> problems) {

    public SnapshotVerdict {
        problems = List.copyOf(problems);
    }

    /** Whether {@code snapshot create} goes ahead. */
    public boolean allowed() {
        return problems.isEmpty();
    }

    /** Whether the snapshot is one atomic point in time, data and WAL together (so even of a running cluster). */
    public boolean atomic() {
        return allowed() && method.atomic();
    }

    /** A word or three for a table column. */
    public String summary() {
        return atomic() ? "atomic" : allowed() ? "copy, stopped only" : "refused";
    }

    /** The refusal as {@code snapshot create} words it; null when a snapshot is allowed. */
    public String refusal() {
        return allowed() ? null : "cannot snapshot " + cluster + ": " + String.join("; ", problems);
    }
}
