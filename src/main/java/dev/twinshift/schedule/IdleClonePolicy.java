package dev.twinshift.schedule;

import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the server does with clones nobody connects to, as {@code CATALOG/schedule/clones.conf} holds it:
 * {@code idle-mark=24h idle-action=off|stop|destroy idle-after=7d}. A clone with no client connection for
 * {@code markAfter} is shown as idle; after {@code actAfter} the hourly run stops or destroys it when the
 * action says so. The decision itself is made on the server by {@code schedule.sh idle} (the single
 * implementation); this is the policy's readable form and its validation, which refuses exactly what the
 * script refuses.
 *
 * @param markAfter how long without a connection before a clone is marked idle
 * @param action    what the hourly run does to a clone idle for {@code actAfter}: nothing, stop it, destroy it
 * @param actAfter  how long without a connection before the action; at least 1 h and not before the mark
 */
public record IdleClonePolicy(Duration markAfter, Action action, Duration actAfter) {

    /** What the hourly run does to a clone idle past {@code actAfter}. */
    public enum Action {
        /** Nothing: idle clones are only marked. */
        OFF,
        /** Its server is stopped (fast shutdown); its data stays. */
        STOP,
        /** It is destroyed, unless it has snapshots of its own (then only stopped). */
        DESTROY
    }

    /** Mark after a day, act never: nothing is stopped or destroyed unless the administrator chooses it. */
    public static final IdleClonePolicy DEFAULT = new IdleClonePolicy(Duration.ofHours(24), Action.OFF, Duration.ofDays(7));

    static final String EXAMPLE = "idle-mark=24h idle-action=stop idle-after=7d";
    /* As schedule.sh's durations: no leading zero (sh would read it as octal), at most six digits. */
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,5})([smhdw])");

    public IdleClonePolicy {
        if (markAfter == null || action == null || actAfter == null) {
            throw new IllegalArgumentException("an idle-clone policy needs idle-mark, idle-action and idle-after");
        }
        if (markAfter.isNegative() || markAfter.isZero()) {
            throw new IllegalArgumentException("idle-mark must be longer than nothing, e.g. idle-mark=24h");
        }
        if (actAfter.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("idle-after=" + durationText(actAfter) + ": at least 1h, so that a clone is"
                    + " never acted on while someone is still at work");
        }
        if (actAfter.compareTo(markAfter) < 0) {
            throw new IllegalArgumentException("idle-after=" + durationText(actAfter) + " is shorter than idle-mark="
                    + durationText(markAfter) + ": a clone is marked idle before it is acted on");
        }
    }

    /**
     * Parses {@code "idle-mark=24h idle-action=stop idle-after=7d"} (keys in any order, separated by spaces,
     * commas or lines; lines starting with # are comments); keys not given keep their defaults (24h, off, 7d).
     * Durations are whole numbers of s, m, h, d or w, e.g. 90m, 6h, 2d, 1w.
     *
     * @throws IllegalArgumentException saying what is wrong and what is expected
     */
    public static IdleClonePolicy parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no idle-clone policy given; write it as e.g. \"" + EXAMPLE + "\"");
        }
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!line.strip().startsWith("#")) {
                body.append(line).append(' ');
            }
        }
        String t = body.toString().strip();
        if (!t.matches("[a-z0-9 \t\r=,-]*")) {
            throw new IllegalArgumentException("\"" + text.strip() + "\" has characters an idle-clone policy never has;"
                    + " write it as e.g. \"" + EXAMPLE + "\"");
        }
        Duration mark = DEFAULT.markAfter;
        Action action = DEFAULT.action;
        Duration after = DEFAULT.actAfter;
        Set<String> seen = new HashSet<>();
        for (String part : t.isEmpty() ? new String[0] : t.split("[\\s,]+")) {
            int eq = part.indexOf('=');
            if (eq <= 0 || eq == part.length() - 1) {
                throw new IllegalArgumentException("\"" + part + "\" is not KEY=VALUE; write e.g. \"" + EXAMPLE + "\"");
            }
            String key = part.substring(0, eq);
            String value = part.substring(eq + 1);
            if (!seen.add(key)) {
                throw new IllegalArgumentException(key + " is given twice");
            }
            switch (key) {
                case "idle-mark" -> mark = duration(key, value);
                case "idle-after" -> after = duration(key, value);
                case "idle-action" -> action = switch (value) {
                    case "off" -> Action.OFF;
                    case "stop" -> Action.STOP;
                    case "destroy" -> Action.DESTROY;
                    default -> throw new IllegalArgumentException("idle-action is off, stop or destroy, not " + value);
                };
                default -> throw new IllegalArgumentException("unknown key \"" + key + "\": the keys are idle-mark, idle-action"
                        + " and idle-after, e.g. \"" + EXAMPLE + "\"");
            }
        }
        return new IdleClonePolicy(mark, action, after);
    }

    private static Duration duration(String key, String value) {
        var m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException(key + "=" + value + ": not a duration like 90m, 6h, 2d or 1w");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    /** The policy as text, as {@link #parse} reads it and the server's script prints it. */
    public String text() {
        return "idle-mark=" + durationText(markAfter) + " idle-action=" + action.name().toLowerCase(Locale.ROOT)
                + " idle-after=" + durationText(actAfter);
    }

    /** Whole days (more than one), else hours, minutes or seconds: 7d, 24h, 90m. */
    public static String durationText(Duration d) {
        long s = d.toSeconds();
        if (s % 86_400 == 0 && s > 86_400) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    /** The file the server reads: one key a line. */
    String fileText() {
        return "# Idle clones: what the hourly run does to clones with no client connection (schedule.sh idle).\n"
                + "# idle-action=off never stops or destroys anything; protected clones are never touched.\n"
                + "idle-mark=" + durationText(markAfter) + "\n"
                + "idle-action=" + action.name().toLowerCase(Locale.ROOT) + "\n"
                + "idle-after=" + durationText(actAfter) + "\n";
    }

    @Override
    public String toString() {
        return text();
    }
}
