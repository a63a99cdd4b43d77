package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SpacePolicyTest {
    private static final long MIB = 1024L * 1024;

    @Test
    void theFloorIsAShareOfTheFilesystemButNeverLessThanTheMinimum() {
        SpacePolicy d = SpacePolicy.defaults();
        assertEquals(512 * MIB, d.floorFor(8L * 1024 * MIB), "8 GiB: 5 % is 410 MiB, under the minimum");
        assertEquals(1024L * 1024 * MIB / 100 * 5, d.floorFor(1024L * 1024 * MIB), "1 TiB: 5 %");
        assertEquals(300 * MIB, new SpacePolicy(0, 300 * MIB, 1).floorFor(1024 * MIB));
    }

    @Test
    void missingOrNonsenseKeysFallBackToTheDefaults() throws IOException {
        SpacePolicy p = Json.mapper().readValue("{\"floorMinBytes\": 1000, \"floorPercent\": 400}", SpacePolicy.class);
        assertEquals(SpacePolicy.DEFAULT_PERCENT, p.floorPercent());
        assertEquals(1000L, p.floorMinBytes());
        assertEquals(SpacePolicy.DEFAULT_POLL_SECONDS, p.pollSeconds());
        // What the console writes, the server's watcher reads: flat keys, numbers only, one per line.
        String written = Json.mapper().writeValueAsString(new SpacePolicy(7, 1234L, 3));
        assertTrue(written.matches("(?s).*\"floorPercent\" : 7,.*\"floorMinBytes\" : 1234,.*\"pollSeconds\" : 3.*"), written);
        assertFalse(written.contains("floorFor"), written);
    }

    @Test
    void theWatcherUsesTheSameRuleAndDefaults() throws IOException {
        String script;
        try (InputStream in = SpaceGuard.class.getResourceAsStream("/dev/twinshift/remote/space-watch.sh")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(script.contains("num floorPercent " + SpacePolicy.DEFAULT_PERCENT), script);
        assertTrue(script.contains("num floorMinBytes " + SpacePolicy.DEFAULT_MIN_BYTES), script);
        assertTrue(script.contains("num pollSeconds " + SpacePolicy.DEFAULT_POLL_SECONDS), script);
        assertTrue(script.contains("floor=$((size / 100 * pct)); [ \"$floor\" -gt \"$min\" ] || floor=$min"), script);
    }
}
