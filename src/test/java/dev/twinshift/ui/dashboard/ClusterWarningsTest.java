package dev.twinshift.ui.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.postgres.ClusterStats;
import dev.twinshift.ui.dashboard.ClusterHealth.CloneUse;
import dev.twinshift.ui.dashboard.ClusterHealth.ScheduleState;
import dev.twinshift.ui.dashboard.ClusterWarnings.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterWarningsTest {
    static final long GIB = 1L << 30;
    static final Instant NOW = Instant.parse("2025-03-10T12:00:00Z");

    static ClusterHealth healthy() {
        return new ClusterHealth(2 * GIB, 50 * GIB, 100 * GIB, 5 * GIB, ScheduleState.ENABLED, null, null, null,
                NOW.minusSeconds(600), List.of(), List.of(), List.of());
    }

    static ClusterHealth with(ScheduleState s, Long free, List<ClusterStats.Slot> slots, List<CloneUse> clones, String failure) {
        ClusterHealth h = healthy();
        return new ClusterHealth(h.sizeBytes(), free, h.filesystemBytes(), h.floorBytes(), s, failure,
                failure == null ? null : NOW.minusSeconds(7200), null, h.newestSnapshot(), slots, clones, List.of());
    }

    static List<Kind> kinds(ClusterHealth h) {
        return ClusterWarnings.of(h, NOW).stream().map(ClusterWarnings.Warning::kind).toList();
    }

    @Test
    void aHealthyClusterHasNoWarning() {
        assertEquals(List.of(), kinds(healthy()));
    }

    @Test
    void withoutARunningScheduleItWarns() {
        assertEquals(List.of(Kind.NO_SCHEDULE), kinds(with(ScheduleState.NONE, 50 * GIB, List.of(), List.of(), null)));
        assertEquals(List.of(Kind.NO_SCHEDULE), kinds(with(ScheduleState.DISABLED, 50 * GIB, List.of(), List.of(), null)));
        assertEquals(List.of(Kind.NO_SCHEDULE), kinds(with(ScheduleState.NOT_RUNNING, 50 * GIB, List.of(), List.of(), null)));
        // Not read is not the same as absent.
        assertEquals(List.of(), kinds(with(ScheduleState.UNKNOWN, 50 * GIB, List.of(), List.of(), null)));
    }

    @Test
    void aDiskUnderTenPercentOrUnderTheFloorIsNearlyFull() {
        assertEquals(List.of(), kinds(with(ScheduleState.ENABLED, 10 * GIB, List.of(), List.of(), null)));
        assertEquals(List.of(Kind.DISK_NEARLY_FULL), kinds(with(ScheduleState.ENABLED, 9 * GIB, List.of(), List.of(), null)));
        ClusterHealth bigFloor = new ClusterHealth(GIB, 20 * GIB, 100 * GIB, 30 * GIB, ScheduleState.ENABLED, null, null,
                null, null, List.of(), List.of(), List.of());
        List<ClusterWarnings.Warning> w = ClusterWarnings.of(bigFloor, NOW);
        assertEquals(List.of(Kind.DISK_NEARLY_FULL), w.stream().map(ClusterWarnings.Warning::kind).toList());
        assertTrue(w.get(0).text().contains("under the floor of 30.0 GiB"), w.get(0).text());
    }

    @Test
    void aFailedScheduledRunIsShownWithWhy() {
        List<ClusterWarnings.Warning> w = ClusterWarnings.of(
                with(ScheduleState.ENABLED, 50 * GIB, List.of(), List.of(), "snapshot refused: lock held"), NOW);
        assertEquals(1, w.size());
        assertEquals(Kind.SCHEDULE_FAILED, w.get(0).kind());
        assertEquals("Scheduled snapshot failed 2 h ago: snapshot refused: lock held", w.get(0).text());
    }

    @Test
    void onlyInactiveSlotsWarnWithTheWalTheyKeep() {
        List<ClusterStats.Slot> slots = List.of(new ClusterStats.Slot("standby1", "physical", true, 4096L),
                new ClusterStats.Slot("old_sub", "logical", false, 3 * GIB));
        List<ClusterWarnings.Warning> w = ClusterWarnings.of(with(ScheduleState.ENABLED, 50 * GIB, slots, List.of(), null), NOW);
        assertEquals(List.of(Kind.SLOT_RETAINS_WAL), w.stream().map(ClusterWarnings.Warning::kind).toList());
        assertEquals("Inactive slot old_sub retains 3.0 GiB of WAL", w.get(0).text());
    }

    @Test
    void oldAndBigClonesWarnApart() {
        List<CloneUse> clones = List.of(
                new CloneUse("fresh", NOW.minus(Duration.ofDays(1)), GIB),
                new CloneUse("forgotten", NOW.minus(Duration.ofDays(9)), null),
                new CloneUse("hungry", NOW.minus(Duration.ofHours(3)), 12 * GIB));
        List<ClusterWarnings.Warning> w = ClusterWarnings.of(with(ScheduleState.ENABLED, 50 * GIB, List.of(), clones, null), NOW);
        assertEquals(List.of(Kind.OLD_CLONE, Kind.BIG_CLONE), w.stream().map(ClusterWarnings.Warning::kind).toList());
        assertEquals("Clone forgotten is 9 d old", w.get(0).text());
        assertTrue(w.get(1).text().startsWith("Clone hungry holds 12.0 GiB"), w.get(1).text());
        // The age is a setting: with 12 days the forgotten clone is not old yet.
        ClusterWarnings.Limits lenient = new ClusterWarnings.Limits(Duration.ofDays(12), 0.10, 0.20);
        assertEquals(List.of(Kind.BIG_CLONE), ClusterWarnings.of(with(ScheduleState.ENABLED, 50 * GIB, List.of(), clones, null),
                NOW, lenient).stream().map(ClusterWarnings.Warning::kind).toList());
    }

    @Test
    void aCloneTheServersRuleMarksIdleWarnsInTheRulesOwnWords() {
        List<CloneUse> clones = List.of(
                new CloneUse("busy", NOW.minus(Duration.ofDays(2)), null, null),
                new CloneUse("asleep", NOW.minus(Duration.ofDays(2)), null,
                        "no connection since 2026-12-01 10:00 UTC (2 d); policy stops after 3 d"));
        List<ClusterWarnings.Warning> w = ClusterWarnings.of(with(ScheduleState.ENABLED, 50 * GIB, List.of(), clones, null), NOW);
        assertEquals(List.of(Kind.IDLE_CLONE), w.stream().map(ClusterWarnings.Warning::kind).toList(),
                "only the clone the server's rule marks; two days is not old by the dashboard's own line");
        assertEquals("Clone asleep is idle: no connection since 2026-12-01 10:00 UTC (2 d); policy stops after 3 d", w.get(0).text());
        assertEquals("Idle clone", w.get(0).headline());
    }

    @Test
    void agesReadAsOneUnit() {
        assertEquals("just now", ClusterWarnings.ago(NOW.minusSeconds(5), NOW));
        assertEquals("12 min ago", ClusterWarnings.ago(NOW.minusSeconds(12 * 60 + 5), NOW));
        assertEquals("30 h ago", ClusterWarnings.ago(NOW.minus(Duration.ofHours(30)), NOW));
        assertEquals("3 d ago", ClusterWarnings.ago(NOW.minus(Duration.ofDays(3)), NOW));
    }

    @Test
    void theWarningsColumnShowsTheFirstHeadlineWholeAndHowManyMoreTheTooltipHolds() {
        List<ClusterWarnings.Warning> w = List.of(
                new ClusterWarnings.Warning(Kind.NO_SCHEDULE, "No schedule: no snapshot is taken unless by hand"),
                new ClusterWarnings.Warning(Kind.DISK_NEARLY_FULL, "Disk nearly full: 1.0 GiB free"));
        assertEquals("No schedule +1", ClusterColumns.summary(w));
        assertEquals("Disk low", ClusterColumns.summary(w.subList(1, 2)));
        assertEquals("", ClusterColumns.summary(List.of()));
    }
}
