package dev.twinshift.ssh;

import static dev.twinshift.ssh.ProcessLife.State.EXITED;
import static dev.twinshift.ssh.ProcessLife.State.FAILED;
import static dev.twinshift.ssh.ProcessLife.State.LOST;
import static dev.twinshift.ssh.ProcessLife.State.NOT_STARTED;
import static dev.twinshift.ssh.ProcessLife.State.OPENING;
import static dev.twinshift.ssh.ProcessLife.State.RUNNING;
import static dev.twinshift.ssh.ProcessLife.State.STARTED;
import static dev.twinshift.ssh.ProcessLife.State.STOPPED;
import static dev.twinshift.ssh.ProcessLife.State.STOPPING;
import static dev.twinshift.ssh.ProcessLife.State.WAITING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ssh.ProcessLife.Change;
import dev.twinshift.ssh.ProcessLife.State;
import dev.twinshift.ssh.ProcessLife.Stop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The rules of a remote command's life, without a server. */
class ProcessLifeTest {

    private static ProcessLife running(long pid) {
        ProcessLife l = new ProcessLife();
        l.channelGranted();
        l.opened();
        l.pidReported(pid);
        return l;
    }

    @Test
    void aCommandThatEndsByItself() {
        ProcessLife l = new ProcessLife();
        assertEquals(WAITING, l.state());
        assertFalse(WAITING.holdsChannel());
        assertEquals(new Change(WAITING, OPENING, -1, false), l.channelGranted());
        assertEquals(new Change(OPENING, STARTED, -1, false), l.opened());
        assertEquals(new Change(STARTED, RUNNING, 4242, false), l.pidReported(4242));
        assertEquals(4242, l.pid());
        for (State s : List.of(OPENING, STARTED, RUNNING)) {
            assertTrue(s.holdsChannel(), s.name());
        }
        Change end = l.end(EXITED);
        assertEquals(new Change(RUNNING, EXITED, 4242, false), end);
        assertTrue(end.ended());
        assertTrue(end.from().holdsChannel(), "the permit is given back at the end");
        assertNull(l.stop());
    }

    @Test
    void cancelWhileWaitingForAChannelEndsAtOnceAndTheLatePermitGoesBack() {
        ProcessLife l = new ProcessLife();
        Change c = l.requestStop(Stop.CANCELLED);
        assertEquals(new Change(WAITING, NOT_STARTED, -1, false), c);
        assertTrue(c.ended());
        assertFalse(c.from().holdsChannel(), "no permit to give back yet");
        Change late = l.channelGranted();
        assertFalse(late.changed(), "the permit that comes later is not used");
        assertEquals(NOT_STARTED, l.state());
    }

    @Test
    void aTimeoutWhileWaitingIsRememberedAsTheReason() {
        ProcessLife l = new ProcessLife();
        assertEquals(NOT_STARTED, l.requestStop(Stop.TIMEOUT).to());
        assertEquals(Stop.TIMEOUT, l.stop());
        assertFalse(l.requestStop(Stop.CANCELLED).changed());
        assertEquals(Stop.TIMEOUT, l.stop(), "the first reason stays");
    }

    @Test
    void cancelWhileOpeningIsRememberedAndActedOnOnceOpen() {
        ProcessLife l = new ProcessLife();
        l.channelGranted();
        Change asked = l.requestStop(Stop.CANCELLED);
        assertFalse(asked.changed(), "nothing to reach yet");
        assertEquals(OPENING, l.state());
        assertEquals(new Change(OPENING, STOPPING, -1, false), l.opened());
        assertEquals(new Change(STOPPING, STOPPING, 77, true), l.pidReported(77), "the stop runs once the pid is known");
        assertEquals(new Change(STOPPING, STOPPED, 77, false), l.end(EXITED));
    }

    @Test
    void cancelWhileOpeningEndsAsNotStartedWhenTheChannelCannotOpen() {
        ProcessLife l = new ProcessLife();
        l.channelGranted();
        l.requestStop(Stop.CANCELLED);
        Change c = l.end(FAILED);
        assertEquals(new Change(OPENING, NOT_STARTED, -1, false), c);
        assertTrue(c.from().holdsChannel());
    }

    @Test
    void cancelBeforeThePidIsKnownSignalsWhenItArrives() {
        ProcessLife l = new ProcessLife();
        l.channelGranted();
        l.opened();
        Change asked = l.requestStop(Stop.CANCELLED);
        assertEquals(new Change(STARTED, STOPPING, -1, false), asked);
        assertFalse(asked.signal(), "no pid to signal yet");
        Change pid = l.pidReported(99);
        assertTrue(pid.signal());
        assertEquals(99, pid.pid());
        assertFalse(l.requestStop(Stop.CANCELLED).changed(), "a second cancel does nothing");
        assertEquals(STOPPED, l.end(EXITED).to());
    }

