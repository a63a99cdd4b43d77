package dev.twinshift.storage;

import dev.twinshift.postgres.ClusterControl;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Puts a cluster back to a snapshot: stop, snapshot the current state (so the rollback can be
 * undone), set the live volume aside, put a writable copy of the snapshot in its place, start, check
 * that it answers. Any failure puts back what was there and starts it again.
 *
 * <p>On ZFS the live dataset keeps its name and mount point; the previous one is kept aside because it
 * holds the safety snapshot (see {@link ZfsSwap}), and goes once its snapshots are deleted.
 */
public final class RollbackService {
    private final RemoteShell shell;
    private final Actor actor;
    private final Progress progress;
    private final ClusterControl control;
    private final SnapshotService snapshots;

    public RollbackService(RemoteShell shell, Actor actor, Progress progress) {
        this.shell = shell;
        this.actor = actor;
        this.progress = progress == null ? Progress.NONE : progress;
        this.control = new ClusterControl(shell);
        this.snapshots = new SnapshotService(shell, actor, this.progress);
    }

    /** What a rollback to this snapshot would discard, for the confirmation the user must give. */
    public String preview(PgCluster c, SnapshotRecord target) {
        return "Rolling back " + c.id() + " to snapshot " + target.id() + " (taken " + target.createdAt() + " by "
                + (target.createdBy() == null ? "?" : target.createdBy().display()) + ", WAL " + target.walLsn()
                + ") discards every change made to " + c.id() + " since then. The cluster is stopped for the swap"
                + " and its current state is kept as a PRE_ROLLBACK snapshot, to which you can roll back to undo.";
    }

    public RollbackResult rollback(PgCluster c, String snapshotIdOrName)
            throws RefusedException, LockedException, SshException, InterruptedException {
        return rollback(c, snapshotIdOrName, false);
    }

    /**
     * @param leaveRunning start the cluster after the rollback even if it was stopped before (the
     *                     upgrade's rollback brings the old version back into service)
     */
    public RollbackResult rollback(PgCluster c, String snapshotIdOrName, boolean leaveRunning)
            throws RefusedException, LockedException, SshException, InterruptedException {
        if (c.manager() != PgCluster.Manager.POSTGRESQL_COMMON) {
            throw new RefusedException("rollback needs a cluster managed by postgresql-common (pg_ctlcluster), so that it"
                    + " is restarted exactly as configured; " + c.id() + " is a bare postmaster");
        }
        ClusterVolume v = ClusterVolume.resolve(shell, c);
        try (CatalogLock lock = CatalogLock.acquire(v.catalog(), actor, "rollback of " + c.id())) {
            return rollbackHeld(v, snapshotIdOrName, leaveRunning);
        }
    }

