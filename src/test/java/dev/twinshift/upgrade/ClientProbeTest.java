package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientProbeTest {
    @Test
    void theOutageRunsFromTheLastSuccessBeforeToTheFirstSuccessAfter() {
        String log = "ok 1000\nok 1100\ndown 1200\ndown 1300\ndown 1400\nok 1550\nok 1650\n";
        assertEquals(450, ClientProbe.longestOutage(log).getAsLong());
    }

    @Test
    void theLongestOfSeveralOutagesCounts() {
        String log = "ok 0\ndown 100\nok 300\nok 400\ndown 500\ndown 600\ndown 700\nok 900\n";
        assertEquals(500, ClientProbe.longestOutage(log).getAsLong());
    }

    @Test
    void noOutageSeenOrNoSuccessAfterItMeasuresNothing() {
        assertTrue(ClientProbe.longestOutage("ok 1\nok 2\n").isEmpty(), "always up: nothing to report");
        assertTrue(ClientProbe.longestOutage("ok 1\ndown 2\ndown 3\n").isEmpty(), "never back: not a downtime figure");
        assertTrue(ClientProbe.longestOutage("ok 1\ndown 2\nok 9\ngarbage\n").isPresent());
    }
}
