package dev.twinshift.storage;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.util.ArrayList;
import java.util.List;

/** Takes, lists and deletes snapshots of clusters and clones, recording each in the server's catalog. */
public final class SnapshotService {
    private final RemoteShell shell;
    private final Actor actor;
    private final Progress progress;

    public SnapshotService(RemoteShell shell, Actor actor, Progress progress) {
        this.shell = shell;
        this.actor = actor;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    public ClusterVolume volumeOf(PgCluster c) throws SshException, InterruptedException {
        return ClusterVolume.resolve(shell, c);
    }

    /** Takes a snapshot of the cluster under the catalog lock. */
    public SnapshotRecord create(PgCluster c, Reason reason, String label)
            throws RefusedException, LockedException, SshException, InterruptedException {
        if (label != null) {
            Names.requireValid("snapshot label", label);
        }
        ClusterVolume v = volumeOf(c);
        try (CatalogLock lock = CatalogLock.acquire(v.catalog(), actor, "snapshot of " + c.id(), progress)) {
            return createHeld(v, reason, label);
        }
    }

    /**
     * Takes a snapshot with the lock already held by the caller (or takes the lock for it). A running
     * cluster gets a CHECKPOINT first (so a clone's crash recovery is short) and is then captured in
     * one atomic snapshot; the server's {@code snapshot.sh} does it, as for a scheduled snapshot.
     */
    SnapshotRecord createHeld(ClusterVolume v, Reason reason, String label)
            throws RefusedException, LockedException, SshException, InterruptedException {
        SnapshotVerdict verdict = v.snapshotVerdict();
        if (!verdict.allowed()) {
            throw new RefusedException(verdict.refusal());
        }
        PgCluster c = v.cluster();
        String conf = c.configDirectory() != null ? c.configDirectory() : c.dataDirectory();
        return take(new Take(v.catalog(), v.driver().method(), v.volumePath(), v.volumeKey(), c.id(), c.version(),
                c.dataDirectory(), c.owner(), c.binDir(), conf + "/pg_ident.conf", reason, label, null, v.dataSubpath()));
    }

    /** Takes a snapshot of a clone, running (on an atomic method) or not. */
    public SnapshotRecord createOfClone(Catalog catalog, CloneRecord clone, String label)
            throws RefusedException, LockedException, SshException, InterruptedException {
        if (label != null) {
            Names.requireValid("snapshot label", label);
        }
        StorageDriver driver = StorageDrivers.forMethod(clone.method(), shell);
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, "snapshot of clone " + clone.name(), progress)) {
            return take(new Take(catalog, clone.method(), clone.location(), driver.volumeKey(catalog, clone.location()),
                    clone.cluster(), clone.pgVersion(), clone.dataDirectory(), clone.owner(),
                    "/usr/lib/postgresql/" + clone.pgVersion() + "/bin", catalog.cloneRunDir(clone.name()) + "/conf/pg_ident.conf",
                    Reason.MANUAL, label, "clone:" + clone.name(),
                    subpathOf(driver.mountPathOf(clone.location()), clone.dataDirectory())));
        }
    }

    /**
     * What {@code snapshot.sh take} is asked to snapshot.
     *
     * @param source    the volume: a path, or a ZFS dataset
     * @param pgdata    the cluster's data directory, whose postmaster.pid tells whether it runs
     * @param identFile the cluster's pg_ident.conf, for the role its OS owner logs in as
     */
    record Take(Catalog catalog, StorageMethod method, String source, String volumeKey, String cluster, String version,
                String pgdata, String owner, String binDir, String identFile, Reason reason, String label, String parent,
                String dataSubpath) {
    }

    /** The script's name for a storage method. */
    static String methodArgument(StorageMethod m) {
        return switch (m) {
            case BTRFS_SUBVOLUME -> "BTRFS";
            case ZFS_DATASET -> "ZFS";
            case REFLINK -> "REFLINK";
            case PLAIN_COPY -> "COPY";
        };
    }

    /** The argument list of {@code snapshot.sh take}, the lock held by the console with {@code token}. */
    static List<String> takeArguments(Take t, Actor actor, String token) {
        List<String> a = new ArrayList<>(List.of("sh", ServerScripts.path(t.catalog(), "snapshot.sh"), "take",
                "--catalog", t.catalog().root(), "--volume-key", t.volumeKey(), "--source", t.source(),
                "--method", methodArgument(t.method()), "--cluster", t.cluster(), "--version", t.version(),
                "--pgdata", t.pgdata(), "--owner", t.owner(), "--bindir", t.binDir(), "--reason", t.reason().name()));
        if (t.identFile() != null) {
            a.addAll(List.of("--ident-file", t.identFile()));
        }
        if (t.label() != null && !t.label().isEmpty()) {
            a.addAll(List.of("--label", t.label()));
        }
        if (t.parent() != null) {
            a.addAll(List.of("--parent", t.parent()));
        }
        if (t.dataSubpath() != null && !t.dataSubpath().isEmpty()) {
            a.addAll(List.of("--data-subpath", t.dataSubpath()));
        }
        if (t.reason().pinnedWhenTaken()) {
            a.add("--pinned");
        }
        a.addAll(List.of("--actor-ssh", actor.sshUser(), "--actor-user", actor.workstationUser(),
                "--actor-host", actor.workstationHost(), "--lock-held", token));
        return a;
    }

    SnapshotRecord take(Take t) throws RefusedException, LockedException, SshException, InterruptedException {
        try (CatalogLock lock = CatalogLock.acquire(t.catalog(), actor, "snapshot of " + t.cluster(), progress)) {
            ServerScripts.install(t.catalog(), ServerScripts.ALL);
            lock.requireHeld();
            CommandResult r = shell.run(RemoteCommand.of(takeArguments(t, actor, lock.owner().token())).asRoot(),
                    ExecOptions.defaults().withTimeout(PathDriver.COPY_TIMEOUT), (stream, line) -> {
                        if (stream == LineListener.Stream.STDERR && !line.isBlank()) {
                            progress.step(line);
                        }
                    });
            return outcome(t.catalog(), r);
        }
    }

    /** What the script's exit says: the sidecar it wrote, or why it took nothing. */
    private static SnapshotRecord outcome(Catalog catalog, CommandResult r)
            throws RefusedException, LockedException, SshException, InterruptedException {
        switch (r.exitCode()) {
            case 0 -> {
                String last = lastLine(r.stdout());
                if (!last.startsWith("sidecar ")) {
                    throw new IllegalStateException("snapshot.sh on " + catalog.shell().serverName()
                            + " ended well but named no sidecar (it printed: " + r.stdout().strip() + ")");
                }
                String path = last.substring("sidecar ".length());
                return catalog.readJson(path, SnapshotRecord.class).orElseThrow(() -> new IllegalStateException(
                        "snapshot.sh on " + catalog.shell().serverName() + " named the sidecar " + path + ", which is not there"));
            }
            case 65 -> throw new RefusedException(lastLine(r.stderr()));
            case 75 -> throw new LockedException("this console no longer holds the lock of " + catalog.shell().serverName()
                    + " (" + lastLine(r.stdout()) + "), so no snapshot was taken: " + lastLine(r.stderr())
                    + "; check `lock show` before going on", CatalogLock.holder(catalog).orElse(null));
            default -> throw SshException.commandFailed(r);
        }
    }

    private static String lastLine(String text) {
        String[] lines = text == null ? new String[0] : text.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }

    /** Where a clone's PGDATA is inside its volume (a clone of a volume that holds PGDATA keeps it there). */
    static String subpathOf(String volumeRoot, String dataDirectory) {
        String r = PgCluster.stripSlash(volumeRoot);
        String d = PgCluster.stripSlash(dataDirectory);
        return d.startsWith(r + "/") ? d.substring(r.length() + 1) : null;
    }

    /** Snapshots of the cluster's volume, oldest first. */
    public List<SnapshotRecord> list(PgCluster c) throws SshException, InterruptedException {
        ClusterVolume v = volumeOf(c);
        return list(v);
    }

    public List<SnapshotRecord> list(ClusterVolume v) throws SshException, InterruptedException {
        List<SnapshotRecord> out = new ArrayList<>();
        for (SnapshotRecord s : v.catalog().snapshots()) {
            if (s.volume().equals(v.volumeKey())) {
                out.add(s);
            }
        }
        return out;
    }

    /** Marks a snapshot as kept (or no longer) regardless of age; a pinned snapshot cannot be deleted. */
    public SnapshotRecord pin(Catalog catalog, String idOrName, boolean pinned)
            throws LockedException, SshException, InterruptedException {
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, (pinned ? "pin " : "unpin ") + idOrName, progress)) {
            SnapshotRecord s = catalog.snapshot(idOrName)
                    .orElseThrow(() -> new IllegalArgumentException("no snapshot " + idOrName + " in " + catalog.root()));
            SnapshotRecord updated = s.withPinned(pinned);
            catalog.writeJson(catalog.snapshotSidecar(s.volume(), s.name()), updated);
            return updated;
        }
    }

    /*
     * A dataset cloned from the snapshot keeps zfs from destroying it. Most often that is the dataset a
     * rollback set aside, which only goes once the snapshots kept on it (its safety snapshot) are gone.
     */
    private static void refuseIfCloned(Catalog catalog, ZfsDriver z, SnapshotRecord s, String location)
            throws RefusedException, SshException, InterruptedException {
        List<String> deps = z.dependents(location);
        if (deps.isEmpty()) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (SnapshotRecord o : catalog.snapshots()) {
            if (o.location() != null && deps.stream().anyMatch(dep -> o.location().startsWith(dep + "@"))) {
                kept.add(o.id());
            }
        }
        boolean asides = deps.stream().allMatch(ZfsDriver::isAside);
        throw new RefusedException("snapshot " + s.id() + " is the origin of " + String.join(", ", deps)
                + (asides ? ", which a rollback set aside with the state before it" : "")
                + (kept.isEmpty() ? "" : "; delete the snapshots kept there first (" + String.join(", ", kept) + ")")
                + (asides ? ": the set-aside dataset then goes with the last of them" : ""));
    }

    /* A set-aside dataset is only kept for its snapshots: once the last is gone, so is it. */
    private void removeIfEmptyAside(ZfsDriver z, String dataset) throws SshException, InterruptedException {
        if (!ZfsDriver.isAside(dataset) || !z.list(dataset).isEmpty() || !z.exists(dataset)) {
            return;
        }
        progress.step("remove " + dataset + " (set aside by a rollback, no snapshot left on it)");
        z.delete(dataset);
    }

    /** Deletes a snapshot unless it is pinned or a clone was made from it. */
    public void delete(Catalog catalog, String idOrName)
            throws RefusedException, LockedException, SshException, InterruptedException {
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, "delete snapshot " + idOrName, progress)) {
            SnapshotRecord s = catalog.snapshot(idOrName)
                    .orElseThrow(() -> new IllegalArgumentException("no snapshot " + idOrName + " in " + catalog.root()));
            if (s.pinned()) {
                throw new RefusedException("snapshot " + s.id() + " is pinned; unpin it first");
            }
            List<String> children = catalog.clones().stream().filter(cl -> s.id().equals(cl.parent()))
                    .map(CloneRecord::name).toList();
            if (!children.isEmpty()) {
                throw new RefusedException("snapshot " + s.id() + " has clones (" + String.join(", ", children)
                        + "); destroy them first");
            }
            StorageDriver d = StorageDrivers.forMethod(s.method(), shell);
            String location = d.currentLocation(s);
            boolean there = d.exists(location);
            if (there && d instanceof ZfsDriver z) {
                refuseIfCloned(catalog, z, s, location);
            }
            progress.step("delete snapshot " + location);
            if (there) {
                d.delete(location);
            }
            if (there && d instanceof ZfsDriver z) {
                String dataset = location.substring(0, location.indexOf('@'));
                try {
                    removeIfEmptyAside(z, dataset);
                } catch (SshException | RuntimeException e) {
                    progress.step("could not remove " + dataset + ": " + e.getMessage() + " (remove it by hand)");
                }
            }
            catalog.remove(catalog.snapshotSidecar(s.volume(), s.name()));
            shell.run(dev.twinshift.ssh.RemoteCommand.of("rmdir", "--ignore-fail-on-non-empty", "--",
                    catalog.snapshotDir(s.volume())).asRoot());
        }
    }
}
