package dev.twinshift.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

    @Test
    void oneJsonLinePerCommand(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data").resolve("twinshift").resolve("audit.jsonl");
        AuditLog log = new AuditLog(file);
        Instant t = Instant.parse("2025-01-31T10:00:00.123Z");
        log.record(t, "db1", "admin", List.of("sudo", "-n", "--", "echo", "a \"quoted\"\nline"), 0, Duration.ofMillis(41));
        log.record(t, "db1", "admin", List.of("sleep", "300"), AuditLog.CANCELLED, Duration.ofSeconds(2));
        log.record(t, "db2", List.of("true"), 3, Duration.ofMillis(5));

        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size());
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(lines.get(0));
        assertEquals("2025-01-31T10:00:00.123Z", a.get("time").asText());
        assertEquals("db1", a.get("server").asText());
        assertEquals("admin", a.get("user").asText());
        assertEquals("a \"quoted\"\nline", a.get("argv").get(4).asText());
        assertEquals(0, a.get("exit").asInt());
        assertEquals(41, a.get("durationMs").asLong());

        JsonNode b = json.readTree(lines.get(1));
        assertEquals("cancelled", b.get("exit").asText());
        assertEquals(2000, b.get("durationMs").asLong());

        JsonNode c = json.readTree(lines.get(2));
        assertFalse(c.has("user"));
        assertEquals(3, c.get("exit").asInt());

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void anUnwritableLogDoesNotFailTheCaller(@TempDir Path dir) throws Exception {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "");
        new AuditLog(notADir.resolve("audit.jsonl")).record(Instant.now(), "s", List.of("true"), 0, Duration.ZERO);
    }
}
