package dev.twinshift.ui.dashboard;

import dev.twinshift.postgres.ClusterStats;
import dev.twinshift.ssh.FailureCause;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that decides what on a cluster deserves the administrator's attention: the
 * dashboard's warning column, its row style and its tooltips all come from here.
 */
public final class ClusterWarnings {
    private ClusterWarnings() {}

    /** What a warning is about, with the two or three words a narrow column shows of it. */
    public enum Kind {
        NO_SCHEDULE("No schedule"), DISK_NEARLY_FULL("Disk low"), SCHEDULE_FAILED("Snapshot failed"),
        SLOT_RETAINS_WAL("Slot holds WAL"), OLD_CLONE("Old clone"), IDLE_CLONE("Idle clone"), BIG_CLONE("Big clone");

        private final String headline;

        Kind(String headline) {
            this.headline = headline;
        }

        public String headline() {
            return headline;
        }
    }

    /** A warning and its sentence, short enough for a table cell's tooltip line. */
    public record Warning(Kind kind, String text) {
        public String headline() {
            return kind.headline();
        }
    }

    /**
     * Where the rules draw their lines.
     *
     * @param cloneAge       a clone older than this is likely forgotten
     * @param freeShare      under this share of the filesystem free, the disk is nearly full (besides the floor)
     * @param cloneShareOfFree a clone holding this share of the free space on its own uses much space
     */
    public record Limits(Duration cloneAge, double freeShare, double cloneShareOfFree) {
        public static final Limits DEFAULTS = new Limits(Duration.ofDays(7), 0.10, 0.20);
    }

    public static List<Warning> of(ClusterHealth h, Instant now) {
        return of(h, now, Limits.DEFAULTS);
    }

    public static List<Warning> of(ClusterHealth h, Instant now, Limits limits) {
        List<Warning> out = new ArrayList<>();
        if (h == null) {
            return out;
        }
        switch (h.schedule()) {
            case NONE -> out.add(new Warning(Kind.NO_SCHEDULE, "No schedule: no snapshot is taken unless by hand"));
            case DISABLED -> out.add(new Warning(Kind.NO_SCHEDULE, "Schedule disabled: no snapshot is taken unless by hand"));
            case NOT_RUNNING -> out.add(new Warning(Kind.NO_SCHEDULE,
                    "Schedule enabled, but no job on the server runs it"));
            default -> { }
        }
        if (h.freeBytes() != null) {
            boolean underFloor = h.floorBytes() != null && h.freeBytes() < h.floorBytes();
            boolean underShare = h.filesystemBytes() != null && h.filesystemBytes() > 0
                    && h.freeBytes() < h.filesystemBytes() * limits.freeShare();
            if (underFloor || underShare) {
                out.add(new Warning(Kind.DISK_NEARLY_FULL, "Disk nearly full: " + FailureCause.human(h.freeBytes())
                        + " free" + (h.filesystemBytes() == null ? "" : " (" + percent(h.freeBytes(), h.filesystemBytes()) + ")")
                        + (underFloor ? ", under the floor of " + FailureCause.human(h.floorBytes()) : "")));
            }
        }
        if (h.lastScheduleFailure() != null) {
            out.add(new Warning(Kind.SCHEDULE_FAILED, "Scheduled snapshot failed"
                    + (h.lastScheduleFailureAt() == null ? "" : " " + ago(h.lastScheduleFailureAt(), now))
                    + ": " + h.lastScheduleFailure()));
        }
        for (ClusterStats.Slot s : h.slots()) {
            if (!s.active()) {
                out.add(new Warning(Kind.SLOT_RETAINS_WAL, "Inactive slot " + s.name() + " retains "
                        + (s.retainedBytes() == null ? "WAL" : FailureCause.human(s.retainedBytes()) + " of WAL")));
            }
        }
        for (ClusterHealth.CloneUse c : h.clones()) {
            if (c.createdAt() != null && Duration.between(c.createdAt(), now).compareTo(limits.cloneAge()) > 0) {
                out.add(new Warning(Kind.OLD_CLONE, "Clone " + c.name() + " is " + age(Duration.between(c.createdAt(), now))
                        + " old"));
            }
            // Whether a clone is idle is the server's rule (schedule.sh idle), said here in its own words.
            if (c.idle() != null) {
                out.add(new Warning(Kind.IDLE_CLONE, "Clone " + c.name() + " is idle: " + c.idle()));
            }
            if (c.ownBytes() != null && h.freeBytes() != null && c.ownBytes() > 0
                    && c.ownBytes() >= h.freeBytes() * limits.cloneShareOfFree()) {
                out.add(new Warning(Kind.BIG_CLONE, "Clone " + c.name() + " holds " + FailureCause.human(c.ownBytes())
                        + " of its own, " + percent(c.ownBytes(), h.freeBytes()) + " of the free space"));
            }
        }
        return out;
    }

    static String percent(long part, long whole) {
        return whole <= 0 ? "?" : Math.round(100.0 * part / whole) + " %";
    }

    /** "3 h ago", "in 5 min" is never needed: times in the future read as "just now". */
    public static String ago(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        return d.isNegative() || d.toSeconds() < 60 ? "just now" : age(d) + " ago";
    }

    /** A duration as one short unit: "45 s", "12 min", "5 h", "9 d". */
    public static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min";
        }
        if (s < 2 * 86400) {
            return s / 3600 + " h";
        }
        return s / 86400 + " d";
    }
}
