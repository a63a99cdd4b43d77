package dev.twinshift.ui.timeline;

import java.util.Arrays;

/**
 * The stretch of time the timeline shows across its width, in epoch milliseconds. Immutable: every
 * zoom or pan gives a new window, so the view can compare and publish it.
 *
 * @param start the time at the left edge
 * @param span  the time across the whole width, between {@link #MIN_SPAN} and {@link #MAX_SPAN}
 */
public record TimeWindow(double start, double span) {
    public static final double MINUTE = 60_000;
    public static final double HOUR = 60 * MINUTE;
    public static final double DAY = 24 * HOUR;
    public static final double YEAR = 365.2425 * DAY;
    /** One hour across the width: minute ticks, every hourly snapshot far apart. */
    public static final double MIN_SPAN = HOUR;
    /** Thirty years: more than any catalog holds. */
    public static final double MAX_SPAN = 30 * YEAR;

    public TimeWindow {
        if (!(span > 0) || Double.isNaN(start)) {
            throw new IllegalArgumentException("a time window needs a start and a positive span");
        }
        span = Math.max(MIN_SPAN, Math.min(MAX_SPAN, span));
    }

    public double end() {
        return start + span;
    }

    /** Where {@code time} falls on a width of {@code width} pixels. */
    public double x(double time, double width) {
        return (time - start) * width / span;
    }

    /** The time under pixel {@code x}. */
    public double time(double x, double width) {
        return start + x * span / width;
    }

    /** Zooms in by {@code factor} (below 1 zooms out) keeping the time under {@code anchorX} where it is. */
    public TimeWindow zoom(double factor, double anchorX, double width) {
        double anchor = time(anchorX, width);
        double newSpan = Math.max(MIN_SPAN, Math.min(MAX_SPAN, span / factor));
        return new TimeWindow(anchor - anchorX / width * newSpan, newSpan);
    }

    /** Moves the content {@code dx} pixels to the right (a drag to the right shows earlier times). */
    public TimeWindow pan(double dx, double width) {
        return new TimeWindow(start - dx * span / width, span);
    }

    /** The same span with {@code time} in the middle. */
    public TimeWindow centeredOn(double time) {
        return new TimeWindow(time - span / 2, span);
    }

    /**
     * The smallest move that brings {@code time} inside the window, {@code marginPx} pixels away from
     * either edge; this window when it already is.
     */
    public TimeWindow showing(double time, double width, double marginPx) {
        double margin = Math.min(span / 2, marginPx * span / width);
        if (time < start + margin) {
            return new TimeWindow(time - margin, span);
        }
        if (time > end() - margin) {
            return new TimeWindow(time + margin - span, span);
        }
        return this;
    }

    /** A window that shows everything from {@code first} to {@code last}, with a margin on both sides. */
    public static TimeWindow fit(double first, double last) {
        double span = Math.max(MIN_SPAN, (last - first) * 1.08);
        double mid = (first + last) / 2;
        return new TimeWindow(mid - span / 2, span);
    }

    /**
     * The indices {@code [from, to)} of the sorted {@code times} that fall inside the window widened by
     * {@code marginMs} on each side: what a frame has to look at, found without walking the rest.
     */
    public int[] visible(long[] times, double marginMs) {
        int from = lowerBound(times, (long) Math.floor(start - marginMs));
        int to = lowerBound(times, (long) Math.ceil(end() + marginMs) + 1);
        return new int[] {from, Math.max(from, to)};
    }

    /** The first index whose time is at least {@code t}. */
    static int lowerBound(long[] times, long t) {
        int i = Arrays.binarySearch(times, t);
        if (i < 0) {
            return -i - 1;
        }
        while (i > 0 && times[i - 1] == t) {
            i--;
        }
        return i;
    }
}