    private RollbackResult rollbackHeld(ClusterVolume v, String snapshotIdOrName, boolean leaveRunning)
            throws RefusedException, SshException, InterruptedException {
        PgCluster c = v.cluster();
        Catalog cat = v.catalog();
        SnapshotRecord target = cat.snapshot(snapshotIdOrName)
                .orElseThrow(() -> new RefusedException("no snapshot " + snapshotIdOrName + " in " + cat.root()
                        + "; " + c.id() + " was not touched"));
        if (!target.volume().equals(v.volumeKey())) {
            throw new RefusedException("snapshot " + target.id() + " is of volume " + target.volume() + ", not of "
                    + c.id() + " (" + v.volumeKey() + "); " + c.id() + " was not touched");
        }
        StorageDriver driver = v.driver();
        String targetLocation = driver.currentLocation(target);
        if (!driver.exists(targetLocation)) {
            throw new RefusedException("snapshot " + target.id() + " has a sidecar but its data at " + target.location()
                    + " is gone; " + c.id() + " was not touched");
        }
        if (!c.walInsideDataDirectory() || !c.tablespaces().isEmpty()) {
            throw new RefusedException(String.join("; ", v.snapshotProblems()) + "; " + c.id() + " was not touched");
        }
        List<String> shared = v.rollbackProblems(shell);
        if (!shared.isEmpty()) {
            throw new RefusedException(String.join("; ", shared) + "; " + c.id() + " was not touched");
        }
        ZfsSwap zfsSwap = driver instanceof ZfsDriver z ? ZfsSwap.plan(shell, z, progress, v) : null;
        String live = v.volumePath();
        String ownerMode = stat(c.dataDirectory());

        boolean wasRunning = control.isRunning(c);
        Instant down = Instant.now();
        if (wasRunning) {
            progress.step("stop " + c.id());
            control.stop(c);
        }
        PgCluster stopped = copyWithRunning(c, false);
        SnapshotRecord safety;
        try {
            progress.step("safety snapshot of the current state of " + c.id());
            safety = snapshots.createHeld(new ClusterVolume(stopped, v.storage(), live, v.volumeKey(), cat, driver),
                    Reason.PRE_ROLLBACK, "pre-rollback");
        } catch (SshException | RuntimeException | RefusedException e) {
            restart(c, wasRunning, e);
            throw e;
        }
        if (zfsSwap != null) {
            return rollbackZfs(v, target, targetLocation, safety, zfsSwap, ownerMode, wasRunning || leaveRunning, down);
        }

        String aside = cat.replacedDir() + "/" + v.volumeKey() + "-" + Catalog.STAMP.format(Instant.now());
        progress.step("set the live volume aside: " + live + " -> " + aside);
        try {
            root("mkdir", "-p", "--", cat.replacedDir());
            root("mv", "-T", "--", live, aside);
        } catch (SshException | RuntimeException e) {
            restart(c, wasRunning, e);
            throw e;
        }

        try {
            progress.step("writable copy of " + target.id() + " -> " + live);
            driver.cloneOf(targetLocation, live);
            startFromRestored(c, c.dataDirectory(), ownerMode, wasRunning || leaveRunning);
        } catch (SshException | RuntimeException e) {
            progress.step("rollback failed (" + e.getMessage() + "): putting the previous state back");
            putBack(c, driver, live, aside, wasRunning, e);
            throw e;
        }
        Duration downtime = Duration.between(down, Instant.now());
        progress.step("remove the set-aside volume (its content is in " + safety.id() + ")");
        try {
            driver.delete(aside);
        } catch (SshException | RuntimeException e) {
            progress.step("could not remove " + aside + ": " + e.getMessage() + " (remove it by hand)");
        }
        progress.step(c.id() + " now runs from " + target.id() + "; undo with a rollback to " + safety.id());
        return new RollbackResult(target, safety, downtime);
    }

    /**
     * The ZFS swap: the live dataset keeps its name and mount point but gets the snapshot's content; the
     * previous one is kept, with the safety snapshot, as a set-aside dataset. Sidecars follow the
     * snapshots the promotions moved.
     */
    private RollbackResult rollbackZfs(ClusterVolume v, SnapshotRecord target, String targetLocation,
                                       SnapshotRecord safety, ZfsSwap swap, String ownerMode, boolean wasRunning,
                                       Instant down) throws SshException, InterruptedException {
        PgCluster c = v.cluster();
        try {
            swap.prepare(targetLocation, Catalog.STAMP.format(Instant.now()));
            swap.swap();
            startFromRestored(c, c.dataDirectory(), ownerMode, wasRunning);
        } catch (SshException | RuntimeException e) {
            progress.step("rollback failed (" + e.getMessage() + "): putting the previous state back");
            try {
                control.stop(c);
            } catch (SshException | RuntimeException ignored) {
                // not running, which is the usual case here
            }
            swap.undo(e);
            restart(c, wasRunning, e);
            relocateSnapshots(v, e);
            throw e;
        }
        Duration downtime = Duration.between(down, Instant.now());
        Exception notes = new Exception();
        relocateSnapshots(v, notes);
        try {
            swap.removeEmptyAsides();
        } catch (SshException | RuntimeException e) {
            notes.addSuppressed(e);
        }
        for (Throwable t : notes.getSuppressed()) {
            progress.step("after the rollback: " + t.getMessage());
        }
        SnapshotRecord safetyNow = v.catalog().snapshot(safety.id()).orElse(safety);
        progress.step(c.id() + " now runs from " + target.id() + "; the previous dataset is kept as " + swap.aside()
                + "; undo with a rollback to " + safetyNow.id());
        return new RollbackResult(v.catalog().snapshot(target.id()).orElse(target), safetyNow, downtime);
    }

