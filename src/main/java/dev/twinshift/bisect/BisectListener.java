package dev.twinshift.bisect;

/**
 * Receives a bisect's progress: lines for a log, and each probe as it completes. Called on the
 * bisect's threads (several at once when probes run in parallel): implementations must be thread-safe.
 */
public interface BisectListener {
    void line(String message);

    default void probe(Probe probe) {
    }

    BisectListener NONE = m -> { };
}
