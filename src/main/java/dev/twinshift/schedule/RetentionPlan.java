package dev.twinshift.schedule;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.twinshift.storage.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a retention run would do (or did), as {@code schedule.sh prune --dry-run} prints it: the snapshot it
 * would take, and for each existing snapshot of the cluster whether it stays and why. The console only shows
 * this; the decision is the script's.
 *
 * @param cluster   the cluster ("13/main")
 * @param volume    the catalog's volume key
 * @param now       the run's clock (TWINSHIFT_NOW in tests)
 * @param policy    the policy as text ({@link SnapshotPolicy#toString()})
 * @param create    the snapshot a run would take, null for a prune-only preview
 * @param snapshots every snapshot of the volume, oldest first
 * @param floor     the free-space floor's state, null when the policy has none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RetentionPlan(String cluster, String volume, Instant now, String policy, Create create,
                            List<Verdict> snapshots, Floor floor) {

    public enum Fate { KEEP, PRUNE }

    /** The snapshot a run would take now. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Create(String name, String reason) {}

    /**
     * One snapshot's fate.
     *
     * @param id        its catalog id
     * @param name      its name
     * @param createdAt when it was taken
     * @param reason    why it was taken (MANUAL, SCHEDULED, ...)
     * @param fate      KEEP or PRUNE
     * @param why       every reason it stays ("hourly 3/36", "daily 1/30", "pinned", "clone base: c1", "newest",
     *                  "pre-upgrade"), or why it goes ("not first of its hour", "beyond the newest 36 hours",
     *                  "free space below floor")
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Verdict(String id, String name, Instant createdAt, String reason, Fate fate, List<String> why) {
        public boolean kept() {
            return fate == Fate.KEEP;
        }
    }

    /** Free space against the policy's floor. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Floor(long availableBytes, long floorBytes, boolean below) {}

    public List<Verdict> pruned() {
        return snapshots.stream().filter(v -> !v.kept()).toList();
    }

    public Optional<Verdict> verdictOf(String id) {
        return snapshots.stream().filter(v -> v.id().equals(id)).findFirst();
    }

    public static RetentionPlan parse(String json) {
        try {
            return Json.mapper().readValue(json, RetentionPlan.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a retention plan: " + e.getMessage(), e);
        }
    }
}
