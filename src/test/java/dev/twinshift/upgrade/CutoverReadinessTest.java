package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.storage.Actor;
import dev.twinshift.storage.JournalEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one readiness rule, from journals as a console reads them back from the server. */
class CutoverReadinessTest {
    static final Actor A = new Actor("dba", "alice", "ws1");
    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

    static UpgradePlan plan() {
        return JournalTest.plan();
    }

    static UpgradePlan with(UpgradePlan p, String operation, int tempPort, String newName, UpgradeMethod method) {
        return new UpgradePlan(operation, p.oldVersion(), p.oldName(), p.oldPort(), p.oldDataDirectory(),
                p.oldConfigDirectory(), p.owner(), p.newVersion(), newName, p.newDataDirectory(), tempPort, method,
                p.storage(), p.newIsSubvolume(), p.encoding(), p.lcCollate(), p.lcCtype(), p.dataChecksums(),
                p.oldSizeBytes(), p.headroomBytes(), p.freeBytes() - 4096, p.catalogFilesystem(), p.serverCpus(), p.notes());
    }

    static Rehearsal.Result result(UpgradePlan p, boolean preflightOnly, boolean compatible, List<Validation.SideBySide> checks,
                                   List<Validation.TableComparison> tables) {
        return new Rehearsal.Result("20261126T080000Z-rehearsal-13-main", p, preflightOnly, compatible, List.of(), Map.of(),
                tables, checks, List.of(), List.of(), "s1", null, null, null, null);
    }

    static Validation.SideBySide check(String name, String before, String after) {
        return new Validation.SideBySide(name, "app", "SELECT 1", before, after, 1, 1, null, null, null);
    }

    static final List<Validation.TableComparison> EQUAL = List.of(new Validation.TableComparison("app.public.orders", "2:a", "2:a"));

    /** A rehearsal's journal as Rehearsal writes it: plan, then the outcome with the verdict. */
    static UpgradeState journaled(String operation, Rehearsal.Result r, Instant snapshotAt) throws Exception {
        return UpgradeState.of(operation, List.of(
                UpgradeState.planEntry(A, "rehearsal of ...", r.plan()),
                JournalEntry.outcome(A, UpgradeState.COMPLETED, "rehearsal done", CutoverReadiness.outcomeData(r, snapshotAt))));
    }

    @Test
    void theFingerprintIsTheSamePlanNotTheSamePlanning() {
        UpgradePlan p = plan();
        String fp = CutoverReadiness.fingerprint(p);
        assertEquals(fp, CutoverReadiness.fingerprint(with(p, "20261126T090000Z-upgrade-13-main", 54340, p.newName(),
                p.method())), "another operation name, port and free space: the same plan");
        assertNotEquals(fp, CutoverReadiness.fingerprint(with(p, p.operation(), p.newTemporaryPort(), "main_15", p.method())));
        assertNotEquals(fp, CutoverReadiness.fingerprint(with(p, p.operation(), p.newTemporaryPort(), p.newName(),
                UpgradeMethod.COPY)));
    }

    @Test
    void aDifferingSqlCheckIsNotAPassAndSaysWhichCheck() {
        Rehearsal.Result r = result(plan(), false, true, List.of(check("orders total", "10", "10"),
                check("server major", "13", "15")), EQUAL);
        assertFalse(r.passed());
        List<String> why = CutoverReadiness.problems(r);
        assertEquals(1, why.size(), why.toString());
        assertTrue(why.get(0).contains("server major") && why.get(0).contains("different result on 15"), why.get(0));
        Map<String, String> data = CutoverReadiness.outcomeData(r, NOW);
        assertEquals(CutoverReadiness.FAILED, data.get(CutoverReadiness.VERDICT));
        assertTrue(RehearsalReport.verdict(r).startsWith("not ready for the cutover"), RehearsalReport.verdict(r));
    }

    @Test
    void aCheckThatErrorsOrATableThatDiffersIsNotAPass() {
        Validation.SideBySide failing = new Validation.SideBySide("c", "app", "SELECT x", null, null, 1, 1, null, null,
                "column x does not exist");
        assertFalse(result(plan(), false, true, List.of(failing), EQUAL).passed());
        assertFalse(result(plan(), false, true, List.of(), List.of(new Validation.TableComparison("t", "2:a", "2:b"))).passed());
        assertFalse(result(plan(), true, true, List.of(), EQUAL).passed(), "a preflight is not a rehearsal");
        assertFalse(result(plan(), false, false, List.of(), EQUAL).passed());
        assertTrue(result(plan(), false, true, List.of(check("c", "1", "1")), EQUAL).passed());
    }

