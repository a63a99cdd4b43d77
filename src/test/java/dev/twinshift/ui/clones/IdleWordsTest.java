package dev.twinshift.ui.clones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.schedule.IdleClone;
import dev.twinshift.schedule.IdleClonePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the server's idle-clone verdicts read in the clone tree and in the policy's preview. */
class IdleWordsTest {
    private static IdleClone clone(String name, IdleClone.Verdict v, Integer sessions, Duration idle, boolean prot) {
        return new IdleClone(name, v != IdleClone.Verdict.STOPPED, sessions, Instant.parse("2026-12-01T10:00:00Z"), idle, prot, v,
                "why " + name);
    }

    @Test
    void aCellSaysUseInAFewWordsAndMarksOnlyIdleOnes() {
        ClusterViewModel.CloneUse busy = ClusterViewModel.CloneUse.of(clone("a", IdleClone.Verdict.ACTIVE, 2, Duration.ZERO, false));
        assertEquals("in use (2 sessions)", busy.text());
        assertFalse(busy.idle());
        ClusterViewModel.CloneUse due = ClusterViewModel.CloneUse.of(clone("b", IdleClone.Verdict.STOP_DUE, 0, Duration.ofDays(4), false));
        assertEquals("idle 4 days, stop due", due.text());
        assertTrue(due.idle());
        assertEquals("why b", due.reason(), "the server's sentence goes to the tooltip as it is");
        ClusterViewModel.CloneUse kept = ClusterViewModel.CloneUse.of(clone("c", IdleClone.Verdict.PROTECTED, 0, Duration.ofDays(9), true));
        assertEquals("protected", kept.text());
        assertTrue(kept.protectedClone());
        assertFalse(kept.idle(), "a protected clone is not flagged: nothing will happen to it");
    }

    @Test
    void thePreviewNamesWhatTheNextRunActsOnFirst() {
        List<String> lines = IdlePolicyDialog.previewLines(List.of(
                clone("kept", IdleClone.Verdict.ACTIVE, 1, Duration.ZERO, false),
                clone("gone", IdleClone.Verdict.DESTROY_DUE, 0, Duration.ofDays(8), false)));
        assertEquals(List.of("The next hourly run would act on 1 clone:", "gone: destroy due — why gone", "Left alone:",
                "kept: active — why kept"), lines);
        assertEquals(List.of("The next hourly run would stop or destroy no clone.", "The clones:", "kept: active — why kept"),
                IdlePolicyDialog.previewLines(List.of(clone("kept", IdleClone.Verdict.ACTIVE, 1, Duration.ZERO, false))));
    }

    @Test
    void thePolicyReadsAsASentence() {
        assertEquals("clones with no connection for 24 h are marked idle; none is stopped or destroyed",
                IdlePolicyDialog.describe(IdleClonePolicy.DEFAULT));
        assertTrue(IdlePolicyDialog.describe(IdleClonePolicy.parse("idle-action=destroy idle-after=3d"))
                .contains("one idle for 3 days is destroyed"));
    }
}
