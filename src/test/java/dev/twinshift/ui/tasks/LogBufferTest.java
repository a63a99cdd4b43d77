package dev.twinshift.ui.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogBufferTest {
    @TempDir
    Path dir;

    @Test
    void keepsOnlyTheNewestLinesAndCountsTheRest() {
        LogBuffer log = new LogBuffer(1000, dir);
        for (int i = 1; i <= 100_000; i++) {
            log.append("pg_upgrade", "line " + i);
        }
        log.drain();
        assertEquals(1000, log.lines().size());
        assertTrue(log.lines().get(999).endsWith("line 100000"), log.lines().get(999));
        assertTrue(log.lines().get(0).endsWith("line 99001"), log.lines().get(0));
        assertEquals(99_000, log.dropped());
        log.close();
    }

    @Test
    void batchesAppendInOrder() {
        LogBuffer log = new LogBuffer(10, dir);
        log.append("a", "1");
        log.append("a", "2");
        log.drain();
        log.append("a", "3");
        log.drain();
        assertEquals(3, log.lines().size());
        assertTrue(log.lines().get(2).endsWith("a  3"));
    }

    @Test
    void linesPushedOutOfMemoryAreSavedBeforeTheOthersInOrder() throws Exception {
        LogBuffer log = new LogBuffer(1000, dir);
        // Drained now and then, as frames would, while the producer runs far ahead.
        for (int i = 1; i <= 50_000; i++) {
            log.append(7, "pg_upgrade", "line " + i, i % 3 == 0);
            if (i % 4_999 == 0) {
                log.drain();
            }
        }
        log.drain();
        assertEquals(1000, log.entries().size(), "only the cap lives in memory");
        assertEquals(49_001, log.entries().get(0).seq() + 1);
        assertTrue(log.spillFile().isPresent(), "older lines went to disk");

        Path saved = dir.resolve("saved.log");
        log.saveTo(saved);
        List<String> lines = Files.readAllLines(saved, StandardCharsets.UTF_8);
        assertEquals(50_000, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String want = "  pg_upgrade  line " + (i + 1);
            if (!lines.get(i).endsWith(want)) {
                throw new AssertionError("line " + (i + 1) + " of the saved log is " + lines.get(i));
            }
        }
        Path spill = log.spillFile().orElseThrow();
        log.close();
        for (int i = 0; i < 100 && Files.exists(spill); i++) {
            Thread.sleep(20);
        }
        assertFalse(Files.exists(spill), "closing deletes the spill file");
    }

    @Test
    void aSaveWhileLinesArriveHoldsEveryLineOnceAndInOrder() throws Exception {
        LogBuffer log = new LogBuffer(500, dir);
        Thread producer = new Thread(() -> {
            for (int i = 1; i <= 200_000; i++) {
                log.append("vacuumdb", "line " + i);
            }
        });
        producer.start();
        while (log.total() < 20_000) {
            Thread.onSpinWait();
        }
        Path saved = dir.resolve("during.log");
        log.saveTo(saved);
        producer.join();
        List<String> lines = Files.readAllLines(saved, StandardCharsets.UTF_8);
        assertTrue(lines.size() >= 20_000, "at least what was there when the save began: " + lines.size());
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).endsWith("  vacuumdb  line " + (i + 1))) {
                throw new AssertionError("line " + (i + 1) + " of the saved log is " + lines.get(i));
            }
        }
        log.close();
    }

    @Test
    void aTextOfSeveralLinesBecomesSeveralLinesAndKeepsWhatItSays() {
        LogBuffer log = new LogBuffer(10, dir);
        log.append(3, "pg_upgrade", "Performing Consistency Checks\r\nWARNING: old cluster uses reg*\n", false);
        log.append(3, "pg_upgrade", "could not connect to source postmaster", true);
        log.append(0, "cutover", "failed: the new cluster did not start", false);
        log.drain();
        List<LogLine> l = log.entries();
        assertEquals(4, l.size());
        assertEquals("Performing Consistency Checks", l.get(0).text());
        assertEquals(LogLine.Level.WARNING, l.get(1).level());
        assertTrue(l.get(2).stderr());
        assertEquals(LogLine.Level.INFO, l.get(2).level());
        assertEquals(LogLine.Level.ERROR, l.get(3).level());
        assertEquals(3, l.get(0).task());
        assertEquals(List.of(0L, 1L, 2L, 3L), l.stream().map(LogLine::seq).toList());
    }

    @Test
    void aProducerFarAheadOfTheWindowWaitsForTheNextFrameAndGoesOnWithIt() throws Exception {
        // A long wait, so that only a frame can let the producer on within this test.
        LogBuffer log = new LogBuffer(100, dir, 50, 60_000);
        log.setPumping(true);
        Thread producer = new Thread(() -> {
            for (int i = 0; i < 120; i++) {
                log.append("pg_upgrade", "line " + i);
            }
        });
        producer.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (log.total() < 50 || producer.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() < deadline, "the producer should be held at the frame budget: " + log.total());
            Thread.onSpinWait();
        }
        assertEquals(50, log.total(), "one frame's budget, then it waits");
        log.drain();
        deadline = System.nanoTime() + 10_000_000_000L;
        while (log.total() < 100) {
            assertTrue(System.nanoTime() < deadline, "a frame lets it go on: " + log.total());
            Thread.onSpinWait();
        }
        log.drain();
        producer.join(10_000);
        assertFalse(producer.isAlive(), "two more frames, and all 120 lines are in");
        assertEquals(120, log.total());
        log.close();
    }

    @Test
    void withoutFramesNoProducerEverWaits() {
        // The command line and tests drain by hand, or never: a budget there would only slow them down.
        LogBuffer log = new LogBuffer(100, dir, 10, 60_000);
        for (int i = 0; i < 1000; i++) {
            log.append("a", "line " + i);
        }
        assertEquals(1000, log.total());
        log.close();
    }

    @Test
    void aWindowThatStopsDrawingSlowsTheProducerWithoutStoppingIt() throws Exception {
        LogBuffer log = new LogBuffer(100, dir, 10, 5);
        log.setPumping(true);
        Thread producer = new Thread(() -> {
            for (int i = 0; i < 100; i++) {
                log.append("a", "line " + i);
            }
        });
        producer.start();
        producer.join(30_000);
        assertFalse(producer.isAlive(), "each wait ends after its bound even with no frame at all");
        assertEquals(100, log.total());
        log.close();
    }
}
