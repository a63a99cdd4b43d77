package dev.twinshift.schedule;

import dev.twinshift.storage.Actor;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.Json;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.ServerScripts;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.StorageMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A catalog in a local directory with the real server scripts installed in its bin/, run with /bin/sh:
 * the retention decision is tested as the server runs it. Snapshots are plain directories (the
 * plain-copy method), their sidecars written by the same Jackson mapping the console writes.
 */
final class LocalCatalog {
    static final String KEY = "pgvol";
    final Path root;

    LocalCatalog(Path dir) throws IOException {
        this.root = dir.resolve(".twinshift");
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("snapshots").resolve(KEY));
        Files.createDirectories(root.resolve("clones"));
        Files.createDirectories(root.resolve("schedule"));
        for (String s : List.of("schedule.sh", "lock.sh")) {
            Files.writeString(root.resolve("bin").resolve(s), ServerScripts.text(s));
        }
    }

    static String name(Instant at) {
        return dev.twinshift.storage.Catalog.snapshotName(at, null);
    }

    /** Writes a snapshot of the volume (its directory and sidecar) as taken at {@code at}. */
    SnapshotRecord snapshot(Instant at, Reason reason, boolean pinned) throws IOException {
        String name = name(at);
        Path loc = root.resolve("snapshots").resolve(KEY).resolve(name);
        Files.createDirectories(loc);
        SnapshotRecord r = new SnapshotRecord(KEY + "/" + name, name, KEY, at, new Actor("root", "schedule", "db1"), reason,
                null, "13/main", "13", "0/1000028", 1, "/srv/pg/13/main", null, pinned, StorageMethod.PLAIN_COPY,
                loc.toString(), false);
        Json.mapper().writeValue(root.resolve("snapshots").resolve(KEY).resolve(name + ".json").toFile(), r);
        return r;
    }

    /** A sidecar as written, with its location replaced (for a sidecar that points elsewhere). */
    void rewriteLocation(SnapshotRecord r, String location) throws IOException {
        Json.mapper().writeValue(root.resolve("snapshots").resolve(KEY).resolve(r.name() + ".json").toFile(),
                r.withLocation(location));
    }

    void clone(String name, String parentId) throws IOException {
        CloneRecord c = new CloneRecord(name, Instant.now(), new Actor("a", "b", "c"), parentId, "13/main", "13", "postgres",
                StorageMethod.PLAIN_COPY, root.resolve("clones").resolve(name).toString(), root.resolve("clones").resolve(name).toString(),
                null, null, null);
        Json.mapper().writeValue(root.resolve("clones").resolve(name + ".json").toFile(), c);
    }

    /** A stopped plain-copy clone of {@code parentId} made at {@code at}: its directory and its sidecar. */
    CloneRecord clone(String name, String parentId, Instant at) throws IOException {
        Path loc = root.resolve("clones").resolve(name);
        Files.createDirectories(loc);
        Files.writeString(loc.resolve("PG_VERSION"), "13\n");
        CloneRecord c = new CloneRecord(name, at, new Actor("tsadmin", "alice", "laptop"), parentId, "13/main", "13", "postgres",
                StorageMethod.PLAIN_COPY, loc.toString(), loc.toString(), null, null, null);
        Json.mapper().writeValue(root.resolve("clones").resolve(name + ".json").toFile(), c);
        return c;
    }

    /** A snapshot taken of a clone (its sidecar only): what makes the clone a parent. */
    void snapshotOfClone(String clone, Instant at) throws IOException {
        String key = "clone_" + clone;
        String name = name(at);
        Path dir = Files.createDirectories(root.resolve("snapshots").resolve(key));
        SnapshotRecord r = new SnapshotRecord(key + "/" + name, name, key, at, new Actor("root", "schedule", "db1"), Reason.MANUAL,
                null, "13/main", "13", "0/1000028", 1, root.resolve("clones").resolve(clone).toString(), "clone:" + clone, false,
                StorageMethod.PLAIN_COPY, dir.resolve(name).toString(), false);
        Json.mapper().writeValue(dir.resolve(name + ".json").toFile(), r);
    }

    void idleConf(String text) throws IOException {
        Path f = root.resolve("schedule").resolve("clones.conf");
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }

    void conf(String text) throws IOException {
        Path f = root.resolve("schedule").resolve(KEY + ".conf");
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Names of the snapshots whose sidecar is there, sorted. */
    TreeSet<String> sidecars() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("snapshots").resolve(KEY))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5)).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    /** Every path under the catalog with its size and modification time: what "changes nothing" compares. */
    List<String> tree() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted().toList()) {
                out.add(root.relativize(p) + " " + (Files.isRegularFile(p) ? Files.size(p) + " " + Files.getLastModifiedTime(p) : "d"));
            }
        }
        return out;
    }

    record Result(int code, String out, String err) {}

    Result run(Instant now, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", root.resolve("bin/schedule.sh").toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        Map<String, String> env = pb.environment();
        if (now != null) {
            env.put("TWINSHIFT_NOW", now.toString());
        }
        env.put("TWINSHIFT_LOCK_WAIT", "2");
        Path err = Files.createTempFile(root.getParent(), "err", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("schedule.sh " + String.join(" ", args) + " did not end");
        }
        String e = Files.readString(err);
        Files.delete(err);
        return new Result(p.exitValue(), out, e);
    }

    RetentionPlan dryRun(Instant now, String... extra) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("prune", root.toString(), KEY, "--dry-run"));
        a.addAll(List.of(extra));
        Result r = run(now, a.toArray(String[]::new));
        if (r.code() != 0) {
            throw new IllegalStateException("dry run failed (" + r.code() + "): " + r.err());
        }
        return RetentionPlan.parse(r.out());
    }

    String read(String rel) {
        try {
            return Files.readString(root.resolve(rel));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
