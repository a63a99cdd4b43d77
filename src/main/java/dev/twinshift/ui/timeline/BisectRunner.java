package dev.twinshift.ui.timeline;

import dev.twinshift.bisect.BisectListener;
import dev.twinshift.bisect.BisectResult;
import dev.twinshift.bisect.BisectService;
import dev.twinshift.upgrade.CancelRequest;

/**
 * Runs a bisect of the target's snapshots to its end or to a cancel (the composition root adapts
 * {@link BisectService}). Called on a worker thread; it blocks for as long as the probes take.
 * {@code listener} is called on the bisect's threads.
 */
@FunctionalInterface
public interface BisectRunner {
    BisectResult run(ClusterTarget target, BisectService.Request request, BisectListener listener, CancelRequest cancel)
            throws Exception;
}
