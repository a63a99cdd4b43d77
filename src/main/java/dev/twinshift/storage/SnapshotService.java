package dev.twinshift.storage;

import dev.twinshift.postgres.ClusterControl;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.postgres.WalPosition;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.time.Instant;
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
     * Takes a snapshot with the lock already held by the caller. A running cluster gets a CHECKPOINT
     * first (so a clone's crash recovery is short) and is then captured in one atomic snapshot.
     */
    SnapshotRecord createHeld(ClusterVolume v, Reason reason, String label)
            throws RefusedException, SshException, InterruptedException {
        SnapshotVerdict verdict = v.snapshotVerdict();
        if (!verdict.allowed()) {
            throw new RefusedException(verdict.refusal());
        }
        PgCluster c = v.cluster();
        Psql psql = c.running() ? Psql.forCluster(shell, c) : null;
        return take(v.catalog(), v.driver(), v.volumePath(), v.volumeKey(), c.id(), c.version(), psql,
                () -> new ClusterControl(shell).walPosition(c, false), reason, label, null, v.dataSubpath());
    }

    /** Takes a snapshot of a clone, running or not. */
    public SnapshotRecord createOfClone(Catalog catalog, CloneRecord clone, boolean running, String label)
            throws LockedException, SshException, InterruptedException {
        if (label != null) {
            Names.requireValid("snapshot label", label);
        }
        StorageDriver driver = StorageDrivers.forMethod(clone.method(), shell);
        if (running && !clone.method().atomic()) {
            throw new IllegalStateException("clone " + clone.name() + " is running and " + clone.method().label()
                    + " is not atomic: stop the clone first");
        }
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, "snapshot of clone " + clone.name(), progress)) {
            Psql psql = running ? new Psql(shell, clone.owner(), clone.socketDirectory(), clone.port(),
                    "/usr/lib/postgresql/" + clone.pgVersion() + "/bin/psql") : null;
            PgCluster asCluster = new PgCluster(clone.pgVersion(), clone.name(), clone.port() == null ? 0 : clone.port(),
                    running, running ? "online" : "down", clone.owner(), clone.dataDirectory(), null,
                    clone.socketDirectory(), null, null, List.of(), -1, PgCluster.Manager.POSTMASTER);
            return take(catalog, driver, clone.location(), driver.volumeKey(catalog, clone.location()), clone.cluster(), clone.pgVersion(), psql,
                    () -> new ClusterControl(shell).walPosition(asCluster, false), Reason.MANUAL, label,
                    "clone:" + clone.name(), subpathOf(driver.mountPathOf(clone.location()), clone.dataDirectory()));
        }
    }

    interface WalReader {
        WalPosition read() throws SshException, InterruptedException;
    }

    private SnapshotRecord take(Catalog cat, StorageDriver driver, String source, String volumeKey, String clusterId,
                                String version, Psql runningPsql, WalReader stoppedWal, Reason reason, String label,
                                String parent, String dataSubpath) throws SshException, InterruptedException {
        shell.run(dev.twinshift.ssh.RemoteCommand.of("mkdir", "-p", "--", cat.snapshotDir(volumeKey)).asRoot())
                .requireSuccess();
        Instant at = Instant.now();
        String name = Catalog.snapshotName(at, label);
        String location = driver.snapshotLocation(cat, volumeKey, source, name);
        // Names have one-second resolution: a second snapshot within the same second waits for the next.
        for (int i = 0; driver.exists(location) || cat.exists(cat.snapshotSidecar(volumeKey, name)); i++) {
            if (i >= 3) {
                throw new IllegalStateException("a snapshot " + location + " already exists");
            }
            Thread.sleep(1000 - at.toEpochMilli() % 1000 + 5);
            at = Instant.now();
            name = Catalog.snapshotName(at, label);
            location = driver.snapshotLocation(cat, volumeKey, source, name);
        }
        WalPosition wal;
        if (runningPsql != null) {
            progress.step("CHECKPOINT on " + clusterId + " (port " + runningPsql.port() + ")");
            runningPsql.exec("postgres", "CHECKPOINT", Duration.ofMinutes(30));
            wal = readWal(runningPsql);
        } else {
            wal = stoppedWal.read();
        }
        progress.step("snapshot " + source + " -> " + location + " (" + driver.method().label() + ")");
        driver.snapshot(source, location);
        SnapshotRecord rec = new SnapshotRecord(volumeKey + "/" + name, name, volumeKey, at, actor, reason, label,
                clusterId, version, wal.lsn(), wal.timeline(), source, parent, reason.pinnedWhenTaken(), driver.method(), location,
                runningPsql != null, dataSubpath == null || dataSubpath.isEmpty() ? null : dataSubpath);
        try {
            cat.writeJson(cat.snapshotSidecar(volumeKey, name), rec);
        } catch (SshException | RuntimeException e) {
            // A snapshot without its sidecar is invisible to every console: do not leave one behind.
            try {
                driver.delete(location);
            } catch (SshException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        progress.step("snapshot " + rec.id() + " taken at WAL " + wal.lsn() + " timeline " + wal.timeline());
        return rec;
    }

    /** Where a clone's PGDATA is inside its volume (a clone of a volume that holds PGDATA keeps it there). */
    static String subpathOf(String volumeRoot, String dataDirectory) {
        String r = PgCluster.stripSlash(volumeRoot);
        String d = PgCluster.stripSlash(dataDirectory);
        return d.startsWith(r + "/") ? d.substring(r.length() + 1) : null;
    }

    private static WalPosition readWal(Psql psql) throws SshException, InterruptedException {
        List<List<String>> rows = psql.rows("postgres",
                "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END,"
                        + " (SELECT timeline_id FROM pg_control_checkpoint())");
        return new WalPosition(rows.get(0).get(0), Integer.parseInt(rows.get(0).get(1)));
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
