package dev.twinshift.ui.dashboard;

import dev.twinshift.postgres.ClusterStats;
import dev.twinshift.storage.LockOwner;
import java.time.Instant;
import java.util.List;

/**
 * What the dashboard read about one cluster besides its discovery: plain values, read off the FX
 * thread in one pass per refresh. Anything that could not be read is null (and said in
 * {@code unreadable}), so a missing value never looks like a good one.
 *
 * @param sizeBytes       all its databases; null when it is not running
 * @param freeBytes       free space on the filesystem of its catalog (what a snapshot or clone takes from)
 * @param filesystemBytes that filesystem's size
 * @param floorBytes      the free-space floor of its catalog
 * @param schedule        the server's scheduled snapshots of this cluster
 * @param lastScheduleFailure why the last scheduled run failed, null when it did not
 * @param lastScheduleFailureAt when it failed
 * @param lock            who holds its catalog's lock, null when nobody does
 * @param newestSnapshot  when its newest snapshot was taken, null when it has none
 * @param slots           its replication slots (empty when not running)
 * @param clones          the clones made of it
 * @param unreadable      what could not be read, and why
 */
public record ClusterHealth(Long sizeBytes, Long freeBytes, Long filesystemBytes, Long floorBytes,
                            ScheduleState schedule, String lastScheduleFailure, Instant lastScheduleFailureAt,
                            LockOwner lock, Instant newestSnapshot, List<ClusterStats.Slot> slots,
                            List<CloneUse> clones, List<String> unreadable) {

    public ClusterHealth {
        slots = slots == null ? List.of() : List.copyOf(slots);
        clones = clones == null ? List.of() : List.copyOf(clones);
        unreadable = unreadable == null ? List.of() : List.copyOf(unreadable);
        schedule = schedule == null ? ScheduleState.UNKNOWN : schedule;
    }

    /** Nothing read: a broken cluster, or rows made by hand. */
    public static final ClusterHealth UNKNOWN = new ClusterHealth(null, null, null, null, ScheduleState.UNKNOWN,
            null, null, null, null, List.of(), List.of(), List.of());

    public enum ScheduleState {
        ENABLED("enabled"),
        /** Configured and enabled, but no job on the server runs it. */
        NOT_RUNNING("enabled, no job"),
        DISABLED("disabled"),
        NONE("none"),
        UNKNOWN("?");

        private final String label;

        ScheduleState(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * A clone of the cluster.
     *
     * @param ownBytes what only the clone holds (what deleting it frees); null where the storage
     *                 cannot tell (plain and reflink copies)
     * @param idle     the server's idle-clone rule's sentence when that rule marks the clone idle (or
     *                 due to be stopped or destroyed); null when it does not, or was not read
     */
    public record CloneUse(String name, Instant createdAt, Long ownBytes, String idle) {
        public CloneUse(String name, Instant createdAt, Long ownBytes) {
            this(name, createdAt, ownBytes, null);
        }
    }
}
