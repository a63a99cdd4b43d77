package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetachedJobTest {
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
