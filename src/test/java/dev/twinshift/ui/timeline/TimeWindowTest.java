package dev.twinshift.ui.timeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimeWindowTest {
    private static final double W = 1000;

    @Test
    void zoomKeepsTheTimeUnderThePointerWhereItIs() {
        TimeWindow w = new TimeWindow(0, 10 * TimeWindow.DAY);
        double under = w.time(250, W);
        TimeWindow in = w.zoom(2, 250, W);
        assertEquals(5 * TimeWindow.DAY, in.span(), 1e-6);
        assertEquals(under, in.time(250, W), 1e-3);
        TimeWindow out = in.zoom(0.5, 800, W);
        assertEquals(10 * TimeWindow.DAY, out.span(), 1e-6);
        assertEquals(in.time(800, W), out.time(800, W), 1e-3);
    }

    @Test
    void zoomStopsAtAnHourAndAtThirtyYearsButKeepsItsAnchor() {
        TimeWindow w = new TimeWindow(1_000_000, 2 * TimeWindow.HOUR);
        double anchor = w.time(100, W);
        TimeWindow tight = w.zoom(1000, 100, W);
        assertEquals(TimeWindow.MIN_SPAN, tight.span(), 1e-6);
        assertEquals(anchor, tight.time(100, W), 1e-3);
        assertEquals(TimeWindow.MAX_SPAN, w.zoom(1e-9, 100, W).span(), 1e-3);
    }

    @Test
    void dragToTheRightShowsEarlierTimes() {
        TimeWindow w = new TimeWindow(TimeWindow.DAY, TimeWindow.DAY);
        TimeWindow p = w.pan(100, W);
        assertEquals(TimeWindow.DAY - TimeWindow.DAY / 10, p.start(), 1e-6);
        assertEquals(w.span(), p.span(), 0);
    }

    @Test
    void showingMovesOnlyAsFarAsNeeded() {
        TimeWindow w = new TimeWindow(0, TimeWindow.DAY);
        assertSame(w, w.showing(TimeWindow.DAY / 2, W, 40));
        TimeWindow later = w.showing(2 * TimeWindow.DAY, W, 40);
        assertEquals(w.span(), later.span(), 0);
        assertEquals(W - 40, later.x(2 * TimeWindow.DAY, W), 1e-6);
        TimeWindow earlier = w.showing(-TimeWindow.HOUR, W, 40);
        assertEquals(40, earlier.x(-TimeWindow.HOUR, W), 1e-6);
    }

    @Test
    void fitShowsBothEndsInside() {
        TimeWindow f = TimeWindow.fit(1000, 1000 + 30 * TimeWindow.DAY);
        assertTrue(f.x(1000, W) > 0 && f.x(1000 + 30 * TimeWindow.DAY, W) < W);
        assertEquals(TimeWindow.MIN_SPAN, TimeWindow.fit(5, 5).span(), 0, "one snapshot: an hour around it");
    }

    @Test
    void visibleFindsTheIndicesInsideTheWindowAndItsMargin() {
        long[] times = {0, 10, 20, 20, 30, 40, 50};
        TimeWindow w = new TimeWindow(20, TimeWindow.MIN_SPAN);
        assertArrayEquals(new int[] {2, 7}, w.visible(times, 0));
        assertArrayEquals(new int[] {1, 7}, w.visible(times, 10));
        TimeWindow before = new TimeWindow(-10 * TimeWindow.HOUR, TimeWindow.MIN_SPAN);
        assertArrayEquals(new int[] {0, 0}, before.visible(times, 0));
    }
}
