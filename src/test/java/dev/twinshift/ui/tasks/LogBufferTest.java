package dev.twinshift.ui.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogBufferTest {
    @Test
    void keepsOnlyTheNewestLinesAndCountsTheRest() {
        LogBuffer log = new LogBuffer(1000);
        for (int i = 1; i <= 100_000; i++) {
            log.append("pg_upgrade", "line " + i);
        }
        log.drain();
        assertEquals(1000, log.lines().size());
        assertTrue(log.lines().get(999).endsWith("line 100000"), log.lines().get(999));
        assertTrue(log.lines().get(0).endsWith("line 99001"), log.lines().get(0));
        assertEquals(99_000, log.dropped());
    }

    @Test
    void batchesAppendInOrder() {
        LogBuffer log = new LogBuffer(10);
        log.append("a", "1");
        log.append("a", "2");
        log.drain();
        log.append("a", "3");
        log.drain();
        assertEquals(3, log.lines().size());
        assertTrue(log.lines().get(2).endsWith("a  3"));
    }
}
