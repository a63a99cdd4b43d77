package dev.twinshift.ssh;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of one remote command, from the wait for a channel to its end, as a single state machine.
 * Every change goes through one synchronized method of this class; an event that makes no sense in the
 * current state (a channel opened twice, a process id before the channel) throws, and events after the
 * end change nothing. It holds no channel and does no I/O: {@link RemoteProcess} does the work each
 * {@link Change} asks for, which keeps the rules testable without a server.
 *
 * <pre>
 * WAITING --channel--&gt; OPENING --opened--&gt; STARTED --pid--&gt; RUNNING --exit--&gt; EXITED
 *    |                   |                     |                |
 *    |stop               |stop: remembered,    |stop            |stop          (channel gone without
 *    v                   v acted on at opened  v                v               a status: LOST/FAILED)
 * NOT_STARTED      NOT_STARTED (not opened)   STOPPING --pid--&gt; STOPPING --end--&gt; STOPPED
 * </pre>
 */
final class ProcessLife {

    /** Where a command is, each state named for what the user gets from a cancel or an end there. */
    enum State {
        /**
         * Queued for a free channel (sshd's MaxSessions): nothing runs on the server. A cancel or a
         * timeout ends it at once, "cancelled before it started" or "waited ... for a free channel".
         */
        WAITING,
        /**
         * Holds a channel and is opening it and sending the command. A cancel here cannot reach anything
         * yet; it is remembered, and the stop begins the moment the channel is open (or, when the
         * channel cannot open, the command ends as never started).
         */
        OPENING,
        /**
         * The command was sent, but its process id is not reported yet (the wrapper prints it first,
         * within milliseconds). A cancel here waits for the pid, so that it stops the process instead
         * of only dropping the channel, which would leave it running on the server.
         */
        STARTED,
        /** The server reported the process id: a cancel signals it at once. */
        RUNNING,
        /**
         * A stop was asked (cancel, timeout, connection closed) and the process is being stopped. A
         * second cancel changes nothing, and the end is reported as the stop, never as an exit code.
         */
        STOPPING,
        /** Ended by itself: the result carries the command's own exit code (128 + n after signal n). */
        EXITED,
        /** Ended after a stop: cancelled, timed out, or cancelled because the connection was closed. */
        STOPPED,
        /** Stopped before anything ran on the server. */
        NOT_STARTED,
        /** The connection went away: the outcome is unknown, the process may still run on the server. */
        LOST,
        /** The server refused the channel or the command, or the wait for a channel was interrupted. */
        FAILED;

        boolean ended() {
            return ENDED.contains(this);
        }

        /** Whether a command in this state holds one of the connection's channel permits. */
        boolean holdsChannel() {
            return this == OPENING || this == STARTED || this == RUNNING || this == STOPPING;
        }
    }

    /** Why a stop was asked. */
    enum Stop { CANCELLED, TIMEOUT, CLOSED }

    private static final Set<State> ENDED = EnumSet.of(State.EXITED, State.STOPPED, State.NOT_STARTED, State.LOST,
            State.FAILED);

    /**
     * What an event did; {@code pid} is the process id after it (-1 while unknown). {@code signal} is true on exactly one change in a command's life: the one at
     * which both a stop was asked and the process id is known, so the stop runs once, with that pid.
     */
    record Change(State from, State to, long pid, boolean signal) {
        boolean changed() {
            return from != to || signal;
        }

        /** Whether this change ended the command. */
        boolean ended() {
            return to.ended() && !from.ended();
        }
    }

    private State state = State.WAITING;
    private long pid = -1;
    private Stop stop;

    synchronized State state() {
        return state;
    }

    /** The remote process id, or -1 while it is not reported. */
    synchronized long pid() {
        return pid;
    }

    /** Why a stop was asked, or null when none was. */
    synchronized Stop stop() {
        return stop;
    }

    /** A channel permit was granted. No change (give the permit back) when the command already ended. */
    synchronized Change channelGranted() {
        return switch (state) {
            case WAITING -> move(State.OPENING, false);
            default -> ignoredAfterEnd("a channel granted");
        };
    }

    /** The server refused to open a channel for now; the command goes back to waiting for one. */
    synchronized Change retry() {
        require(State.OPENING, "a retry");
        return stop == null ? move(State.WAITING, false) : move(State.NOT_STARTED, false);
    }

    /** The channel is open and the command sent. Moves to STOPPING when a stop was asked meanwhile. */
    synchronized Change opened() {
        require(State.OPENING, "an opened channel");
        return move(stop == null ? State.STARTED : State.STOPPING, false);
    }

    /** The remote wrapper reported the process id. */
    synchronized Change pidReported(long p) {
        if (p < 0) {
            throw new IllegalArgumentException("process id " + p);
        }
        return switch (state) {
            case STARTED -> {
                pid = p;
                yield move(State.RUNNING, false);
            }
            case STOPPING -> {
                if (pid >= 0) {
                    throw new IllegalStateException("process id reported twice");
                }
                pid = p;
                yield move(State.STOPPING, true);
            }
            case WAITING, OPENING, RUNNING -> throw new IllegalStateException("a process id in " + state);
            default -> new Change(state, state, pid, false);
        };
    }

    /** A stop is asked. Only the first one counts; after the end it changes nothing. */
    synchronized Change requestStop(Stop why) {
        if (state.ended() || stop != null) {
            return new Change(state, state, pid, false);
        }
        stop = why;
        return switch (state) {
            case WAITING -> move(State.NOT_STARTED, false);
            case OPENING -> new Change(state, state, pid, false);
            case STARTED -> move(State.STOPPING, false);
            case RUNNING -> move(State.STOPPING, true);
            default -> throw new IllegalStateException("a stop in " + state);
        };
    }

    /**
     * The command is over as far as this side can tell: its channel closed, could not open, or the wait
     * for one failed. {@code natural} is how it ended if nobody stopped it (EXITED, LOST or FAILED);
     * a stop asked earlier wins. Only the first end counts.
     */
    synchronized Change end(State natural) {
        if (natural != State.EXITED && natural != State.LOST && natural != State.FAILED) {
            throw new IllegalArgumentException("not a natural end: " + natural);
        }
        if (state.ended()) {
            return new Change(state, state, pid, false);
        }
        if (stop != null) {
            return move(state == State.OPENING || state == State.WAITING ? State.NOT_STARTED : State.STOPPED, false);
        }
        if (natural == State.EXITED && !(state == State.STARTED || state == State.RUNNING)) {
            throw new IllegalStateException("an exit status in " + state);
        }
        return move(natural, false);
    }

    private Change move(State to, boolean signal) {
        Change c = new Change(state, to, pid, signal);
        state = to;
        return c;
    }

    private void require(State expected, String event) {
        if (state != expected) {
            throw new IllegalStateException(event + " in " + state);
        }
    }

    private Change ignoredAfterEnd(String event) {
        if (!state.ended()) {
            throw new IllegalStateException(event + " in " + state);
        }
        return new Change(state, state, pid, false);
    }

    @Override
    public synchronized String toString() {
        return state + (pid >= 0 ? " pid " + pid : "") + (stop == null ? "" : " (" + stop + ")");
    }
}
