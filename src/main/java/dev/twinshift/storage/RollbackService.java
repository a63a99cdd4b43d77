package dev.twinshift.storage;

import dev.twinshift.postgres.ClusterControl;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.postgres.ClusterDiscovery;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /**
     * What a rollback would cost, measured on the running cluster where it can be: WAL written since the
     * snapshot and the client sessions the stop will cut, beside the sentence of {@link #preview}.
     */
    public Map<String, Object> cost(PgCluster c, SnapshotRecord target) throws InterruptedException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", c.id());
        m.put("target", target.id());
        m.put("takenAt", target.createdAt());
        m.put("walLsn", target.walLsn());
        try {
            if (control.isRunning(c) && target.walLsn() != null) {
                Psql psql = Psql.forCluster(shell, c);
                m.put("walBytesSince", Long.parseLong(psql.value("postgres",
                        "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + target.walLsn().replace("'", "") + "')::bigint")));
                m.put("sessionsCut", Integer.parseInt(psql.value("postgres",
                        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")));
            }
        } catch (SshException | RuntimeException e) {
            m.put("measureError", e.getMessage());
        }
        m.put("keptAs", "a PRE_ROLLBACK snapshot of the current state, to roll back to for undo");
        m.put("discards", preview(c, target));
        return m;
    }

    /**
     * The catalog of a cluster's filesystem even while its data directory is set aside by an interrupted
     * rollback (then the nearest existing parent tells the filesystem).
     */
    public static Catalog catalogOf(RemoteShell shell, PgCluster c) throws SshException, InterruptedException {
        if (shell.run(RemoteCommand.of("test", "-e", c.dataDirectory()).asRoot()).ok()) {
            return ClusterVolume.resolve(shell, c).catalog();
        }
        String dir = c.dataDirectory();
        while (dir.lastIndexOf('/') > 0 && !shell.run(RemoteCommand.of("test", "-d", dir).asRoot()).ok()) {
            dir = dir.substring(0, dir.lastIndexOf('/'));
        }
        return new Catalog(shell, new StorageProbe(shell).assess(dir).mountTarget());
    }

    /**
     * When the data directory of {@code c} is missing because a rollback of it was interrupted: a
     * sentence saying so and what to run. Empty otherwise (or when that cannot be read).
     */
    public static Optional<String> interruptedOn(RemoteShell shell, PgCluster c) throws InterruptedException {
        try {
            if (shell.run(RemoteCommand.of("test", "-e", c.dataDirectory()).asRoot()).ok()) {
                return Optional.empty();
            }
            for (OperationState st : journaled(shell, catalogOf(shell, c))) {
                if (c.id().equals(st.plan().get("cluster")) && (st.outcome() == null || STUCK.equals(st.outcome()))) {
                    return Optional.of("the data directory " + c.dataDirectory() + " of " + c.id() + " is not in place:"
                            + " the rollback " + st.operation() + " was interrupted (it " + st.where() + "); "
                            + st.howToGoOn());
                }
            }
        } catch (SshException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    public RollbackResult rollback(PgCluster c, String snapshotIdOrName)
            throws RefusedException, LockedException, SshException, InterruptedException {
        return rollback(c, snapshotIdOrName, false);
    }

    // The journaled steps of a rollback, in order; ZFS swaps in place of SET_ASIDE and RESTORE.
    public static final String STOP = "stop";
    public static final String SAFETY = "safety-snapshot";
    public static final String SET_ASIDE = "set-aside";
    public static final String RESTORE = "restore";
    public static final String SWAP = "zfs-swap";
    public static final String START = "start";
    public static final String CLEANUP = "cleanup";
    public static final String COMPLETED = "COMPLETED";
    /** Undone: the state from before the rollback is back in place (after a failure, or asked for). */
    public static final String UNDONE = "UNDONE";
    /** Neither finished nor undone: needs a person; the journal's last lines say why. */
    public static final String STUCK = "STUCK";

    /** The journal operation of a rollback of the volume {@code volumeKey} started at {@code at}. */
    static String operationName(Instant at, String volumeKey) {
        return Catalog.STAMP.format(at) + "-rollback-" + volumeKey;
    }

    static String lockName(String operation) {
        return "rollback " + operation;
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
        Catalog cat = v.catalog();
        String op = operationName(Instant.now(), v.volumeKey());
        try (CatalogLock lock = CatalogLock.acquire(cat, actor, lockName(op), progress)) {
            SnapshotRecord target = cat.snapshot(snapshotIdOrName)
                    .orElseThrow(() -> new RefusedException("no snapshot " + snapshotIdOrName + " in " + cat.root()
                            + "; " + c.id() + " was not touched"));
            Optional<OperationState> earlier = unfinished(cat, v.volumeKey());
            if (earlier.isPresent()) {
                OperationState e = earlier.get();
                if (target.id().equals(e.plan().get("target")) && !STUCK.equals(e.outcome())) {
                    // The same rollback, interrupted (the upgrade's rollback runs it again until it converges).
                    progress.step("finishing the interrupted " + e.operation() + " (" + e.where() + ")");
                    return proceed(new Journal(shell, cat, e.operation()), v, lock);
                }
                throw new RefusedException("an earlier rollback of " + c.id() + " is unfinished: " + e.operation() + " "
                        + e.where() + "; " + e.howToGoOn() + "; " + c.id() + " was not touched by this one");
            }
            Map<String, String> plan = checkTarget(v, target, op, leaveRunning);
            Journal journal = new Journal(shell, cat, op);
            journal.append(JournalEntry.plan(actor, "rollback of " + c.id() + " to " + target.id(), plan));
            return proceed(journal, v, lock);
        }
    }

    /** Finishes a rollback found interrupted in its journal, from any console. */
    public RollbackResult resume(Catalog cat, String operation)
            throws RefusedException, LockedException, SshException, InterruptedException {
        Journal journal = new Journal(shell, cat, operation);
        try (CatalogLock lock = CatalogLock.adopt(cat, actor, lockName(operation))) {
            OperationState st = requireUnfinished(journal);
            journal.append(JournalEntry.note(actor, "resumed by " + actor.display() + " after it " + st.where(), Map.of()));
            return proceed(journal, volumeFromPlan(cat, st.plan()), lock);
        }
    }

    /**
     * Puts back the state from before an interrupted rollback: the set-aside volume returns to its place
     * and the cluster starts if it ran. Refused once the restored cluster has started (a rollback to the
     * safety snapshot is the way back then).
     */
    public void undo(Catalog cat, String operation)
            throws RefusedException, LockedException, SshException, InterruptedException {
        Journal journal = new Journal(shell, cat, operation);
        try (CatalogLock lock = CatalogLock.adopt(cat, actor, lockName(operation))) {
            OperationState st = requireUnfinished(journal);
            if (st.done(START) || st.started(SWAP)) {
                throw new RefusedException(operation + " " + st.where() + ": the restored state is already in place, so"
                        + " it can only be finished (rollback resume); to go back afterwards, roll back to its safety"
                        + " snapshot" + Optional.ofNullable(st.data().get("safety")).map(s -> " " + s).orElse(""));
            }
            journal.append(JournalEntry.note(actor, "undo asked by " + actor.display() + " after it " + st.where(), Map.of()));
            ClusterVolume v = volumeFromPlan(cat, st.plan());
            Exception problems = new Exception();
            putBack(v, st, problems);
            finishUndo(journal, v, st, problems);
        }
    }

    /** The rollbacks journaled in this catalog, newest first, with where they stand. */
    public static List<OperationState> journaled(RemoteShell shell, Catalog cat) throws SshException, InterruptedException {
        List<OperationState> out = new ArrayList<>();
        for (String op : Journal.operations(shell, cat)) {
            if (op.contains("-rollback-")) {
                out.add(OperationState.read(new Journal(shell, cat, op)));
            }
        }
        return out;
    }

    private Optional<OperationState> unfinished(Catalog cat, String volumeKey) throws SshException, InterruptedException {
        for (String op : Journal.operations(shell, cat)) {
            if (op.endsWith("-rollback-" + volumeKey)) {
                OperationState st = OperationState.read(new Journal(shell, cat, op));
                if (st.outcome() == null || STUCK.equals(st.outcome())) {
                    return Optional.of(st);
                }
            }
        }
        return Optional.empty();
    }

    private static OperationState requireUnfinished(Journal journal) throws RefusedException, SshException, InterruptedException {
        OperationState st = OperationState.read(journal);
        if (st.plan().isEmpty()) {
            throw new RefusedException("no rollback journaled as " + journal.operation() + " (" + journal.path() + ")");
        }
        if (st.outcome() != null && !STUCK.equals(st.outcome())) {
            throw new RefusedException(journal.operation() + " has ended (" + st.outcome().toLowerCase() + "): nothing to do");
        }
        return st;
    }

    /** Checks the target against the volume before anything is touched; returns the journal's first line. */
    private Map<String, String> checkTarget(ClusterVolume v, SnapshotRecord target, String op, boolean leaveRunning)
            throws RefusedException, SshException, InterruptedException {
        PgCluster c = v.cluster();
        Catalog cat = v.catalog();
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
        if (driver instanceof ZfsDriver z) {
            ZfsSwap.plan(shell, z, progress, v); // refuses layouts it cannot swap, before anything changes
        }
        Map<String, String> plan = new LinkedHashMap<>();
        plan.put("cluster", c.id());
        plan.put("target", target.id());
        plan.put("targetLocation", targetLocation);
        plan.put("volume", v.volumePath());
        plan.put("volumeKey", v.volumeKey());
        plan.put("method", v.storage().method().name());
        plan.put("dataDirectory", c.dataDirectory());
        plan.put("ownerMode", stat(c.dataDirectory()));
        plan.put("aside", cat.replacedDir() + "/" + v.volumeKey() + "-" + Catalog.STAMP.format(Instant.now()));
        plan.put("leaveRunning", Boolean.toString(leaveRunning));
        String server = "--cluster " + c.id();
        plan.put(JournalEntry.RESUME_WITH, "twinshift rollback resume " + server + " --operation " + op);
        plan.put(JournalEntry.UNDO_WITH, "twinshift rollback undo " + server + " --operation " + op);
        return plan;
    }

    /** The volume as the journal recorded it: its data directory may be set aside, so nothing is probed. */
    private ClusterVolume volumeFromPlan(Catalog cat, Map<String, String> plan)
            throws RefusedException, SshException, InterruptedException {
        PgCluster listed = new ClusterDiscovery(shell).listed(plan.get("cluster"))
                .orElseThrow(() -> new RefusedException("the journal names cluster " + plan.get("cluster")
                        + ", which " + shell.serverName() + " no longer lists"));
        PgCluster c = new PgCluster(listed.version(), listed.name(), listed.port(), listed.running(), listed.status(),
                listed.owner(), plan.get("dataDirectory"), listed.configDirectory(), listed.socketDirectory(),
                listed.logFile(), plan.get("dataDirectory") + "/pg_wal", List.of(), -1, listed.manager());
        StorageMethod m = StorageMethod.valueOf(plan.get("method"));
        return new ClusterVolume(c, new StorageAssessment(plan.get("dataDirectory"), null, null, cat.filesystemRoot(), m,
                plan.get("volume"), "as journaled", null),
                plan.get("volume"), plan.get("volumeKey"), cat, StorageDrivers.forMethod(m, shell));
    }

    /** Runs the journal's remaining steps; any failure puts the previous state back (or says it could not). */
    private RollbackResult proceed(Journal journal, ClusterVolume v, CatalogLock lock)
            throws RefusedException, SshException, InterruptedException {
        OperationState st = OperationState.read(journal);
        Map<String, String> plan = st.plan();
        PgCluster c = v.cluster();
        Catalog cat = v.catalog();
        StorageDriver driver = v.driver();
        String live = plan.get("volume");
        String aside = plan.get("aside");
        boolean zfs = driver instanceof ZfsDriver;
        String current = null;
        ZfsSwap swapped = null; // the swap this run made: a failed start undoes it while its state is at hand
        this.held = lock;
        try {
            if (!st.done(STOP)) {
                boolean wasRunning = st.data().containsKey("wasRunning")
                        ? Boolean.parseBoolean(st.data().get("wasRunning")) : control.isRunning(c);
                current = STOP;
                step(journal, STOP, OperationState.STARTED, "stop " + c.id(), Map.of("wasRunning",
                        Boolean.toString(wasRunning), "downAt", Instant.now().toString()));
                control.stop(c);
                step(journal, STOP, OperationState.DONE, null, Map.of());
            }
            st = OperationState.read(journal);
            boolean wasRunning = Boolean.parseBoolean(st.data().get("wasRunning"));
            if (!st.done(SAFETY)) {
                current = SAFETY;
                step(journal, SAFETY, OperationState.STARTED, "safety snapshot of the current state of " + c.id(), Map.of());
                SnapshotRecord safety;
                try {
                    safety = snapshots.createHeld(new ClusterVolume(copyWithRunning(c, false), v.storage(), live,
                            v.volumeKey(), cat, driver), Reason.PRE_ROLLBACK, "pre-rollback");
                } catch (LockedException e) {
                    // Only when this console lost the lock: nothing is set aside yet, so stopping here loses nothing.
                    throw new IllegalStateException(e.getMessage(), e);
                }
                step(journal, SAFETY, OperationState.DONE, null, Map.of("safety", safety.id()));
            }
            if (zfs) {
                if (!st.done(SWAP)) {
                    if (st.started(SWAP)) {
                        throw new IllegalStateException("the ZFS swap of " + live + " was interrupted half-way; see `zfs list"
                                + " -r " + ZfsDriver.replacedParent(live) + "` and put " + live + " back by hand");
                    }
                    current = SWAP;
                    ZfsSwap swap = ZfsSwap.plan(shell, (ZfsDriver) driver, progress, v);
                    swapped = swap;
                    String stamp = Catalog.STAMP.format(Instant.now());
                    step(journal, SWAP, OperationState.STARTED, "swap " + live + " with a clone of " + plan.get("target"),
                            Map.of("zfsStamp", stamp));
                    try {
                        swap.prepare(plan.get("targetLocation"), stamp);
                        swap.swap();
                    } catch (SshException | RuntimeException e) {
                        swap.undo(e);
                        step(journal, SWAP, OperationState.FAILED, e.getMessage(), Map.of());
                        throw e;
                    }
                    step(journal, SWAP, OperationState.DONE, null, Map.of("zfsAside", swap.aside()));
                }
            } else {
                if (!st.done(SET_ASIDE)) {
                    current = SET_ASIDE;
                    step(journal, SET_ASIDE, OperationState.STARTED, "set the live volume aside: " + live + " -> " + aside,
                            Map.of());
                    root("mkdir", "-p", "--", cat.replacedDir());
                    // mv is one rename: after an interruption the volume is at one of the two places.
                    if (exists(live) || !exists(aside)) {
                        root("mv", "-T", "--", live, aside);
                    }
                    step(journal, SET_ASIDE, OperationState.DONE, null, Map.of());
                }
                if (!st.done(RESTORE)) {
                    current = RESTORE;
                    step(journal, RESTORE, OperationState.STARTED, "writable copy of " + plan.get("target") + " -> " + live,
                            Map.of());
                    if (exists(live)) {
                        // A copy interrupted half-way: made again from the snapshot.
                        discard(driver, live, aside + "-partial");
                    }
                    driver.cloneOf(plan.get("targetLocation"), live);
                    step(journal, RESTORE, OperationState.DONE, null, Map.of());
                }
            }
            st = OperationState.read(journal);
            if (!st.done(START)) {
                current = START;
                step(journal, START, OperationState.STARTED, "start " + c.id(), Map.of());
                boolean run = wasRunning || Boolean.parseBoolean(plan.get("leaveRunning"));
                startFromRestored(c, plan.get("dataDirectory"), plan.get("ownerMode"), run);
                Instant downAt = Instant.parse(st.data().get("downAt"));
                step(journal, START, OperationState.DONE, null, Map.of("downtimeMillis",
                        Long.toString(Duration.between(downAt, Instant.now()).toMillis())));
            }
        } catch (LostLock e) {
            // Another console may be at work on this volume now: leave everything as it is.
            throw new RefusedException(e.getMessage() + "; this rollback stopped between two steps and changed"
                    + " nothing more; the journal says where");
        } catch (SshException | RuntimeException | RefusedException e) {
            if (current != null) {
                stepQuietly(journal, current, OperationState.FAILED, e.getMessage());
            }
            OperationState now = readQuietly(journal);
            if (now != null && swapped != null && now.done(SWAP) && !now.done(START)) {
                progress.step("rollback failed (" + e.getMessage() + "): putting the previous dataset back");
                int before = e.getSuppressed().length;
                try {
                    control.stop(c);
                } catch (SshException | RuntimeException ignored) {
                    // not running, which is the usual case here
                }
                swapped.undo(e);
                if (Boolean.parseBoolean(now.data().getOrDefault("wasRunning", "false"))) {
                    try {
                        control.start(c);
                    } catch (SshException | RuntimeException x) {
                        e.addSuppressed(x);
                    }
                }
                relocateSnapshots(v, e);
                try {
                    journal.append(JournalEntry.outcome(actor, e.getSuppressed().length == before ? UNDONE : STUCK,
                            e.getSuppressed().length == before ? c.id() + " is back as it was before the rollback"
                            : e.getSuppressed()[before].getMessage(), Map.of()));
                } catch (SshException | RuntimeException ignored) {
                    // the journal could not be written: the cause below says what happened
                }
            } else if (now != null && !now.done(START) && !(zfs && now.done(SWAP))) {
                progress.step("rollback failed (" + e.getMessage() + "): putting the previous state back");
                putBack(v, now, e);
                try {
                    finishUndo(journal, v, now, e);
                } catch (SshException | RuntimeException ignored) {
                    // the journal could not be written: the cause below says what happened
                }
            }
            throw e;
        }
        st = OperationState.read(journal);
        Exception notes = new Exception();
        if (!st.done(CLEANUP)) {
            step(journal, CLEANUP, OperationState.STARTED, null, Map.of());
            if (zfs) {
                relocateSnapshots(v, notes);
                try {
                    ZfsSwap.plan(shell, (ZfsDriver) driver, progress, v).removeEmptyAsides();
                } catch (SshException | RuntimeException | RefusedException e) {
                    notes.addSuppressed(e);
                }
            } else if (exists(aside)) {
                progress.step("remove the set-aside volume (its content is in " + st.data().get("safety") + ")");
                try {
                    driver.delete(aside);
                } catch (SshException | RuntimeException e) {
                    notes.addSuppressed(new IllegalStateException("could not remove " + aside + ": " + e.getMessage()
                            + " (remove it by hand)", e));
                }
            }
            step(journal, CLEANUP, OperationState.DONE, null, Map.of());
        }
        for (Throwable t : notes.getSuppressed()) {
            progress.step("after the rollback: " + t.getMessage());
        }
        st = OperationState.read(journal);
        SnapshotRecord target = cat.snapshot(plan.get("target")).orElseThrow();
        SnapshotRecord safety = cat.snapshot(st.data().get("safety")).orElseThrow();
        journal.append(JournalEntry.outcome(actor, COMPLETED, c.id() + " runs from " + target.id() + "; undo with a"
                + " rollback to " + safety.id(), Map.of()));
        progress.step(c.id() + " now runs from " + target.id() + (zfs ? "; the previous dataset is kept as "
                + st.data().get("zfsAside") : "") + "; undo with a rollback to " + safety.id());
        return new RollbackResult(target, safety, Duration.ofMillis(Long.parseLong(st.data().get("downtimeMillis"))));
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
        if (Psql.forCluster(shell, c).answers("postgres")) {
            // Started from the restored data by an earlier, interrupted run of this step: its pid file is
            // live, and removing it would make the server shut itself down.
            if (!wasRunning) {
                control.stop(c);
            }
            return;
        }
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

    /**
     * Puts the set-aside volume back in its place and starts the cluster if it ran. Every step looks at
     * what is there first, so that it can run again after an interruption and converge.
     */
    private void putBack(ClusterVolume v, OperationState st, Exception cause) throws InterruptedException {
        PgCluster c = v.cluster();
        String live = st.plan().get("volume");
        String aside = st.plan().get("aside");
        boolean wasRunning = Boolean.parseBoolean(st.data().getOrDefault("wasRunning", "false"));
        try {
            if (st.started(SET_ASIDE) && exists(aside)) {
                if (exists(live)) {
                    try {
                        control.stop(c);
                    } catch (SshException | RuntimeException ignored) {
                        // not running, which is the usual case here
                    }
                    discard(v.driver(), live, aside + "-failed");
                }
                root("mv", "-T", "--", aside, live);
            }
            if (wasRunning) {
                control.start(c);
            }
        } catch (SshException | RuntimeException e) {
            cause.addSuppressed(new IllegalStateException("putting back " + aside + " as " + live + " failed: "
                    + e.getMessage() + "; do it by hand (mv " + aside + " " + live + ", pg_ctlcluster " + c.version() + " "
                    + c.name() + " start)", e));
        }
    }

    /** The outcome line after a put-back: UNDONE when the previous state is there again, STUCK otherwise. */
    private void finishUndo(Journal journal, ClusterVolume v, OperationState st, Exception problems)
            throws RefusedException, SshException, InterruptedException {
        PgCluster c = v.cluster();
        boolean back = problems.getSuppressed().length == 0 && exists(st.plan().get("volume"))
                && !exists(st.plan().get("aside"));
        boolean wasRunning = Boolean.parseBoolean(st.data().getOrDefault("wasRunning", "false"));
        if (back && wasRunning && !control.isRunning(c)) {
            back = false;
        }
        if (back) {
            journal.append(JournalEntry.outcome(actor, UNDONE, c.id() + " is back as it was before the rollback"
                    + (wasRunning ? " and runs" : "") + Optional.ofNullable(st.data().get("safety"))
                    .map(s -> "; its state is also kept as " + s).orElse(""), Map.of()));
            progress.step(c.id() + " is back as it was before the rollback");
            return;
        }
        String why = problems.getSuppressed().length > 0 ? problems.getSuppressed()[0].getMessage()
                : "the previous state is not back in place";
        journal.append(JournalEntry.outcome(actor, STUCK, why, Map.of()));
        throw new RefusedException("could not put " + c.id() + " back as it was: " + why);
    }

    /** Moves what is at {@code path} into the catalog under {@code into}, then deletes it there. */
    private void discard(StorageDriver driver, String path, String into) throws SshException, InterruptedException {
        root("mv", "-T", "--", path, into);
        driver.delete(into);
    }

    /** The lock of the run in progress: every step starts only while it is still ours. */
    private CatalogLock held;

    private static final class LostLock extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LostLock(String message) {
            super(message);
        }
    }

    private void step(Journal journal, String step, String state, String message, Map<String, String> data)
            throws SshException, InterruptedException {
        if (OperationState.STARTED.equals(state) && held != null && !held.stillHeld()) {
            throw new LostLock("this console no longer holds the lock of " + shell.serverName());
        }
        if (OperationState.DONE.equals(state)) {
            FailPoint.reached("rollback", step, "after");
        }
        journal.append(JournalEntry.step(actor, step, state, message, data));
        if (OperationState.STARTED.equals(state)) {
            FailPoint.reached("rollback", step, "before");
            if (message != null) {
                progress.step(message);
            }
        }
    }

    private void stepQuietly(Journal journal, String step, String state, String message) throws InterruptedException {
        try {
            journal.append(JournalEntry.step(actor, step, state, message, Map.of()));
        } catch (SshException | RuntimeException ignored) {
            // the server cannot be written to: the journal keeps saying the step started, which is true
        }
    }

    private static OperationState readQuietly(Journal journal) throws InterruptedException {
        try {
            return OperationState.read(journal);
        } catch (SshException | RuntimeException e) {
            return null;
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
