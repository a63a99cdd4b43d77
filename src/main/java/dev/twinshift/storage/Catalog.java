package dev.twinshift.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The state of record on the server: a {@code .twinshift} directory at the root of the filesystem
 * that holds the volumes, so that every console sees the same snapshots and clones.
 *
 * <pre>
 * .twinshift/snapshots/VOLUME/NAME        read-only snapshot   + NAME.json
 * .twinshift/clones/NAME                  writable clone       + NAME.json, NAME.run/ (config, log, socket)
 * .twinshift/replaced/                    live volumes set aside during a rollback
 * .twinshift/lock/owner.json              held while an operation runs (a lease its holder renews)
 * .twinshift/lock.guard                   flock(1) file under which the lease is renewed, released, taken over
 * </pre>
 */
public final class Catalog {
    /** The UTC timestamp that starts snapshot and operation names, so they sort by time. */
    public static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String RECORD_SEPARATOR = "\u001e";

    private final RemoteShell shell;
    private final String filesystemRoot;
    private final String root;

    /** @param filesystemRoot the mount point of the filesystem that holds the volumes */
    public Catalog(RemoteShell shell, String filesystemRoot) {
        this.shell = shell;
        String fs = filesystemRoot.endsWith("/") && filesystemRoot.length() > 1
                ? filesystemRoot.substring(0, filesystemRoot.length() - 1) : filesystemRoot;
        this.filesystemRoot = fs;
        this.root = (fs.equals("/") ? "" : fs) + "/.twinshift";
    }

    /** The mount point of the filesystem this catalog describes. */
    public String filesystemRoot() {
        return filesystemRoot;
    }

    public RemoteShell shell() {
        return shell;
    }

    public String root() {
        return root;
    }

    public String snapshotsDir() {
        return root + "/snapshots";
    }

    public String snapshotDir(String volume) {
        return snapshotsDir() + "/" + volume;
    }

    public String snapshotPath(String volume, String name) {
        return snapshotDir(volume) + "/" + name;
    }

    public String clonesDir() {
        return root + "/clones";
    }

    public String clonePath(String name) {
        return clonesDir() + "/" + name;
    }

    /** Where a clone's own config, log and (when short enough) socket live. */
    public String cloneRunDir(String name) {
        return clonePath(name) + ".run";
    }

    /**
     * When the clone last had a client (or was started by a console): one ISO UTC time, written by the
     * console's start and by {@code schedule.sh idle}, which decides by it which clones are idle.
     */
    public String cloneActivityFile(String name) {
        return clonePath(name) + ".activity";
    }

    /** Present while the clone is protected from the idle-clone policy: who protected it, and when. */
    public String cloneProtectionFile(String name) {
        return clonePath(name) + ".protected";
    }

    public String replacedDir() {
        return root + "/replaced";
    }

    public String lockDir() {
        return root + "/lock";
    }

    /** The catalog key of the volume at {@code path} on a filesystem mounted at {@code mount}. */
    public static String volumeKey(String mount, String path) {
        String m = mount.equals("/") ? "" : mount;
        String rel = path.startsWith(m + "/") ? path.substring(m.length() + 1) : path.replaceFirst("^/+", "");
        if (rel.startsWith(".twinshift/clones/")) {
            return "clone_" + rel.substring(".twinshift/clones/".length()).replace('/', '_');
        }
        return rel.isEmpty() ? "root" : rel.replace('/', '_');
    }

    /** A snapshot name from its time and optional (already validated) label. */
    public static String snapshotName(Instant at, String label) {
        return STAMP.format(at) + (label == null || label.isEmpty() ? "" : "-" + label);
    }

    public void ensureLayout() throws SshException, InterruptedException {
        shell.run(RemoteCommand.of("mkdir", "-p", "--", snapshotsDir(), clonesDir(), replacedDir()).asRoot()).requireSuccess();
    }

    // ---- sidecars -------------------------------------------------------------------------------

    /** Writes JSON so that a reader never sees half a file: to NAME.tmp, then renamed. */
    public void writeJson(String path, Object value) throws SshException, InterruptedException {
        byte[] bytes;
        try {
            bytes = (Json.mapper().writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + path, e);
        }
        String tmp = path + ".tmp";
        shell.run(RemoteCommand.of("tee", "--", tmp).asRoot(), ExecOptions.defaults().withStdin(bytes).withCaptureLimit(0),
                LineListener.IGNORE).requireSuccess();
        shell.run(RemoteCommand.of("mv", "-f", "--", tmp, path).asRoot()).requireSuccess();
    }

