package dev.twinshift.ui.clones;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a rollback costs, measured before the question is asked: what is discarded (time and WAL
 * since the snapshot), who is cut off, and for how long.
 *
 * @param cluster       the cluster rolled back
 * @param target        the snapshot's id
 * @param takenAt       when the snapshot was taken
 * @param now           when the cost was read
 * @param walLsn        the snapshot's WAL position
 * @param walBytesSince WAL written since the snapshot; null when it could not be read (cluster stopped)
 * @param sessionsCut   client sessions the stop will end; null when unknown
 * @param lastDowntime  how long the last rollback of this cluster kept it down; null when none was seen
 * @param measureError  why the live figures are missing, null when they are not
 */
public record RollbackCost(String cluster, String target, Instant takenAt, Instant now, String walLsn, Long walBytesSince,
                           Integer sessionsCut, Duration lastDowntime, String measureError) {

    /** Reads the map {@code RollbackService.cost} answers. */
    public static RollbackCost of(Map<String, Object> m, Instant now, Duration lastDowntime) {
        return new RollbackCost(String.valueOf(m.get("cluster")), String.valueOf(m.get("target")), (Instant) m.get("takenAt"), now,
                (String) m.get("walLsn"), m.get("walBytesSince") instanceof Number n ? n.longValue() : null,
                m.get("sessionsCut") instanceof Number n ? n.intValue() : null, lastDowntime, (String) m.get("measureError"));
    }

    /** One line per cost, in the order the administrator weighs them. */
    public List<String> lines(ZoneId zone) {
        List<String> out = new ArrayList<>();
        String since = takenAt == null ? "the snapshot" : ClusterFormat.time(takenAt, zone)
                + (now == null ? "" : " (" + ClusterFormat.age(Duration.between(takenAt, now)) + " ago)");
        out.add("Discards every change to " + cluster + " since " + since + ".");
        if (walBytesSince != null) {
            out.add("WAL written since then: " + ClusterFormat.bytes(walBytesSince) + " (from " + walLsn + " to now).");
        } else {
            out.add("WAL written since then: not measured (" + (measureError != null ? measureError : "the cluster is not running")
                    + ").");
        }
        if (sessionsCut != null) {
            out.add(sessionsCut == 0 ? "No client session is connected now."
                    : "Cuts " + sessionsCut + " client session" + (sessionsCut == 1 ? "" : "s") + " connected now.");
        } else {
            out.add("Client sessions cut: unknown.");
        }
        out.add("Downtime: " + (lastDowntime != null
                ? "about " + ClusterFormat.age(lastDowntime) + " (the last rollback of " + cluster + ")"
                : "about the time of a stop and a start of " + cluster) + ".");
        out.add("The current state is kept first as a PRE_ROLLBACK snapshot: roll back to it to undo.");
        return out;
    }

    public String describe(ZoneId zone) {
        return String.join("\n", lines(zone));
    }
}
