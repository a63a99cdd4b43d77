package dev.twinshift.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SnapshotPolicyTest {

    @Test
    void readsTheReadableFormAndWritesItBack() {
        SnapshotPolicy p = SnapshotPolicy.parse("hourly=36 daily=30 weekly=8 monthly=12 yearly=3");
        assertEquals(36, p.hourly());
        assertEquals(3, p.yearly());
        assertTrue(p.keepUpgradeSafety());
        assertEquals("hourly=36 daily=30 weekly=8 monthly=12 yearly=3", p.toString());
        assertEquals(p, SnapshotPolicy.parse(p.toString()));
    }

    @Test
    void levelsNotNamedAreOffAndOptionsRoundTrip() {
        SnapshotPolicy p = SnapshotPolicy.parse("daily=7, upgrade-safety=prune floor=10%");
        assertEquals(0, p.hourly());
        assertEquals(7, p.daily());
        assertFalse(p.keepUpgradeSafety());
        assertEquals(10, p.floorPercent());
        assertEquals(p, SnapshotPolicy.parse(p.toString()));
    }

    @Test
    void badInputSaysWhatToWrite() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SnapshotPolicy.parse("hourly")).getMessage()
                .contains("LEVEL=COUNT"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SnapshotPolicy.parse("minutely=5")).getMessage()
                .contains("hourly, daily, weekly, monthly, yearly"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SnapshotPolicy.parse("hourly=-1")).getMessage()
                .contains("whole number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SnapshotPolicy.parse("hourly=0")).getMessage()
                .contains("at least one count"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SnapshotPolicy.parse("daily=1 daily=2")).getMessage()
                .contains("twice"));
    }

    @Test
    void aPlanIsReadFromTheScriptsJson() {
        RetentionPlan plan = RetentionPlan.parse("""
                {"cluster":"13/main","volume":"pg13","now":"2026-12-02T01:00:00Z","policy":"hourly=2",
                 "create":{"name":"20261202T010000Z","reason":"SCHEDULED"},
                 "snapshots":[
                  {"id":"pg13/20261201T220000Z","name":"20261201T220000Z","createdAt":"2026-12-01T22:00:00Z",
                   "reason":"SCHEDULED","fate":"PRUNE","why":["beyond the newest 2 hours"]},
                  {"id":"pg13/20261202T000000Z","name":"20261202T000000Z","createdAt":"2026-12-02T00:00:00Z",
                   "reason":"PRE_UPGRADE","fate":"KEEP","why":["hourly 1/2","pre-upgrade"],"extra":1}],
                 "floor":null}""");
        assertEquals(Instant.parse("2026-12-02T01:00:00Z"), plan.now());
        assertEquals(1, plan.pruned().size());
        assertEquals("pg13/20261201T220000Z", plan.pruned().get(0).id());
        assertTrue(plan.verdictOf("pg13/20261202T000000Z").orElseThrow().kept());
        assertEquals("20261202T010000Z", plan.create().name());
    }
}
