package dev.twinshift.ui.timeline;

import dev.twinshift.schedule.RetentionPlan;
import dev.twinshift.schedule.SnapshotPolicy;

/**
 * What a retention run with {@code policy} would do to the cluster now (the server script's
 * {@code --dry-run}). Called on a worker thread, never on the FX thread; it may read the server.
 */
@FunctionalInterface
public interface PolicyPreviewer {
    RetentionPlan preview(ClusterTarget target, SnapshotPolicy policy) throws Exception;
}
