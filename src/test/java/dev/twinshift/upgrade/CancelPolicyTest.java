package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.storage.StorageMethod;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a cancel means in each step, and how a request meets the operation's step boundaries. */
class CancelPolicyTest {

    static UpgradePlan plan() {
        return CancelPolicyTestPlans.plan();
    }

    @Test
    void beforeTheStopCancelAbandonsInsideTheDowntimeItRollsBackAfterTheHandOverItIsRefused() {
        UpgradePlan p = plan();
        Map<String, CancelRequest.Effect> expected = Map.of(
                Cutover.PREPARE, CancelRequest.Effect.ABANDON,
                Cutover.LIVE_CHECK, CancelRequest.Effect.ABANDON,
                Cutover.STOP_OLD, CancelRequest.Effect.ROLL_BACK,
                Cutover.SNAPSHOT, CancelRequest.Effect.ROLL_BACK,
                Cutover.PG_UPGRADE, CancelRequest.Effect.ROLL_BACK,
                Cutover.PORT_SWAP, CancelRequest.Effect.ROLL_BACK,
                Cutover.START_NEW, CancelRequest.Effect.ROLL_BACK,
                Cutover.VALIDATE, CancelRequest.Effect.ROLL_BACK,
                Cutover.HAND_OVER, CancelRequest.Effect.REFUSED,
                Cutover.ANALYZE, CancelRequest.Effect.REFUSED);
        assertEquals(Set.copyOf(Cutover.STEPS), expected.keySet(), "every step has a defined cancel");
        for (String step : Cutover.STEPS) {
            CancelRequest.Policy policy = Cutover.cancelPolicy(step, p);
            assertEquals(expected.get(step), policy.effect(), step + ": " + policy.meaning());
            assertTrue(policy.meaning().endsWith("."), "a sentence: " + policy.meaning());
        }
        assertTrue(Cutover.cancelPolicy(Cutover.PREPARE, p).meaning().contains("13/main never stops"));
        String inside = Cutover.cancelPolicy(Cutover.PG_UPGRADE, p).meaning();
        assertTrue(inside.startsWith("Roll back now") && inside.contains("(pg_upgrade) has finished")
                && inside.contains("13/main comes back on port 5433"), inside);
        String after = Cutover.cancelPolicy(Cutover.ANALYZE, p).meaning();
        assertTrue(after.contains("15/main serves on port 5433") && after.contains("Use Roll back"), after);
    }

    @Test
    void aRehearsalCanAlwaysBeCancelledAndNeverTouchesLive() {
        for (String step : Rehearsal.STEPS) {
            CancelRequest.Policy policy = Rehearsal.cancelPolicy(step);
            assertEquals(CancelRequest.Effect.ABANDON, policy.effect(), step);
            assertTrue(policy.meaning().contains("live cluster is never touched"), policy.meaning());
        }
    }

    @Test
    void aRequestIsCarriedOutAtTheNextBoundaryUnderThePolicyItWasAskedUnder() {
        UpgradePlan p = plan();
        CancelRequest r = new CancelRequest();
        AtomicInteger changes = new AtomicInteger();
        r.onChange(changes::incrementAndGet);
        assertTrue(r.policy().possible(), "before the first step: nothing to undo");

        assertEquals(Optional.empty(), r.boundary(Cutover.cancelPolicy(Cutover.PG_UPGRADE, p)));
        assertEquals(CancelRequest.Effect.ROLL_BACK, r.request("tsadmin (ann@desk)").effect());
        assertTrue(r.requested());
        assertEquals(Optional.of("tsadmin (ann@desk)"), r.boundary(Cutover.cancelPolicy(Cutover.PORT_SWAP, p)),
                "the next boundary sees the cancel");
        assertEquals(CancelRequest.Effect.ROLL_BACK, r.policy().effect(), "it keeps the policy it was asked under");
        r.request("someone else");
        assertEquals(Optional.of("tsadmin (ann@desk)"), r.requestedBy(), "a second request changes nothing");
        assertEquals(2, changes.get(), "a console hears of the new policy and of the request");
    }

    @Test
    void aRefusedRequestIsNotRecorded() {
        UpgradePlan p = plan();
        CancelRequest r = new CancelRequest();
        r.boundary(Cutover.cancelPolicy(Cutover.ANALYZE, p));
        CancelRequest.Policy answer = r.request("tsadmin");
        assertFalse(answer.possible());
        assertFalse(r.requested(), "refused: nothing pending for a later boundary");
        assertEquals(Optional.empty(), r.boundary(Cutover.cancelPolicy(Cutover.ANALYZE, p)));
        r.refuse("ended");
        assertFalse(r.request("tsadmin").possible());
    }
}
