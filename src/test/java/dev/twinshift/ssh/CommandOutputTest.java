package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ssh.LineListener.Stream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommandOutputTest {
    static final String MARKER = "\u001ets-0123abcd ";

    record Line(Stream stream, String text) {}

    final List<Line> lines = Collections.synchronizedList(new ArrayList<>());
    final LineListener listener = (s, l) -> lines.add(new Line(s, l));

    private static void write(OutputStream o, String s) throws Exception {
        o.write(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void splitsLinesAcrossChunksAndKeepsTheLastUnterminatedOne() throws Exception {
        CommandOutput out = new CommandOutput(listener, 1000, null, Runnable::run);
        write(out.stdout(), "one\ntw");
        write(out.stdout(), "o\r\nthree\n\nfour");
        out.stdout().close();
        out.stderr().close();
        assertTrue(out.finished().isDone());
        assertEquals(List.of(new Line(Stream.STDOUT, "one"), new Line(Stream.STDOUT, "two"),
                new Line(Stream.STDOUT, "three"), new Line(Stream.STDOUT, ""), new Line(Stream.STDOUT, "four")), lines);
        // the capture is the text as it came, \r and missing final newline included
        assertEquals("one\ntwo\r\nthree\n\nfour", out.capturedStdout());
        assertNull(out.pid().join());
    }

    @Test
    void decodesUtf8SplitBetweenChunks() throws Exception {
        CommandOutput out = new CommandOutput(listener, 1000, null, Runnable::run);
        byte[] b = "é漢🐘\n".getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            out.stdout().write(new byte[] {x});
        }
        out.stdout().close();
        out.stderr().close();
        assertEquals(List.of(new Line(Stream.STDOUT, "é漢🐘")), lines);
    }

    @Test
    void theMarkerLineGivesThePidAndIsNeitherShownNorCaptured() throws Exception {
        CommandOutput out = new CommandOutput(listener, 1000, MARKER, Runnable::run);
        // what a login script may print comes first; then the marker, split across two writes
        write(out.stderr(), "motd line\n" + MARKER.substring(0, 5));
        write(out.stderr(), MARKER.substring(5) + "4242\nreal error\n");
        write(out.stdout(), "data\n");
        write(out.stderr(), MARKER + "1\n"); // only the first marker counts
        out.stdout().close();
        out.stderr().close();
        assertEquals(4242L, out.pid().join());
        assertEquals(List.of(new Line(Stream.STDERR, "motd line"), new Line(Stream.STDERR, "real error"),
                new Line(Stream.STDOUT, "data"), new Line(Stream.STDERR, MARKER + "1")), lines);
        assertEquals("motd line\nreal error\n" + MARKER + "1\n", out.capturedStderr());
    }

    @Test
    void aForgedMarkerWithAnotherNonceIsJustOutput() throws Exception {
        CommandOutput out = new CommandOutput(listener, 1000, MARKER, Runnable::run);
        write(out.stderr(), "\u001ets-ffffffff 77\n");
        out.stdout().close();
        out.stderr().close();
        assertNull(out.pid().join());
        assertEquals(List.of(new Line(Stream.STDERR, "\u001ets-ffffffff 77")), lines);
    }

    @Test
    void captureStopsAtTheLimitButTheListenerSeesEverything() throws Exception {
        CommandOutput out = new CommandOutput(listener, 10, null, Runnable::run);
        for (int i = 0; i < 100; i++) {
            write(out.stdout(), "line " + i + "\n");
        }
        out.stdout().close();
        out.stderr().close();
        assertEquals("line 0\nlin", out.capturedStdout());
        assertEquals(100, lines.size());
        assertEquals("line 99", lines.get(99).text());
    }

    @Test
    void stderrIsKeptEvenWhenNoCaptureIsAskedFor() throws Exception {
        CommandOutput out = new CommandOutput(listener, 0, null, Runnable::run);
        write(out.stdout(), "ignored\n");
        write(out.stderr(), "tee: /srv/x: No space left on device\n");
        out.stdout().close();
        out.stderr().close();
        assertEquals("", out.capturedStdout());
        assertEquals("tee: /srv/x: No space left on device\n", out.capturedStderr());
    }

    @Test
    void aFailingListenerDoesNotLoseTheRest() throws Exception {
        List<String> seen = new ArrayList<>();
        CommandOutput out = new CommandOutput((s, l) -> {
            seen.add(l);
            if (l.equals("boom")) {
                throw new IllegalStateException("listener bug");
            }
        }, 1000, null, Runnable::run);
        write(out.stdout(), "a\nboom\nb\n");
        out.stdout().close();
        out.stderr().close();
        assertEquals(List.of("a", "boom", "b"), seen);
        assertEquals("a\nboom\nb\n", out.capturedStdout());
    }

    @Test
    void onAPoolLinesKeepTheirArrivalOrderAndNeverOverlap() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            int[] inside = {0};
            CommandOutput out = new CommandOutput((s, l) -> {
                synchronized (inside) {
                    inside[0]++;
                    assertEquals(1, inside[0]);
                }
                seen.add(s + ":" + l);
                synchronized (inside) {
                    inside[0]--;
                }
            }, 1 << 20, null, pool);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                boolean err = i % 7 == 0;
                write(err ? out.stderr() : out.stdout(), i + "\n");
                expected.add((err ? "STDERR:" : "STDOUT:") + i);
            }
            out.stdout().close();
            out.stderr().close();
            out.finished().get(10, TimeUnit.SECONDS);
            assertEquals(expected, seen);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void veryLongLinesAreHandedOverInPieces() throws Exception {
        CommandOutput out = new CommandOutput(listener, 0, null, Runnable::run);
        byte[] big = new byte[3 * 1024 * 1024 + 5];
        java.util.Arrays.fill(big, (byte) 'x');
        out.stdout().write(big);
        out.stdout().close();
        out.stderr().close();
        assertEquals(4, lines.size());
        assertEquals(big.length, lines.stream().mapToInt(l -> l.text().length()).sum());
        assertEquals("", out.capturedStdout());
    }
}
