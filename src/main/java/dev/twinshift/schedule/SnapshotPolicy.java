package dev.twinshift.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How many snapshots of a cluster retention keeps, per level: the first snapshot of each of the newest
 * {@code N} hours (days, ISO weeks, months, years) that hold a snapshot. Periods are counted, not wall-clock
 * age, so a server that was off for a week keeps its hourlies. The decision itself is made on the server by
 * {@code schedule.sh} (the single implementation); this is the policy's readable form and its validation.
 *
 * @param hourly            hours kept (0: the level is off)
 * @param daily             days kept
 * @param weekly            ISO weeks kept
 * @param monthly           months kept
 * @param yearly            years kept
 * @param keepUpgradeSafety PRE_UPGRADE and PRE_ROLLBACK snapshots are never pruned (the default)
 * @param floorPercent      below this share of free space a run prunes the oldest prunable snapshots first; 0: off
 */
public record SnapshotPolicy(int hourly, int daily, int weekly, int monthly, int yearly, boolean keepUpgradeSafety,
                             int floorPercent) {

    public static final SnapshotPolicy DEFAULT = new SnapshotPolicy(36, 30, 8, 12, 3, true, 0);
    static final int MAX_COUNT = 100_000;

    public SnapshotPolicy {
        for (int n : new int[] {hourly, daily, weekly, monthly, yearly}) {
            if (n < 0 || n > MAX_COUNT) {
                throw new IllegalArgumentException("a retention count must be between 0 and " + MAX_COUNT + ", not " + n);
            }
        }
        if (floorPercent < 0 || floorPercent > 90) {
            throw new IllegalArgumentException("the free-space floor must be between 0 and 90 %, not " + floorPercent);
        }
        if (hourly + daily + weekly + monthly + yearly == 0) {
            throw new IllegalArgumentException("a policy that keeps no level would keep only the newest snapshot;"
                    + " give at least one count, e.g. hourly=24");
        }
    }

    /**
     * Parses {@code "hourly=36 daily=30 weekly=8 monthly=12 yearly=3"}, plus optional
     * {@code upgrade-safety=keep|prune} and {@code floor=10%}; levels not named are 0.
     */
    public static SnapshotPolicy parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty policy; write it as e.g. \"hourly=36 daily=30 weekly=8 monthly=12 yearly=3\"");
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        boolean safety = true;
        int floor = 0;
        for (String part : text.trim().split("[\\s,]+")) {
            int eq = part.indexOf('=');
            if (eq <= 0 || eq == part.length() - 1) {
                throw new IllegalArgumentException("\"" + part + "\" is not LEVEL=COUNT; write e.g. hourly=36");
            }
            String key = part.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1);
            switch (key) {
                case "hourly", "daily", "weekly", "monthly", "yearly" -> {
                    if (counts.containsKey(key)) {
                        throw new IllegalArgumentException(key + " is given twice");
                    }
                    counts.put(key, count(key, value));
                }
                case "upgrade-safety" -> safety = switch (value) {
                    case "keep" -> true;
                    case "prune" -> false;
                    default -> throw new IllegalArgumentException("upgrade-safety is keep or prune, not " + value);
                };
                case "floor" -> floor = count("floor", value.endsWith("%") ? value.substring(0, value.length() - 1) : value);
                default -> throw new IllegalArgumentException("unknown level \"" + key
                        + "\"; the levels are hourly, daily, weekly, monthly, yearly (and upgrade-safety=, floor=)");
            }
        }
        return new SnapshotPolicy(counts.getOrDefault("hourly", 0), counts.getOrDefault("daily", 0),
                counts.getOrDefault("weekly", 0), counts.getOrDefault("monthly", 0), counts.getOrDefault("yearly", 0),
                safety, floor);
    }

    private static int count(String key, String value) {
        if (!value.matches("[0-9]{1,6}")) {
            throw new IllegalArgumentException(key + "=" + value + ": the count must be a whole number, e.g. " + key + "=24");
        }
        return Integer.parseInt(value);
    }

    /** The levels in order with their counts. */
    public Map<String, Integer> levels() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("hourly", hourly);
        m.put("daily", daily);
        m.put("weekly", weekly);
        m.put("monthly", monthly);
        m.put("yearly", yearly);
        return m;
    }

    /** The form {@link #parse} reads, e.g. {@code "hourly=36 daily=30 weekly=8 monthly=12 yearly=3"}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        levels().forEach((k, v) -> parts.add(k + "=" + v));
        if (!keepUpgradeSafety) {
            parts.add("upgrade-safety=prune");
        }
        if (floorPercent > 0) {
            parts.add("floor=" + floorPercent + "%");
        }
        return String.join(" ", parts);
    }
}
