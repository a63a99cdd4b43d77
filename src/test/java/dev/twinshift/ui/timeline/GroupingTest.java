package dev.twinshift.ui.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ui.timeline.Grouping.Group;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupingTest {
    private static final double W = 1000;

    private static long[] hourly(int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = i * 3_600_000L;
        }
        return t;
    }

    @Test
    void farApartSnapshotsAreDrawnOneByOne() {
        long[] t = hourly(10);
        List<Group> g = Grouping.of(t, new TimeWindow(-TimeWindow.HOUR, 12 * TimeWindow.HOUR), W, 9, 56);
        assertEquals(10, g.size());
        assertTrue(g.stream().allMatch(Group::single));
    }

    @Test
    void aYearOfHourliesBecomesCountsThatAddUpAndNeverOverlap() {
        long[] t = hourly(8760);
        TimeWindow year = TimeWindow.fit(t[0], t[t.length - 1]);
        List<Group> g = Grouping.of(t, year, W, 9, 56);
        assertEquals(8760, g.stream().mapToInt(Group::size).sum(), "every snapshot is counted once");
        assertTrue(g.size() < 40, "a few dozen counts, not thousands of dots: " + g.size());
        for (int i = 1; i < g.size(); i++) {
            assertTrue(g.get(i).x0() > g.get(i - 1).x1(), "groups follow each other left to right");
            assertTrue(g.get(i).x1() - g.get(i).x0() <= 56);
        }
    }

    @Test
    void onlyTheWindowIsLookedAt() {
        long[] t = hourly(10_000);
        TimeWindow day = new TimeWindow(5000 * 3_600_000.0, TimeWindow.DAY);
        List<Group> g = Grouping.of(t, day, W, 9, 56);
        int total = g.stream().mapToInt(Group::size).sum();
        assertTrue(total >= 24 && total <= 26, "a day and a glyph's width each side: " + total);
        assertEquals(5000, g.get(0).from(), "starts at the window");
    }

    @Test
    void aClickFindsTheNearestGroupWithinItsSlack() {
        List<Group> g = List.of(new Group(0, 1, 100, 100), new Group(1, 5, 200, 240));
        assertEquals(0, Grouping.at(g, 104, 7).from());
        assertEquals(1, Grouping.at(g, 220, 7).from());
        assertEquals(1, Grouping.at(g, 246, 7).from());
        assertNull(Grouping.at(g, 150, 7));
    }
}
