package dev.twinshift.ui.timeline;

import dev.twinshift.schedule.SnapshotPolicy;

/**
 * The server-side schedule of a cluster, as the timeline's editor drives it. Every method is called on
 * a worker thread. A console without the schedule service uses {@link #unavailable()}, and the
 * editor says so instead of pretending.
 */
public interface ScheduleActions {

    /**
     * The schedule as the server has it.
     *
     * @param installed whether the job is installed for this cluster
     * @param enabled   whether it runs
     * @param policy    the saved policy, null when none is saved
     * @param summary   last run, next run and last failure in words, for the editor
     */
    record Status(boolean installed, boolean enabled, SnapshotPolicy policy, String summary) {}

    /** Whether these actions reach a server at all. */
    default boolean available() {
        return true;
    }

    Status status(ClusterTarget target) throws Exception;

    /** Saves the policy the next run applies. */
    void save(ClusterTarget target, SnapshotPolicy policy) throws Exception;

    void enable(ClusterTarget target) throws Exception;

    void disable(ClusterTarget target) throws Exception;

    String NOT_AVAILABLE = "schedule service not available";

    /** For a console built without the schedule service: every action fails with {@link #NOT_AVAILABLE}. */
    static ScheduleActions unavailable() {
        return new ScheduleActions() {
            @Override
            public boolean available() {
                return false;
            }

            @Override
            public Status status(ClusterTarget target) {
                throw new UnsupportedOperationException(NOT_AVAILABLE);
            }

            @Override
            public void save(ClusterTarget target, SnapshotPolicy policy) {
                throw new UnsupportedOperationException(NOT_AVAILABLE);
            }

            @Override
            public void enable(ClusterTarget target) {
                throw new UnsupportedOperationException(NOT_AVAILABLE);
            }

            @Override
            public void disable(ClusterTarget target) {
                throw new UnsupportedOperationException(NOT_AVAILABLE);
            }
        };
    }
}
