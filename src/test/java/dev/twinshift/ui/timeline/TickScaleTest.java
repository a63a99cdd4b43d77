package dev.twinshift.ui.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ui.timeline.TickScale.Step;
import dev.twinshift.ui.timeline.TickScale.Tick;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TickScaleTest {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final double W = 1200;

    private static TimeWindow from(String isoLocal, double span) {
        return new TimeWindow(ZonedDateTime.parse(isoLocal + "+01:00[Europe/Paris]").toInstant().toEpochMilli(), span);
    }

    @Test
    void theStepFollowsTheZoomFromMinutesToYears() {
        assertEquals(Step.MINUTE_5, TickScale.step(TimeWindow.HOUR, W));
        assertEquals(Step.HOUR_1, TickScale.step(12 * TimeWindow.HOUR, W));
        assertEquals(Step.DAY_1, TickScale.step(10 * TimeWindow.DAY, W));
        assertEquals(Step.MONTH_1, TickScale.step(365 * TimeWindow.DAY, W));
        assertEquals(Step.YEAR_1, TickScale.step(8 * TimeWindow.YEAR, W));
        assertEquals(Step.YEAR_5, TickScale.step(30 * TimeWindow.YEAR, W));
    }

    @Test
    void labelsNeverCrowd() {
        for (double span = TimeWindow.MIN_SPAN; span < TimeWindow.MAX_SPAN; span *= 1.7) {
            TimeWindow w = new TimeWindow(1.7e12, span);
            List<Tick> ticks = TickScale.ticks(w, W, PARIS, Locale.UK);
            assertTrue(ticks.size() >= 1 && ticks.size() <= W / 40, span + ": " + ticks.size());
            for (int i = 1; i < ticks.size(); i++) {
                double gap = w.x(ticks.get(i).time(), W) - w.x(ticks.get(i - 1).time(), W);
                assertTrue(gap >= TickScale.MIN_LABEL_GAP_PX * 0.45, "span " + span + ": ticks " + gap + " px apart");
            }
        }
    }

    @Test
    void hourTicksFallOnLocalHoursAndMidnightNamesTheDay() {
        List<Tick> ticks = TickScale.ticks(from("2026-03-02T22:10", 6 * TimeWindow.HOUR), 600, PARIS, Locale.UK);
        assertEquals("23:00", ticks.get(0).label());
        Tick midnight = ticks.get(1);
        assertTrue(midnight.major());
        assertEquals("Tue 3 Mar", midnight.label());
        assertEquals(ZonedDateTime.parse("2026-03-03T00:00+01:00[Europe/Paris]").toInstant().toEpochMilli(), midnight.time());
    }

    @Test
    void theSpringForwardNightHasNoTwoOClock() {
        // 29 March 2026 in Paris: 02:00 becomes 03:00.
        List<Tick> ticks = TickScale.ticks(from("2026-03-29T00:30", 5 * TimeWindow.HOUR), 500, PARIS, Locale.UK);
        List<String> labels = ticks.stream().map(Tick::label).toList();
        assertEquals("01:00", labels.get(0), labels.toString());
        assertTrue(labels.contains("03:00"), labels.toString());
        assertTrue(!labels.contains("02:00"), labels.toString());
        for (int i = 1; i < ticks.size(); i++) {
            assertEquals(3_600_000, ticks.get(i).time() - ticks.get(i - 1).time(), "one real hour apart: " + labels);
        }
    }

    @Test
    void monthsAndYearsReadAsSuch() {
        TimeWindow year = from("2025-11-15T00:00", 300 * TimeWindow.DAY);
        List<Tick> months = TickScale.ticks(year, W, PARIS, Locale.UK);
        assertEquals("Dec", months.get(0).label());
        Tick jan = months.get(1);
        assertEquals("Jan 2026", jan.label());
        assertTrue(jan.major());
        assertEquals(Instant.parse("2025-12-31T23:00:00Z").toEpochMilli(), jan.time(), "local midnight of 1 January");

        List<Tick> years = TickScale.ticks(from("2019-06-01T00:00", 8 * TimeWindow.YEAR), W, PARIS, Locale.UK);
        assertEquals(List.of("2020", "2021", "2022", "2023", "2024", "2025", "2026", "2027"), years.stream().map(Tick::label).toList());
    }

    @Test
    void dayTicksInTheUsersZoneNotUtc() {
        ZoneId tokyo = ZoneId.of("Asia/Tokyo");
        TimeWindow w = new TimeWindow(Instant.parse("2026-05-01T12:00:00Z").toEpochMilli(), 10 * TimeWindow.DAY);
        Tick first = TickScale.ticks(w, W, tokyo, Locale.UK).get(0);
        assertEquals(0, Instant.ofEpochMilli(first.time()).atZone(tokyo).getHour());
        assertEquals("2 May", first.label());
    }
}
