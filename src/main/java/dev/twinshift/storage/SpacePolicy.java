package dev.twinshift.storage;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * How much free space a filesystem keeps for its live cluster, read from the catalog's
 * {@code space.json} by the console and by the server's watcher ({@code space-watch.sh}) alike.
 *
 * <p>The floor is {@code max(floorPercent % of the filesystem, floorMinBytes)}. The defaults (5 %,
 * at least 512 MiB) leave a live PostgreSQL room for several checkpoints' worth of 16 MB WAL
 * segments on a small volume while costing little on a large one; a busy cluster with a large
 * {@code max_wal_size} wants more, and an 8 GiB test volume can still hold clones.
 *
 * @param floorPercent  share of the filesystem's size kept free
 * @param floorMinBytes at least this much kept free
 * @param pollSeconds   how often the watcher looks
 */
public record SpacePolicy(Integer floorPercent, Long floorMinBytes, Integer pollSeconds) {
    public static final String FILE = "space.json";
    public static final int DEFAULT_PERCENT = 5;
    public static final long DEFAULT_MIN_BYTES = 512L * 1024 * 1024;
    public static final int DEFAULT_POLL_SECONDS = 2;

    public SpacePolicy {
        if (floorPercent == null || floorPercent < 0 || floorPercent > 100) {
            floorPercent = DEFAULT_PERCENT;
        }
        if (floorMinBytes == null || floorMinBytes < 0) {
            floorMinBytes = DEFAULT_MIN_BYTES;
        }
        if (pollSeconds == null || pollSeconds < 1) {
            pollSeconds = DEFAULT_POLL_SECONDS;
        }
    }

    public static SpacePolicy defaults() {
        return new SpacePolicy(null, null, null);
    }

    /** The floor for a filesystem of this size; the watcher script computes it the same way. */
    @JsonIgnore
    public long floorFor(long sizeBytes) {
        return Math.max(sizeBytes / 100 * floorPercent, floorMinBytes);
    }
}