    @Test
    void nothingJournaledIsNotReady() {
        CutoverReadiness.Decision d = CutoverReadiness.decide(plan(), List.of(), NOW);
        assertFalse(d.ready());
        assertTrue(d.reason().startsWith("no rehearsal of this plan"), d.reason());
    }

    @Test
    void aPassedRehearsalOfTheSamePlanOnARecentSnapshotIsReady() throws Exception {
        UpgradePlan rehearsed = with(plan(), "20261126T080000Z-upgrade-13-main", 54331, plan().newName(), plan().method());
        UpgradeState st = journaled("20261126T080000Z-rehearsal-13-main", result(rehearsed, false, true,
                List.of(check("c", "1", "1")), EQUAL), NOW.minus(Duration.ofHours(2)));
        CutoverReadiness.Decision d = CutoverReadiness.decide(plan(), List.of(st), NOW);
        assertTrue(d.ready(), d.reason());
        assertEquals("20261126T080000Z-rehearsal-13-main", d.rehearsal());
        assertTrue(d.reason().contains("2.0 h ago"), d.reason());
    }

    @Test
    void aPassOnASnapshotOlderThan24HoursIsNotReady() throws Exception {
        UpgradeState st = journaled("20261125T080000Z-rehearsal-13-main", result(plan(), false, true, List.of(), EQUAL),
                NOW.minus(Duration.ofHours(25)));
        CutoverReadiness.Decision d = CutoverReadiness.decide(plan(), List.of(st), NOW);
        assertFalse(d.ready());
        assertTrue(d.reason().contains("25.0 h ago") && d.reason().contains("less than 24 h"), d.reason());
    }

    @Test
    void aPassOfAnotherPlanDoesNotCount() throws Exception {
        UpgradePlan other = with(plan(), plan().operation(), 54331, "main_15", plan().method());
        UpgradeState st = journaled("20261126T080000Z-rehearsal-13-main", result(other, false, true, List.of(), EQUAL),
                NOW.minusSeconds(60));
        CutoverReadiness.Decision d = CutoverReadiness.decide(plan(), List.of(st), NOW);
        assertFalse(d.ready());
        assertTrue(d.reason().contains("another plan"), d.reason());
    }

    @Test
    void theNewestRehearsalDecidesAndAPreflightOrARunningOneDoesNot() throws Exception {
        UpgradeState passed = journaled("20261126T070000Z-rehearsal-13-main", result(plan(), false, true, List.of(), EQUAL),
                NOW.minus(Duration.ofHours(3)));
        UpgradeState failed = journaled("20261126T080000Z-rehearsal-13-main", result(plan(), false, true,
                List.of(check("server major", "13", "15")), EQUAL), NOW.minus(Duration.ofHours(2)));
        UpgradeState preflight = UpgradeState.of("20261126T090000Z-preflight-13-main", List.of(UpgradeState.planEntry(A, "p", plan()),
                JournalEntry.outcome(A, UpgradeState.COMPLETED, "preflight done", Map.of())));
        UpgradeState running = UpgradeState.of("20261126T093000Z-rehearsal-13-main", List.of(UpgradeState.planEntry(A, "r", plan())));
        List<UpgradeState> all = new ArrayList<>(List.of(passed, failed, preflight, running));
        CutoverReadiness.Decision d = CutoverReadiness.decide(plan(), all, NOW);
        assertFalse(d.ready());
        assertEquals("20261126T080000Z-rehearsal-13-main", d.rehearsal());
        assertTrue(d.reason().contains("did not pass") && d.reason().contains("server major"), d.reason());

        all.remove(failed);
        assertTrue(CutoverReadiness.decide(plan(), all, NOW).ready(), "the earlier pass, once the failed one is gone");
    }

    @Test
    void aRehearsalThatStoppedOnAnErrorIsNotAPass() {
        UpgradeState st = UpgradeState.of("20261126T080000Z-rehearsal-13-main", List.of(UpgradeState.planEntry(A, "r", plan()),
                JournalEntry.outcome(A, UpgradeState.ABANDONED, "stopped; clones removed",
                        CutoverReadiness.stoppedData(plan(), NOW.minusSeconds(600)))));
        CutoverReadiness.Decision d = CutoverReadiness.decide(plan(), List.of(st), NOW);
        assertFalse(d.ready());
        assertTrue(d.reason().contains("stopped on an error"), d.reason());
    }
}
