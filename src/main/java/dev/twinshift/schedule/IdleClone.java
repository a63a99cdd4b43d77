package dev.twinshift.schedule;

import java.time.Duration;
import java.time.Instant;

/**
 * One clone as the server's idle-clone rule sees it ({@code schedule.sh idle CATALOG --dry-run}): the console
 * only shows this, the decision is the script's.
 *
 * @param name           the clone's name
 * @param running        whether its server runs
 * @param connections    client connections now (the check's own session not counted); null when it is stopped
 *                       or they could not be counted
 * @param lastActiveAt   when it last had a client, was started by the console, or was made; null when unknown
 * @param idleFor        how long since then; null when unknown
 * @param protectedClone whether it is marked protected (an operation's clone is skipped without the mark)
 * @param verdict        what the rule says of it now
 * @param reason         why, in a few words, e.g. "no connection since 2026-12-01 10:00 UTC (4 d); policy stops after 3 d"
 */
public record IdleClone(String name, boolean running, Integer connections, Instant lastActiveAt, Duration idleFor,
                        boolean protectedClone, Verdict verdict, String reason) {

    /** What the rule says of a clone. */
    public enum Verdict {
        /** A client is connected, or it was active more recently than the mark (or its connections cannot be counted). */
        ACTIVE,
        /** No connection for longer than the mark; the policy does not act on it yet (or never, with idle-action=off). */
        IDLE,
        /** The next hourly run stops its server. */
        STOP_DUE,
        /** The next hourly run destroys it (it can be made again from its snapshot). */
        DESTROY_DUE,
        /** Never acted on: marked protected, an operation's clone (blue/green twin, bisect probe), or unreadable. */
        PROTECTED,
        /** Not running, and not due to be destroyed. */
        STOPPED
    }

    /** Whether the next hourly run acts on it. */
    public boolean due() {
        return verdict == Verdict.STOP_DUE || verdict == Verdict.DESTROY_DUE;
    }
}
