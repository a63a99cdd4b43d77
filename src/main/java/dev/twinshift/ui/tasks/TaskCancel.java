package dev.twinshift.ui.tasks;

import dev.twinshift.upgrade.CancelRequest;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What pressing Cancel on a task does. A task that changes a server is never stopped by
 * interrupting its thread: an interrupted stop, copy or journal line is what strands a cluster. It
 * either refuses (and says why), or hands the request to the operation, which acts on it at its next
 * step boundary (and may mean "roll back now"). Only work that changes nothing may be interrupted.
 */
public final class TaskCancel {

    /** What the Cancel button offers now. */
    public record Offer(Kind kind, String text) {
        public enum Kind {
            /** No cancel now; {@link #text()} says why. */
            REFUSED,
            /** Cancel stops the task; nothing is left half-done. */
            CANCEL,
            /** The task is inside a downtime: cancel means "roll back now". */
            ROLL_BACK,
            /** A cancel was asked and is being carried out. */
            ASKED
        }

        public Offer {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(text);
        }

        public boolean enabled() {
            return kind == Kind.CANCEL || kind == Kind.ROLL_BACK;
        }

        /** The button's label. */
        public String label() {
            return switch (kind) {
                case ROLL_BACK -> "Roll back now";
                case ASKED -> "Cancel asked";
                default -> "Cancel";
            };
        }
    }

    /** For a task that changes a server without steps of its own to stop between. */
    public static final String RUNS_TO_ITS_END = "This task changes the server and runs to its end: stopped half-way, it"
            + " could leave its work half-done.";

    private final Supplier<Offer> offer;
    private final Runnable request;
    private final Consumer<Runnable> changes;

    private TaskCancel(Supplier<Offer> offer, Runnable request, Consumer<Runnable> changes) {
        this.offer = offer;
        this.request = request;
        this.changes = changes;
    }

    /** No cancel, ever, for this task; {@code why} is shown on the disabled button. */
    public static TaskCancel refused(String why) {
        Offer o = new Offer(Offer.Kind.REFUSED, why);
        return new TaskCancel(() -> o, null, r -> { });
    }

    /** Work that changes nothing (reads, listings): cancel may simply interrupt it. */
    public static TaskCancel interrupts() {
        Offer o = new Offer(Offer.Kind.CANCEL, "Cancel: this only reads; it stops at once and changes nothing.");
        return new TaskCancel(() -> o, null, r -> { });
    }

    /** Cancel goes to the operation, which carries it out at its next step boundary as its policy says. */
    public static TaskCancel byRequest(CancelRequest request, String who) {
        Objects.requireNonNull(request);
        Objects.requireNonNull(who);
        return new TaskCancel(() -> offerOf(request), () -> request.request(who), request::onChange);
    }

    static Offer offerOf(CancelRequest r) {
        CancelRequest.Policy p = r.policy();
        if (r.requested()) {
            return new Offer(Offer.Kind.ASKED, "Cancel asked by " + r.requestedBy().orElse("") + ". " + p.meaning());
        }
        return switch (p.effect()) {
            case ABANDON -> new Offer(Offer.Kind.CANCEL, p.meaning());
            case ROLL_BACK -> new Offer(Offer.Kind.ROLL_BACK, p.meaning());
            case REFUSED -> new Offer(Offer.Kind.REFUSED, p.meaning());
        };
    }

    public Offer offer() {
        return offer.get();
    }

    /** Whether cancelling may interrupt the task's thread (only for work that changes nothing). */
    public boolean interruptsThread() {
        return request == null && offer().enabled();
    }

    /** Asks the operation to cancel; does nothing when the offer is not enabled. */
    public void request() {
        if (request != null && offer().enabled()) {
            request.run();
        }
    }

    /** {@code r} runs (on any thread) when the offer may have changed. */
    public void onChange(Runnable r) {
        changes.accept(r);
    }
}
