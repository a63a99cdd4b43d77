package dev.twinshift.upgrade;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A request to cancel a long operation (a cutover, a rehearsal). The operation looks at it only
 * between two steps, never by interrupting a thread: a step interrupted half-way (a stop, a
 * pg_upgrade, a journal line) is exactly what leaves a cluster stranded. At each step boundary the
 * operation also says what a cancel would mean from then on, so that a console can show it before
 * anyone presses a button. Safe to use from any thread.
 */
public final class CancelRequest {

    /** What a cancel does when the operation reaches its next step boundary. */
    public enum Effect {
        /** Nothing live was stopped: what the operation made is removed, the live cluster never stops. */
        ABANDON,
        /** Inside the downtime: the operation rolls back at once, the old cluster comes back. */
        ROLL_BACK,
        /** Not possible now; {@link Policy#meaning()} says why and what to do instead. */
        REFUSED
    }

    /** What a cancel means now, in one sentence for the administrator. */
    public record Policy(Effect effect, String meaning) {
        public Policy {
            Objects.requireNonNull(effect);
            Objects.requireNonNull(meaning);
        }

        public boolean possible() {
            return effect != Effect.REFUSED;
        }

        public static Policy abandon(String meaning) {
            return new Policy(Effect.ABANDON, meaning);
        }

        public static Policy rollBack(String meaning) {
            return new Policy(Effect.ROLL_BACK, meaning);
        }

        public static Policy refused(String why) {
            return new Policy(Effect.REFUSED, why);
        }
    }

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private Policy policy = Policy.abandon("Nothing has started yet: cancel stops it before its first step.");
    private String requestedBy;

    /** What a cancel would mean now. */
    public synchronized Policy policy() {
        return policy;
    }

    /** Who asked for the cancel, once someone has and it was accepted. */
    public synchronized Optional<String> requestedBy() {
        return Optional.ofNullable(requestedBy);
    }

    public synchronized boolean requested() {
        return requestedBy != null;
    }

    /**
     * Asks for the cancel. Returns the policy it was asked under: when that is refused, nothing was
     * recorded and the policy says why. A second request changes nothing.
     */
    public Policy request(String by) {
        Policy p;
        synchronized (this) {
            p = policy;
            if (!p.possible() || requestedBy != null) {
                return p;
            }
            requestedBy = Objects.requireNonNull(by);
        }
        fire();
        return p;
    }

    /**
     * Called by the operation between two steps. When a cancel is pending, returns who asked (and
     * keeps the policy it was asked under); otherwise the next step's policy takes over and nothing
     * is returned. One atomic look, so that a cancel asked under a policy is carried out under it.
     */
    public Optional<String> boundary(Policy next) {
        synchronized (this) {
            if (requestedBy != null) {
                return Optional.of(requestedBy);
            }
            policy = Objects.requireNonNull(next);
        }
        fire();
        return Optional.empty();
    }

    /** From now on a cancel is refused (the operation rolls back, or has ended), with why. */
    public void refuse(String why) {
        synchronized (this) {
            policy = Policy.refused(why);
        }
        fire();
    }

    /** Runs {@code r} (on the operation's thread) whenever the policy or the request changes. */
    public void onChange(Runnable r) {
        listeners.add(Objects.requireNonNull(r));
    }

    private void fire() {
        for (Runnable r : listeners) {
            r.run();
        }
    }
}
