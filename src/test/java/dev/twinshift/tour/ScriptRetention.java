package dev.twinshift.tour;

import dev.twinshift.schedule.RetentionPlan;
import dev.twinshift.schedule.SnapshotPolicy;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.Json;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's retention plans, decided by the real {@code schedule.sh} run locally with /bin/sh over the demo's
 * sidecars in a scratch catalog: the demo shows what the server would decide, not a second implementation.
 */
final class ScriptRetention {
    private ScriptRetention() {}

    static RetentionPlan plan(List<SnapshotRecord> snaps, List<CloneItem> clones, SnapshotPolicy policy, Instant now) {
        try {
            Path dir = Files.createTempDirectory("twinshift-demo");
            try {
                Path cat = dir.resolve(".twinshift");
                String key = snaps.get(0).volume();
                Path vol = Files.createDirectories(cat.resolve("snapshots").resolve(key));
                Files.createDirectories(cat.resolve("clones"));
                Files.createDirectories(cat.resolve("bin"));
                for (SnapshotRecord s : snaps) {
                    Json.mapper().writeValue(vol.resolve(s.name() + ".json").toFile(), s);
                }
                for (CloneItem c : clones) {
                    CloneRecord r = c.record();
                    Json.mapper().writeValue(cat.resolve("clones").resolve(r.name() + ".json").toFile(), r);
                }
                for (String s : List.of("schedule.sh", "lock.sh")) {
                    try (InputStream in = ScriptRetention.class.getResourceAsStream("/dev/twinshift/remote/" + s)) {
                        Files.write(cat.resolve("bin").resolve(s), in.readAllBytes());
                    }
                }
                ProcessBuilder pb = new ProcessBuilder("/bin/sh", cat.resolve("bin/schedule.sh").toString(), "prune",
                        cat.toString(), key, "--dry-run", "--policy", policy.toString());
                pb.environment().put("TWINSHIFT_NOW", now.toString());
                pb.redirectError(ProcessBuilder.Redirect.INHERIT);
                Process p = pb.start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    throw new IllegalStateException("schedule.sh prune --dry-run failed");
                }
                return RetentionPlan.parse(out);
            } finally {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
