package dev.twinshift.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleClonePolicyTest {

    @Test
    void keysNotGivenKeepTheDefaultsAndNothingIsActedOnByDefault() {
        assertEquals(IdleClonePolicy.DEFAULT, IdleClonePolicy.parse(""));
        assertEquals(IdleClonePolicy.Action.OFF, IdleClonePolicy.DEFAULT.action());
        assertEquals("idle-mark=24h idle-action=off idle-after=7d", IdleClonePolicy.DEFAULT.text());
        IdleClonePolicy p = IdleClonePolicy.parse("idle-action=stop idle-after=3d");
        assertEquals(new IdleClonePolicy(Duration.ofHours(24), IdleClonePolicy.Action.STOP, Duration.ofDays(3)), p);
        assertEquals("idle-mark=24h idle-action=stop idle-after=3d", p.text());
        assertEquals(Duration.ofMinutes(90), IdleClonePolicy.parse("idle-mark=90m").markAfter());
        assertEquals(Duration.ofDays(14), IdleClonePolicy.parse("idle-after=2w").actAfter());
        assertEquals("idle-mark=6h idle-action=destroy idle-after=14d", IdleClonePolicy.parse("idle-after=2w,idle-mark=6h,idle-action=destroy").text());
    }

    @Test
    void theFileItSavesReadsBackAsTheSamePolicy() {
        for (String t : List.of("idle-mark=90m idle-action=destroy idle-after=2d", "idle-mark=2d idle-action=stop idle-after=10d",
                IdleClonePolicy.DEFAULT.text())) {
            IdleClonePolicy p = IdleClonePolicy.parse(t);
            assertEquals(p, IdleClonePolicy.parse(p.fileText()));
            assertEquals(p, IdleClonePolicy.parse(p.text()));
            assertEquals(t, p.text());
        }
    }

    @Test
    void aBadPolicySaysWhatIsWrongAndWhatIsExpected() {
        assertMessage("idle-action=kill", "idle-action is off, stop or destroy, not kill");
        assertMessage("idle-mark=24", "idle-mark=24: not a duration like 90m, 6h, 2d or 1w");
        assertMessage("idle-after=30m", "idle-after=30m: at least 1h");
        assertMessage("idle-mark=3d idle-after=2d", "idle-after=2d is shorter than idle-mark=3d");
        assertMessage("idle-mark=3d idle-mark=2d", "idle-mark is given twice");
        assertMessage("stop-after=3d", "unknown key \"stop-after\"");
        assertMessage("idle-after", "\"idle-after\" is not KEY=VALUE; write e.g. \"idle-mark=24h idle-action=stop idle-after=7d\"");
        assertMessage("idle-after=3d; rm -rf /", "has characters an idle-clone policy never has");
        assertMessage(null, "no idle-clone policy given");
    }

    static void assertMessage(String text, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdleClonePolicy.parse(text));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void theScriptsPreviewIsReadWithEveryFieldAndNullsForWhatIsUnknown() {
        String json = """
                {"catalog": "/srv/db/.twinshift", "now": "2026-12-05T10:00:00Z",
                 "policy": {"text": "idle-mark=24h idle-action=stop idle-after=3d", "markAfterSeconds": 86400, "action": "STOP", "actAfterSeconds": 259200},
                 "clones": [
                  {"name": "try1", "running": true, "connections": 0, "lastActiveAt": "2026-12-01T10:00:00Z", "idleSeconds": 345600, "protected": false, "verdict": "STOP_DUE", "reason": "no connection since 2026-12-01 10:00 UTC (4 d); policy stops after 3 d", "later": 1},
                  {"name": "keep", "running": false, "connections": null, "lastActiveAt": null, "idleSeconds": null, "protected": true, "verdict": "PROTECTED", "reason": "protected by tsadmin (alice@laptop)"}
                ]}
                """;
        List<IdleClone> all = IdleCloneService.parse(json);
        assertEquals(2, all.size());
        IdleClone a = all.get(0);
        assertEquals(new IdleClone("try1", true, 0, Instant.parse("2026-12-01T10:00:00Z"), Duration.ofDays(4), false,
                IdleClone.Verdict.STOP_DUE, "no connection since 2026-12-01 10:00 UTC (4 d); policy stops after 3 d"), a);
        assertTrue(a.due());
        IdleClone b = all.get(1);
        assertNull(b.connections());
        assertNull(b.lastActiveAt());
        assertNull(b.idleFor());
        assertTrue(b.protectedClone());
        assertEquals(IdleClone.Verdict.PROTECTED, b.verdict());
        assertThrows(IllegalArgumentException.class, () -> IdleCloneService.parse("{\"snapshots\": []}"));
        assertThrows(RuntimeException.class, () -> IdleCloneService.parse("schedule.sh: usage"));
    }
}
