package dev.twinshift.ui.clones;

import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How the cluster view writes times, sizes and reasons. Times are the administrator's own clock to
 * the second with the zone named: snapshots minutes apart must read apart, and a time pasted into a
 * ticket must say which clock it is.
 */
public final class ClusterFormat {
    private ClusterFormat() {}

    // English zone abbreviations (CET, EST): the root locale would write "GMT+01:00", which says less.
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.US);

    private static final DateTimeFormatter TIME_OF_DAY = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.US);

    public static String time(Instant t, ZoneId zone) {
        return t == null ? "" : TIME.withZone(zone).format(t);
    }

    /** Why the snapshot was taken; a rollback's safety snapshot says which rollback it undoes. */
    public static String reason(SnapshotRecord s, ZoneId zone) {
        if (s.reason() == null) {
            return "";
        }
        if (s.reason() == Reason.PRE_ROLLBACK) {
            // The safety snapshot is taken as the rollback starts, so its own time is the rollback's.
            // The date is in the Taken column beside it; the time alone keeps the words whole.
            return "undo of rollback at " + TIME_OF_DAY.withZone(zone).format(s.createdAt());
        }
        return s.reason().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Bytes in binary units, one decimal from KiB on: "1.4 GiB". */
    public static String bytes(long b) {
        if (b < 1024) {
            return b + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** A duration as a person says it: "45 s", "12 min", "3 h 12 min", "2 days 4 h". */
    public static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + " s";
        }
        long m = s / 60;
        if (m < 60) {
            return m + " min";
        }
        long h = m / 60;
        if (h < 48) {
            return h + " h" + (m % 60 == 0 ? "" : " " + m % 60 + " min");
        }
        return h / 24 + " days" + (h % 24 == 0 ? "" : " " + h % 24 + " h");
    }
}