    @Test
    void cancelWhileRunningSignalsAtOnce() {
        ProcessLife l = running(123);
        assertEquals(new Change(RUNNING, STOPPING, 123, true), l.requestStop(Stop.CANCELLED));
        assertFalse(l.requestStop(Stop.TIMEOUT).changed());
        assertFalse(l.requestStop(Stop.CANCELLED).signal());
        assertEquals(Stop.CANCELLED, l.stop());
    }

    @Test
    void anExitStatusAfterAStopIsReportedAsTheStop() {
        ProcessLife l = running(5);
        l.requestStop(Stop.TIMEOUT);
        assertEquals(STOPPED, l.end(EXITED).to());
        assertEquals(Stop.TIMEOUT, l.stop());
    }

    @Test
    void aLostChannelEndsARunningCommandAsLostAndAStoppingOneAsStopped() {
        assertEquals(LOST, running(1).end(LOST).to());
        ProcessLife stopping = running(1);
        stopping.requestStop(Stop.CLOSED);
        assertEquals(STOPPED, stopping.end(LOST).to());
    }

    @Test
    void onlyTheFirstEndCounts() {
        ProcessLife l = running(8);
        assertTrue(l.end(EXITED).ended());
        Change again = l.end(LOST);
        assertFalse(again.changed());
        assertFalse(again.ended());
        assertEquals(EXITED, l.state());
        assertFalse(l.requestStop(Stop.CANCELLED).changed(), "a cancel after the end does nothing");
        assertNull(l.stop());
        assertFalse(l.pidReported(9).changed());
    }

    @Test
    void aRefusedChannelGoesBackToWaitingUnlessAStopCameMeanwhile() {
        ProcessLife l = new ProcessLife();
        l.channelGranted();
        assertEquals(new Change(OPENING, WAITING, -1, false), l.retry());
        l.channelGranted();
        l.requestStop(Stop.CANCELLED);
        Change c = l.retry();
        assertEquals(new Change(OPENING, NOT_STARTED, -1, false), c);
        assertTrue(c.ended());
    }

    @Test
    void eventsThatCannotHappenAreRefused() {
        ProcessLife waiting = new ProcessLife();
        assertThrows(IllegalStateException.class, waiting::opened);
        assertThrows(IllegalStateException.class, () -> waiting.pidReported(1));
        assertThrows(IllegalStateException.class, () -> waiting.end(EXITED), "no exit status without a channel");
        assertThrows(IllegalStateException.class, waiting::retry);
        assertThrows(IllegalArgumentException.class, () -> waiting.end(STOPPED), "a stop is not a natural end");

        ProcessLife opening = new ProcessLife();
        opening.channelGranted();
        assertThrows(IllegalStateException.class, opening::channelGranted);
        assertThrows(IllegalStateException.class, () -> opening.pidReported(1), "no pid before the channel is open");

        ProcessLife run = running(3);
        assertThrows(IllegalStateException.class, run::opened);
        assertThrows(IllegalStateException.class, () -> run.pidReported(4));
        assertThrows(IllegalArgumentException.class, () -> new ProcessLife().pidReported(-1));
        assertEquals(RUNNING, run.state(), "a refused event changes nothing");
    }

    /** Whichever order the cancel and the pid report come in, the process is signalled once, with its pid. */
    @Test
    void everyOrderOfCancelAndPidSignalsExactlyOnce() {
        List<List<String>> orders = List.of(
                List.of("stop", "open", "pid"), List.of("open", "stop", "pid"), List.of("open", "pid", "stop"));
        for (List<String> order : orders) {
            ProcessLife l = new ProcessLife();
            l.channelGranted();
            List<Change> changes = new ArrayList<>();
            for (String e : order) {
                changes.add(switch (e) {
                    case "stop" -> l.requestStop(Stop.CANCELLED);
                    case "open" -> l.opened();
                    default -> l.pidReported(31);
                });
            }
            changes.add(l.requestStop(Stop.TIMEOUT));
            List<Change> signals = changes.stream().filter(Change::signal).toList();
            assertEquals(1, signals.size(), order + ": " + changes);
            assertEquals(31, signals.get(0).pid(), order.toString());
            assertEquals(STOPPING, l.state(), order.toString());
        }
    }

    @Test
    void aCancelRacingThePidReportSignalsExactlyOnce() throws Exception {
        for (int round = 0; round < 500; round++) {
            ProcessLife l = new ProcessLife();
            l.channelGranted();
            l.opened();
            AtomicInteger signals = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            Thread a = Thread.ofPlatform().start(() -> {
                await(go);
                if (l.requestStop(Stop.CANCELLED).signal()) {
                    signals.incrementAndGet();
                }
            });
            Thread b = Thread.ofPlatform().start(() -> {
                await(go);
                if (l.pidReported(1000).signal()) {
                    signals.incrementAndGet();
                }
            });
            go.countDown();
            a.join();
            b.join();
            assertEquals(1, signals.get(), "round " + round + ": " + l);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
