package dev.twinshift.ui.timeline;

import java.util.ArrayList;
import java.util.List;

/**
 * Which snapshots a frame draws one by one and which it draws as a count: neighbours closer than a
 * glyph's width are gathered, so a year of hourly snapshots reads as numbers instead of a smear. A
 * group is capped in width, so dense stretches still show where they are densest.
 */
public final class Grouping {
    private Grouping() {}

    /**
     * Snapshots {@code [from, to)} of the sorted times, drawn between {@code x0} and {@code x1}; a single
     * snapshot when {@code size() == 1}.
     */
    public record Group(int from, int to, double x0, double x1) {
        public int size() {
            return to - from;
        }

        public boolean single() {
            return size() == 1;
        }

        public double centre() {
            return (x0 + x1) / 2;
        }
    }

    /**
     * The groups of a frame, left to right, covering exactly the snapshots visible in {@code w} (and a
     * glyph's width beyond each edge, so a glyph cut by the edge is drawn).
     *
     * @param minGapPx   neighbours closer than this are gathered
     * @param maxGroupPx a group spans at most this many pixels
     */
    public static List<Group> of(long[] times, TimeWindow w, double width, double minGapPx, double maxGroupPx) {
        int[] range = w.visible(times, minGapPx * w.span() / width);
        List<Group> out = new ArrayList<>();
        int i = range[0];
        while (i < range[1]) {
            double x0 = w.x(times[i], width);
            double last = x0;
            int j = i + 1;
            while (j < range[1]) {
                double x = w.x(times[j], width);
                if (x - last >= minGapPx || x - x0 > maxGroupPx) {
                    break;
                }
                last = x;
                j++;
            }
            out.add(new Group(i, j, x0, last));
            i = j;
        }
        return out;
    }

    /** The group drawn under pixel {@code x}, within {@code slackPx}; null when there is none. */
    public static Group at(List<Group> groups, double x, double slackPx) {
        Group best = null;
        double bestDistance = Double.MAX_VALUE;
        for (Group g : groups) {
            double d = x < g.x0() ? g.x0() - x : x > g.x1() ? x - g.x1() : 0;
            if (d <= slackPx && d < bestDistance) {
                best = g;
                bestDistance = d;
            }
        }
        return best;
    }
}
