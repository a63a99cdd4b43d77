package dev.twinshift.bisect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.twinshift.storage.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BisectResultTest {

    @Test
    void aSavedResultReadsBackWithItsCheckKindMarksAndProbes() throws Exception {
        Instant t = Instant.parse("2026-01-01T10:00:00Z");
        for (BisectCheck check : List.of(new BisectCheck.SqlTrue("app", "SELECT true"), new BisectCheck.UpgradeCheck("15"),
                new BisectCheck.SameRows(null, "SELECT 1", "v/ref"), new BisectCheck.Rehearsal("15"),
                new BisectCheck.Command(List.of("/bin/check", "--strict")))) {
            BisectResult r = new BisectResult("20260101T100000Z", "20260101T100000Z-bisect-13-main", "lab", "13/main", check,
                    BisectMode.BINARY, 1, false, t, t.plusSeconds(9),
                    List.of(new BisectResult.Mark("v/a", t, Verdict.GOOD, BisectResult.Role.LAST_GOOD),
                            new BisectResult.Mark("v/b", t, Verdict.BAD, BisectResult.Role.FIRST_BAD),
                            new BisectResult.Mark("v/c", t, null, BisectResult.Role.NONE)),
                    List.of(new Probe(1, "v/b", t, Verdict.BAD, "false", 800, 1, "bisect-x-p01", t)),
                    BisectSearch.Outcome.FOUND, "v/a", "v/b", null, null, List.of(), "last good: v/a", List.of(), 2, null);
            BisectResult back = BisectStore.parse(Json.mapper().writeValueAsString(r));
            assertEquals(r, back, check.describe());
            assertEquals(Verdict.BAD, back.verdictOf("v/b").orElseThrow());
            assertEquals(java.util.Optional.empty(), back.verdictOf("v/c"));
        }
        assertNull(new BisectCheck.SqlTrue(null, "SELECT true").database() == null ? "x" : null, "the database defaults");
        assertEquals("postgres", new BisectCheck.SqlTrue(null, "SELECT true").database());
    }
}
