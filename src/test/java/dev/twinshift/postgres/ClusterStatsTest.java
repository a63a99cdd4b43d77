package dev.twinshift.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterStatsTest {
    private static final String S = "\u001f";

    @Test
    void sizeAndSlotsComeFromOneAnswer() {
        // psql -A -t -F US: NULL is an empty field.
        String out = "size" + S + "31457280" + S + S + "\n"
                + "slot" + S + "reports_sub" + S + "logical:false" + S + "1073741824\n"
                + "slot" + S + "standby1" + S + "physical:true" + S + "4096\n"
                + "slot" + S + "fresh" + S + "physical:false" + S + "\n";
        ClusterStats s = ClusterStats.parse(Psql.parseRows(out));
        assertEquals(31457280L, s.sizeBytes());
        assertEquals(3, s.slots().size());
        ClusterStats.Slot sub = s.slots().get(0);
        assertEquals("reports_sub", sub.name());
        assertEquals("logical", sub.type());
        assertFalse(sub.active());
        assertEquals(1073741824L, sub.retainedBytes());
        assertTrue(s.slots().get(1).active());
        assertNull(s.slots().get(2).retainedBytes());
        assertEquals(List.of("reports_sub", "fresh"), s.inactiveSlots().stream().map(ClusterStats.Slot::name).toList());
    }

    @Test
    void aClusterWithoutSlots() {
        ClusterStats s = ClusterStats.parse(Psql.parseRows("size" + S + "8192" + S + S + "\n"));
        assertEquals(8192L, s.sizeBytes());
        assertTrue(s.slots().isEmpty());
    }
}