    public <T> Optional<T> readJson(String path, Class<T> type) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("cat", "--", path).asRoot());
        if (!r.ok()) {
            if (!exists(path)) {
                return Optional.empty();
            }
            r.requireSuccess();
        }
        try {
            return Optional.of(Json.mapper().readValue(r.stdout(), type));
        } catch (IOException e) {
            throw new IllegalStateException("the sidecar " + path + " on " + shell.serverName() + " is not valid JSON: "
                    + e.getMessage(), e);
        }
    }

    /** Whether the path exists on the server (messages are localized, so failures are checked this way). */
    public boolean exists(String path) throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("test", "-e", path).asRoot()).ok();
    }

    public void remove(String path) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of("rm", "-f", "--", path).asRoot()).requireSuccess();
    }

    public String snapshotSidecar(String volume, String name) {
        return snapshotPath(volume, name) + ".json";
    }

    public String cloneSidecar(String name) {
        return clonePath(name) + ".json";
    }

    /** Every snapshot sidecar in the catalog, oldest first. Unreadable sidecars are reported, not fatal. */
    public List<SnapshotRecord> snapshots(List<String> problems) throws SshException, InterruptedException {
        List<SnapshotRecord> out = new ArrayList<>();
        for (String[] f : readAll(snapshotsDir(), 2)) {
            try {
                out.add(Json.mapper().readValue(f[1], SnapshotRecord.class));
            } catch (IOException e) {
                problems.add(f[0] + ": " + e.getMessage());
            }
        }
        out.sort(Comparator.comparing(SnapshotRecord::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(SnapshotRecord::name));
        return out;
    }

    public List<SnapshotRecord> snapshots() throws SshException, InterruptedException {
        return snapshots(new ArrayList<>());
    }

    public List<CloneRecord> clones(List<String> problems) throws SshException, InterruptedException {
        List<CloneRecord> out = new ArrayList<>();
        for (String[] f : readAll(clonesDir(), 1)) {
            try {
                out.add(Json.mapper().readValue(f[1], CloneRecord.class));
            } catch (IOException e) {
                problems.add(f[0] + ": " + e.getMessage());
            }
        }
        out.sort(Comparator.comparing(CloneRecord::name));
        return out;
    }

    public List<CloneRecord> clones() throws SshException, InterruptedException {
        return clones(new ArrayList<>());
    }

    public Optional<CloneRecord> clone(String name) throws SshException, InterruptedException {
        return readJson(cloneSidecar(name), CloneRecord.class);
    }

    /** The snapshot with this id ("VOLUME/NAME") or, when unique, this name. */
    public Optional<SnapshotRecord> snapshot(String idOrName) throws SshException, InterruptedException {
        List<SnapshotRecord> all = snapshots();
        Optional<SnapshotRecord> byId = all.stream().filter(s -> s.id().equals(idOrName)).findFirst();
        if (byId.isPresent()) {
            return byId;
        }
        List<SnapshotRecord> byName = all.stream().filter(s -> s.name().equals(idOrName)).toList();
        if (byName.size() > 1) {
            throw new IllegalArgumentException("several snapshots are named " + idOrName + ": give the full id ("
                    + String.join(", ", byName.stream().map(SnapshotRecord::id).toList()) + ")");
        }
        return byName.stream().findFirst();
    }

    /* Reads every *.json up to `depth` levels below `dir` in one command: each file preceded by RS + its path. */
    private List<String[]> readAll(String dir, int depth) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("find", dir, "-mindepth", Integer.toString(depth), "-maxdepth",
                Integer.toString(depth), "-type", "f", "-name", "*.json", "-printf", RECORD_SEPARATOR + "%p\\n",
                "-exec", "cat", "--", "{}", ";").asRoot());
        if (!r.ok() && !exists(dir)) {
            return List.of();
        }
        r.requireSuccess();
        return splitRecords(r.stdout());
    }

    static List<String[]> splitRecords(String out) {
        List<String[]> files = new ArrayList<>();
        for (String chunk : out.split(RECORD_SEPARATOR)) {
            if (chunk.isBlank()) {
                continue;
            }
            int nl = chunk.indexOf('\n');
            if (nl < 0) {
                continue;
            }
            files.add(new String[] {chunk.substring(0, nl), chunk.substring(nl + 1)});
        }
        return files;
    }
}