    /** Rewrites the sidecars of the volume's snapshots that promotions moved to another dataset. */
    private void relocateSnapshots(ClusterVolume v, Exception notes) throws InterruptedException {
        try {
            ZfsDriver zfs = (ZfsDriver) v.driver();
            String listing = null; // one listing of the pool's snapshots for all of them
            for (SnapshotRecord s : v.catalog().snapshots()) {
                if (!s.volume().equals(v.volumeKey()) || s.method() != StorageMethod.ZFS_DATASET || s.location() == null) {
                    continue;
                }
                if (listing == null) {
                    listing = zfs.snapshotNames(ZfsDriver.pool(s.location()));
                }
                String now = ZfsDriver.currentLocation(s, listing);
                if (!now.equals(s.location())) {
                    v.catalog().writeJson(v.catalog().snapshotSidecar(s.volume(), s.name()), s.withLocation(now));
                }
            }
        } catch (SshException | RuntimeException e) {
            notes.addSuppressed(new IllegalStateException("could not update where the snapshots of " + v.volumeKey()
                    + " are (" + e.getMessage() + "); they are still found by name", e));
        }
    }

    /** Owner and mode as before, no stale pid file, then start and check that it answers. */
    private void startFromRestored(PgCluster c, String dataDir, String ownerMode, boolean wasRunning)
            throws SshException, InterruptedException {
        String now = stat(dataDir);
        if (!now.equals(ownerMode)) {
            String[] om = ownerMode.split(" ");
            root("chown", om[0], dataDir);
            root("chmod", om[1], dataDir);
        }
        // The snapshot may have been taken while the cluster ran: its pid file is stale.
        root("rm", "-f", "--", dataDir + "/postmaster.pid");
        progress.step("start " + c.id());
        control.start(c);
        if (!Psql.forCluster(shell, c).answers("postgres")) {
            throw new IllegalStateException(c.id() + " started but does not answer SELECT 1 on port " + c.port());
        }
        if (!wasRunning) {
            control.stop(c);
        }
    }

    private void putBack(PgCluster c, StorageDriver driver, String live, String aside, boolean wasRunning,
                         Exception cause)
            throws InterruptedException {
        try {
            try {
                control.stop(c);
            } catch (SshException | RuntimeException ignored) {
                // not running, which is the usual case here
            }
            if (exists(live)) {
                String failed = aside + "-failed";
                root("mv", "-T", "--", live, failed);
                try {
                    driver.delete(failed);
                } catch (SshException | RuntimeException e) {
                    cause.addSuppressed(e);
                }
            }
            root("mv", "-T", "--", aside, live);
            if (wasRunning) {
                control.start(c);
            }
        } catch (SshException | RuntimeException e) {
            cause.addSuppressed(new IllegalStateException("putting back " + aside + " as " + live + " failed: "
                    + e.getMessage() + "; do it by hand (mv " + aside + " " + live + ", pg_ctlcluster " + c.version() + " "
                    + c.name() + " start)", e));
        }
    }

    private void restart(PgCluster c, boolean wasRunning, Exception cause) throws InterruptedException {
        if (!wasRunning) {
            return;
        }
        try {
            control.start(c);
        } catch (SshException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static PgCluster copyWithRunning(PgCluster c, boolean running) {
        return new PgCluster(c.version(), c.name(), c.port(), running, running ? "online" : "down", c.owner(),
                c.dataDirectory(), c.configDirectory(), c.socketDirectory(), c.logFile(), c.walDirectory(),
                c.tablespaces(), c.sizeBytes(), c.manager());
    }

    private String stat(String path) throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("stat", "-c", "%u:%g %a", "--", path).asRoot()).requireSuccess().stdout().strip();
    }

    private boolean exists(String path) throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("test", "-e", path).asRoot()).ok();
    }

    private void root(String... argv) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of(argv).asRoot()).requireSuccess();
    }
}
