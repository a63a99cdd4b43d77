package dev.twinshift.ui.clones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.storage.Reason;
import dev.twinshift.ui.timeline.TimelineFixtures;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Times, sizes and URLs as the cluster view writes them. */
class ClusterFormatTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    @Test
    void timesAreTheAdministratorsClockToTheSecondWithTheZoneNamed() {
        Instant t = Instant.parse("2026-12-01T18:42:07.123456789Z");
        assertEquals("2026-12-01 19:42:07 CET", ClusterFormat.time(t, PARIS));
        assertEquals("2026-12-01 18:42:07 UTC", ClusterFormat.time(t, ZoneId.of("UTC")));
    }

    @Test
    void snapshotsSecondsApartReadApart() {
        Instant t = Instant.parse("2026-12-01T18:42:07Z");
        Set<String> shown = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            shown.add(ClusterFormat.time(t.plusSeconds(i), PARIS));
        }
        assertEquals(3, shown.size(), shown.toString());
    }

    @Test
    void aRollbacksSafetySnapshotSaysWhichRollbackItUndoes() {
        var s = TimelineFixtures.snapshot(Instant.parse("2026-12-01T18:42:07Z"), Reason.PRE_ROLLBACK, "pre-rollback", false);
        assertEquals("undo of rollback at 19:42:07", ClusterFormat.reason(s, PARIS));
        var m = TimelineFixtures.snapshot(Instant.parse("2026-12-01T18:42:07Z"), Reason.PRE_UPGRADE, null, false);
        assertEquals("pre-upgrade", ClusterFormat.reason(m, PARIS));
    }

    @Test
    void sizesAndAgesReadAsAPersonSaysThem() {
        assertEquals("512 bytes", ClusterFormat.bytes(512));
        assertEquals("1.5 KiB", ClusterFormat.bytes(1536));
        assertEquals("1.4 GiB", ClusterFormat.bytes(1_500_000_000L));
        assertEquals("45 s", ClusterFormat.age(Duration.ofSeconds(45)));
        assertEquals("3 h 12 min", ClusterFormat.age(Duration.ofMinutes(192)));
        assertEquals("2 days 4 h", ClusterFormat.age(Duration.ofHours(52)));
    }

    @Test
    void theTunnelUrlIsWhatPsqlAndPgAdminTakePasted() {
        assertEquals("postgresql://postgres@localhost:54321/postgres", CloneLinks.tunnelUrl("postgres", 54321, "postgres"));
        assertEquals("postgresql://a%40b%20c@localhost:5433/postgres", CloneLinks.tunnelUrl("a@b c", 5433, "postgres"),
                "an odd role name cannot change where the URL leads");
        assertThrows(IllegalArgumentException.class, () -> CloneLinks.tunnelUrl("postgres", 0, "postgres"));
    }

    @Test
    void theRollbacksCostIsSized() {
        Instant taken = Instant.parse("2026-12-01T15:30:00Z");
        Map<String, Object> measured = Map.of("cluster", "13/main", "target", "13-main/x", "takenAt", taken, "walLsn", "0/3000000",
                "walBytesSince", 1_500_000_000L, "sessionsCut", 4);
        List<String> lines = RollbackCost.of(measured, taken.plus(Duration.ofMinutes(192)), null).lines(PARIS);
        String all = String.join("\n", lines);
        assertTrue(all.contains("since 2026-12-01 16:30:00 CET (3 h 12 min ago)"), all);
        assertTrue(all.contains("1.4 GiB of WAL") || all.contains("WAL written since then: 1.4 GiB"), all);
        assertTrue(all.contains("Cuts 4 client sessions"), all);
        assertTrue(all.contains("about the time of a stop and a start of 13/main"), all);

        String known = RollbackCost.of(measured, taken, Duration.ofSeconds(9)).describe(PARIS);
        assertTrue(known.contains("Downtime: about 9 s"), known);
        String stopped = RollbackCost.of(Map.of("cluster", "13/main", "target", "x", "takenAt", taken, "walLsn", "0/1"), taken, null)
                .describe(PARIS);
        assertTrue(stopped.contains("not measured") && stopped.contains("Client sessions cut: unknown"), stopped);
    }
}
