package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetachedJobTest {
    @TempDir
    Path dir;

    /** A job whose process ended but was not collected yet (a slow init) is not running: the stop saw it gone. */
    @Test
    void aZombieJobIsNotRunning() throws Exception {
        // sleep 0 ends at once and is never collected: its parent has become a sleep that does not wait.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        try {
            String zombie = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!Files.readString(Path.of("/proc", zombie, "stat")).contains(") Z ")) {
                assertTrue(System.nanoTime() < deadline, "sleep 0 never became a zombie");
                Thread.sleep(20);
            }
            Files.writeString(dir.resolve("pid"), zombie + "\n");
            Files.writeString(dir.resolve("log"), "");
            Process poll = new ProcessBuilder("sh", "-c", RemoteStop.resource("job-poll.sh"), "job-poll", dir.toString(), "0")
                    .start();
            String out = new String(poll.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(poll.waitFor(10, TimeUnit.SECONDS));
            assertEquals("lost 0\n", out);
        } finally {
            parent.destroy();
        }
    }

    @Test
    void statusLines() {
        assertEquals(new DetachedJob.Status(DetachedJob.State.RUNNING, -1, 120), DetachedJob.parseHead("running 120", 0));
        assertEquals(new DetachedJob.Status(DetachedJob.State.EXITED, 3, 500), DetachedJob.parseHead("exit 3 500", 100));
        assertEquals(new DetachedJob.Status(DetachedJob.State.LOST, -1, 80), DetachedJob.parseHead("lost 80", 80));
        assertEquals(DetachedJob.State.MISSING, DetachedJob.parseHead("missing 0", 0).state());
        assertThrows(IllegalStateException.class, () -> DetachedJob.parseHead("sh: syntax error", 0));
    }

    @Test
    void linesSplitAcrossPollsComeOutWhole() {
        List<String> got = new ArrayList<>();
        DetachedJob.LineAssembler a = new DetachedJob.LineAssembler((s, l) -> got.add(l));
        a.accept("Checking cluster ver");
        a.accept("sions    ok\nCreating dump");
        assertEquals(List.of("Checking cluster versions    ok"), got);
        a.accept(" of global objects  ok\n\n");
        a.flush();
        assertEquals(List.of("Checking cluster versions    ok", "Creating dump of global objects  ok", ""), got);
    }
}
