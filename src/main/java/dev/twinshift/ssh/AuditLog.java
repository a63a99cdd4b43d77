package dev.twinshift.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Appends one JSON line per remote command: time, server, argv, exit code, duration. */
public final class AuditLog {
    private final Path file;

    public AuditLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void record(Instant start, String server, List<String> argv, int exitCode, Duration duration) {
        throw new UnsupportedOperationException("TODO");
    }
}
