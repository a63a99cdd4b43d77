package dev.twinshift.bisect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class BisectSearchTest {

    /** Runs the search against an oracle; returns {probes, rounds} and leaves the search concluded. */
    static int[] run(BisectSearch s, IntFunction<Verdict> oracle, List<Integer> order) {
        int probes = 0;
        int rounds = 0;
        for (List<Integer> next = s.next(); !next.isEmpty(); next = s.next()) {
            rounds++;
            for (int i : next) {
                s.record(i, oracle.apply(i));
                probes++;
                order.add(i);
            }
        }
        return new int[] {probes, rounds};
    }

    static IntFunction<Verdict> badFrom(int firstBad) {
        return i -> i >= firstBad ? Verdict.BAD : Verdict.GOOD;
    }

    @Test
    void sixteenSnapshotsBrokenAfterTheEleventhTakeFiveProbesNewestFirst() {
        BisectSearch s = new BisectSearch(16, BisectMode.BINARY, 1);
        List<Integer> order = new ArrayList<>();
        int[] used = run(s, badFrom(11), order);
        BisectSearch.Conclusion c = s.conclusion();
        assertEquals(BisectSearch.Outcome.FOUND, c.outcome());
        assertEquals(10, c.lastGood(), "the 11th snapshot");
        assertEquals(11, c.firstBad(), "the 12th snapshot");
        assertEquals(5, used[0]);
        assertEquals(15, order.get(0), "the newest is verified first: " + order);
    }

    @Test
    void everyPositionOfTheFaultAmongOneThousandAndTwentyFourTakesAtMostElevenProbes() {
        int worst = 0;
        for (int firstBad = 0; firstBad <= 1024; firstBad++) {
            BisectSearch s = new BisectSearch(1024, BisectMode.BINARY, 1);
            int[] used = run(s, badFrom(firstBad), new ArrayList<>());
            BisectSearch.Conclusion c = s.conclusion();
            if (firstBad == 1024) {
                assertEquals(BisectSearch.Outcome.NO_BAD, c.outcome());
                assertEquals(1, used[0], "a good newest ends it at once");
            } else if (firstBad == 0) {
                assertEquals(BisectSearch.Outcome.NO_GOOD, c.outcome());
                assertEquals(0, c.firstBad());
            } else {
                assertEquals(BisectSearch.Outcome.FOUND, c.outcome(), "fault at " + firstBad);
                assertEquals(firstBad - 1, c.lastGood());
                assertEquals(firstBad, c.firstBad());
            }
            worst = Math.max(worst, used[0]);
        }
        assertTrue(worst <= 11, "worst case " + worst + " probes");
    }

    @Test
    void parallelProbesNeedFewerRoundsAndFindTheSameAnswer() {
        int[] worstRounds = new int[5];
        for (int k : new int[] {2, 4}) {
            for (int firstBad = 0; firstBad <= 1024; firstBad += 7) {
                BisectSearch s = new BisectSearch(1024, BisectMode.BINARY, k);
                List<Integer> order = new ArrayList<>();
                int[] used = run(s, badFrom(firstBad), order);
                BisectSearch.Conclusion c = s.conclusion();
                if (firstBad > 0 && firstBad < 1024) {
                    assertEquals(BisectSearch.Outcome.FOUND, c.outcome());
                    assertEquals(firstBad, c.firstBad());
                    assertEquals(firstBad - 1, c.lastGood());
                }
                assertEquals(Set.copyOf(order).size(), order.size(), "no snapshot probed twice");
                worstRounds[k] = Math.max(worstRounds[k], used[1]);
            }
        }
        assertTrue(worstRounds[2] <= 8, "k=2: " + worstRounds[2] + " rounds");
        assertTrue(worstRounds[4] <= 6, "k=4: " + worstRounds[4] + " rounds");
        assertTrue(worstRounds[4] < worstRounds[2]);
    }

    @Test
    void aSkippedSnapshotIsSteppedAroundByItsNeighbour() {
        // 7 would be the first midpoint; its clone does not start.
        BisectSearch s = new BisectSearch(16, BisectMode.BINARY, 1);
        List<Integer> order = new ArrayList<>();
        run(s, i -> i == 7 ? Verdict.SKIPPED : badFrom(11).apply(i), order);
        assertTrue(order.contains(6) || order.contains(8), "a neighbour of 7 takes its place: " + order);
        BisectSearch.Conclusion c = s.conclusion();
        assertEquals(BisectSearch.Outcome.FOUND, c.outcome());
        assertEquals(10, c.lastGood());
        assertEquals(11, c.firstBad());
    }

    @Test
    void skippedSnapshotsBetweenTheLastGoodAndTheFirstBadLeaveItUndecided() {
        BisectSearch s = new BisectSearch(16, BisectMode.BINARY, 1);
        run(s, i -> i == 10 || i == 11 ? Verdict.SKIPPED : badFrom(11).apply(i), new ArrayList<>());
        BisectSearch.Conclusion c = s.conclusion();
        assertEquals(BisectSearch.Outcome.UNDECIDED, c.outcome());
        assertEquals(9, c.lastGood());
        assertEquals(12, c.firstBad());
        assertEquals(List.of(10, 11), c.undecided());
    }

    @Test
    void aSkippedNewestMovesTheCheckOfTheNewEndToTheNextOne() {
        BisectSearch s = new BisectSearch(8, BisectMode.BINARY, 1);
        List<Integer> order = new ArrayList<>();
        run(s, i -> i == 7 ? Verdict.SKIPPED : Verdict.GOOD, order);
        assertEquals(List.of(7, 6), order);
        assertEquals(BisectSearch.Outcome.NO_BAD, s.conclusion().outcome());
    }

    @Test
    void anErrorStopsTheSearchAtOnce() {
        BisectSearch s = new BisectSearch(16, BisectMode.BINARY, 1);
        int[] used = run(s, i -> Verdict.ERROR, new ArrayList<>());
        assertEquals(1, used[0]);
        assertEquals(BisectSearch.Outcome.ERROR, s.conclusion().outcome());
    }

    @Test
    void aNonMonotonicCheckIsNamedAndScanAllListsEveryChange() {
        IntFunction<Verdict> flaky = i -> i >= 3 && i <= 5 || i >= 11 ? Verdict.BAD : Verdict.GOOD;
        BisectSearch b = new BisectSearch(16, BisectMode.BINARY, 1);
        run(b, flaky, new ArrayList<>());
        BisectSearch scan = new BisectSearch(16, BisectMode.SCAN_ALL, 3);
        List<Integer> order = new ArrayList<>();
        int[] used = run(scan, flaky, order);
        assertEquals(16, used[0]);
        assertEquals(6, used[1], "three at a time");
        assertEquals(0, order.get(0), "oldest first");
        BisectSearch.Conclusion c = scan.conclusion();
        assertEquals(BisectSearch.Outcome.FOUND, c.outcome());
        assertEquals(10, c.lastGood(), "the last change to bad");
        assertEquals(11, c.firstBad());
        assertEquals(3, c.notes().size(), "good->bad, bad->good, good->bad: " + c.notes());
    }

    @Test
    void anEmptyRangeAndASingleSnapshot() {
        assertEquals(BisectSearch.Outcome.EMPTY, new BisectSearch(0, BisectMode.BINARY, 1).conclusion().outcome());
        BisectSearch one = new BisectSearch(1, BisectMode.BINARY, 1);
        run(one, i -> Verdict.BAD, new ArrayList<>());
        assertEquals(BisectSearch.Outcome.NO_GOOD, one.conclusion().outcome());
    }
}
