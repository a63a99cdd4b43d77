package dev.twinshift.ssh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Appends one JSON line per remote command: time, server, user, argv, exit code, duration.
 *
 * <p>A line looks like {@code {"time":"2025-01-31T10:00:00.123Z","server":"db1","user":"admin",
 * "argv":["sudo","-n","--","btrfs","subvolume","list","/srv"],"exit":0,"durationMs":41}}; when a
 * command did not end by itself, {@code exit} is {@code "cancelled"}, {@code "timeout"} or
 * {@code "lost"}. Writing never fails a command: an unwritable log is reported on the logger.
 */
public final class AuditLog {
    public static final String CANCELLED = "cancelled";
    public static final String TIMEOUT = "timeout";
    public static final String LOST = "lost";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());

    private final Path file;

    public AuditLog(Path file) {
        this.file = file;
    }

    /** $XDG_DATA_HOME/twinshift/audit.jsonl, or ~/.local/share/twinshift/audit.jsonl. */
    public static Path defaultFile() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("twinshift").resolve("audit.jsonl");
    }

    public static AuditLog standard() {
        return new AuditLog(defaultFile());
    }

    public Path file() {
        return file;
    }

    public void record(Instant start, String server, List<String> argv, int exitCode, Duration duration) {
        record(start, server, null, argv, exitCode, duration);
    }

    public void record(Instant start, String server, String user, List<String> argv, int exitCode, Duration duration) {
        ObjectNode line = base(start, server, user, argv);
        line.put("exit", exitCode);
        line.put("durationMs", duration.toMillis());
        append(line);
    }

    /** For a command that did not end by itself: {@link #CANCELLED}, {@link #TIMEOUT} or {@link #LOST}. */
    public void record(Instant start, String server, String user, List<String> argv, String ending, Duration duration) {
        ObjectNode line = base(start, server, user, argv);
        line.put("exit", ending);
        line.put("durationMs", duration.toMillis());
        append(line);
    }

    private static ObjectNode base(Instant start, String server, String user, List<String> argv) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", start.toString());
        line.put("server", server);
        if (user != null) {
            line.put("user", user);
        }
        ArrayNode a = line.putArray("argv");
        argv.forEach(a::add);
        return line;
    }

    private void append(ObjectNode line) {
        try {
            byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (AuditLog.class) {
                Path dir = file.toAbsolutePath().getParent();
                if (dir != null) {
                    Files.createDirectories(dir);
                }
                if (!Files.exists(file)) {
                    Files.createFile(file);
                    try {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException e) {
                        // Not a POSIX file system: the profile directory is private already.
                    }
                }
                Files.write(file, bytes, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the audit log " + file + ": " + e.getMessage());
        }
    }
}
