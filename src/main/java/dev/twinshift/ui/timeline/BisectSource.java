package dev.twinshift.ui.timeline;

import dev.twinshift.bisect.BisectResult;
import java.util.Optional;

/**
 * The newest bisect result saved on the server for a cluster (what any console, or the CLI, found
 * last). Called on a worker thread, never on the FX thread; it reads the server.
 */
@FunctionalInterface
public interface BisectSource {
    Optional<BisectResult> latest(ClusterTarget target) throws Exception;
}
