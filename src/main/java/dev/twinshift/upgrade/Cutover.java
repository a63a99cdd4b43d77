package dev.twinshift.upgrade;

import dev.twinshift.postgres.ClusterControl;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.DetachedJob;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CatalogLock;
import dev.twinshift.storage.FailPoint;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.LockedException;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.RefusedException;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Upgrades a live cluster in journaled steps. Before the old cluster stops, the new one is created and
 * configured beside it; downtime is then: stop, snapshot, pg_upgrade, hand the port over, start,
 * validate. Every step is journaled on the server before and after it runs, under the catalog lock,
 * so that after a lost connection any console can resume or roll back exactly where it stopped. A
 * failing step rolls back by itself: the pre-upgrade snapshot is restored and the old version starts
 * on its port.
 */
public final class Cutover {
    public static final String PREPARE = "prepare";
    public static final String LIVE_CHECK = "live-check";
    public static final String STOP_OLD = "stop-old";
    public static final String SNAPSHOT = "pre-upgrade-snapshot";
    public static final String PG_UPGRADE = "pg_upgrade";
    public static final String PORT_SWAP = "port-swap";
    public static final String START_NEW = "start-new";
    public static final String VALIDATE = "validate";
    public static final String HAND_OVER = "hand-over";
    public static final String ANALYZE = "analyze";
    public static final List<String> STEPS = List.of(PREPARE, LIVE_CHECK, STOP_OLD, SNAPSHOT, PG_UPGRADE, PORT_SWAP, START_NEW,
            VALIDATE, HAND_OVER, ANALYZE);
    /** Step titles for a step list. */
    public static final Map<String, String> TITLES = Map.of(
            PREPARE, "Create and configure the new cluster beside the old one (no downtime)",
            LIVE_CHECK, "pg_upgrade --check and the blocker queries against the running old cluster (no downtime)",
            STOP_OLD, "Stop the old cluster (downtime starts)",
            SNAPSHOT, "Pre-upgrade snapshot, pinned",
            PG_UPGRADE, "pg_upgrade on the live volume",
            PORT_SWAP, "The new cluster takes the old port; the old one is set to manual start",
            START_NEW, "Start the new cluster (downtime ends)",
            VALIDATE, "Validate: version, databases, tables",
            HAND_OVER, "Hand over (point of no return for rollback without data loss)",
            ANALYZE, "vacuumdb --analyze-in-stages");

    /** How the cutover behaves. */
    public record Options(Duration gracePeriod, boolean analyze) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), true);
        }
    }

    private final RemoteShell shell;
    private final Actor actor;
    private final UpgradeListener listener;
    private final ClusterControl control;
    private final Options options;
    private final ServerWork work;
    private final PlanClusters clusters;
    private final CutoverRollback rollback;
    private final CancelRequest cancel;

    public Cutover(RemoteShell shell, Actor actor, UpgradeListener listener, Options options) {
        this(shell, actor, listener, options, new CancelRequest());
    }

    /** @param cancel looked at between steps only: see {@link #cancelPolicy(String, UpgradePlan)} */
    public Cutover(RemoteShell shell, Actor actor, UpgradeListener listener, Options options, CancelRequest cancel) {
        this.cancel = cancel == null ? new CancelRequest() : cancel;
        this.shell = shell;
        this.actor = actor;
        this.listener = listener == null ? UpgradeListener.NONE : listener;
        this.control = new ClusterControl(shell);
        this.options = options == null ? Options.defaults() : options;
        this.work = new ServerWork(shell, this.listener);
        this.clusters = new PlanClusters(shell);
        this.rollback = new CutoverRollback(shell, actor, this.listener);
    }

    /**
     * Runs the plan from the start, if {@link CutoverReadiness} finds a passed, recent rehearsal of it.
     * On a failure after the old cluster stopped, rolls back by itself.
     */
    public UpgradeState run(UpgradePlan plan) throws LockedException, UpgradeException, SshException, InterruptedException {
        return run(plan, false);
    }

    /**
     * @param withoutRehearsal go ahead although no passed, recent rehearsal of this plan is journaled:
     *                         the administrator's explicit override, journaled as a note
     */
    public UpgradeState run(UpgradePlan plan, boolean withoutRehearsal)
            throws LockedException, UpgradeException, SshException, InterruptedException {
        // The last guard, whoever calls: the wizard and the command line ask the same rule first.
        CutoverReadiness.Decision ready = CutoverReadiness.read(shell, plan);
        if (!ready.ready() && !withoutRehearsal) {
            throw new CutoverRefusedException("cutover of " + plan.oldId() + " refused: " + ready.reason()
                    + ". A cutover needs a passed rehearsal of the same plan on a snapshot of less than "
                    + CutoverReadiness.RECENT.toHours() + " h. Nothing was changed: rehearse first, or override explicitly.");
        }
        Catalog catalog = UpgradeWorkspace.catalogOf(shell, plan);
        Journal journal = new Journal(shell, catalog, plan.operation());
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, UpgradeWorkspace.lockName(plan.operation()), listener::log)) {
            journal.append(UpgradeState.cutoverPlanEntry(actor, "upgrade planned: " + plan.summary(), plan));
            if (ready.ready()) {
                journal.append(JournalEntry.note(actor, "ready: " + ready.reason(), Map.of("readyBy", ready.rehearsal())));
            } else {
                String warning = "WARNING: cutover WITHOUT a passed rehearsal, overridden by " + actor.display() + ": "
                        + ready.reason();
                journal.append(JournalEntry.note(actor, warning, Map.of("withoutRehearsal", "true")));
                listener.log(warning);
            }
            return proceed(journal, lock);
        }
    }

    /** Continues an interrupted upgrade from the step where its journal stopped. */
    public UpgradeState resume(Catalog catalog, String operation)
            throws LockedException, UpgradeException, SshException, InterruptedException {
        Journal journal = new Journal(shell, catalog, operation);
        try (CatalogLock lock = CatalogLock.adopt(catalog, actor, UpgradeWorkspace.lockName(operation))) {
            UpgradeState st = UpgradeState.of(operation, journal.read());
            requireUnfinished(st);
            note(journal, "resumed by " + actor.display() + " after " + st.describe());
            return proceed(journal, lock);
        }
    }

    private static void requireUnfinished(UpgradeState st) throws UpgradeException {
        if (st.plan() == null) {
            throw new UpgradeException("the journal of " + st.operation() + " holds no plan");
        }
        if (!st.unfinished()) {
            throw new UpgradeException(st.describe() + ": there is nothing to resume");
        }
    }

    private UpgradeState proceed(Journal journal, CatalogLock lock) throws UpgradeException, SshException, InterruptedException {
        UpgradeState st = UpgradeState.of(journal.operation(), journal.read());
        if (UpgradeState.ROLLBACK_FAILED.equals(st.outcome())) {
            throw new UpgradeException(st.describe() + ": an earlier rollback failed; roll back again");
        }
        UpgradePlan plan = st.plan();
        for (String step : STEPS) {
            st = UpgradeState.of(journal.operation(), journal.read());
            if (st.done(step)) {
                continue;
            }
            try {
                // Another console may have taken a lock whose lease this one could not renew: never act then.
                lock.requireHeld();
            } catch (LockedException e) {
                throw new UpgradeException(e.getMessage() + "; stopped before " + step + ", nothing rolled back", e);
            }
            Optional<String> cancelledBy = cancel.boundary(cancelPolicy(step, plan));
            if (cancelledBy.isPresent()) {
                return cancelled(journal, st, step, cancelledBy.get());
            }
            stepEntry(journal, step, UpgradeState.STARTED, TITLES.get(step), Map.of());
            Map<String, String> out;
            try {
                out = runStep(step, plan, st, journal);
            } catch (CutoverRefusedException e) {
                rollback.refusedBeforeStop(journal, step, e);
                throw e;
            } catch (SshException e) {
                if (unreachable(e)) {
                    // Nothing can be done on a server we cannot reach: the journal says where we stopped,
                    // and a detached pg_upgrade goes on by itself. Resume or roll back once reconnected.
                    throw e;
                }
                failAndRollBack(journal, step, e);
                throw new UpgradeException(step + " failed: " + e.getMessage() + "; rolled back to " + plan.oldId(), e);
            } catch (RuntimeException | UpgradeException | RefusedException | LockedException e) {
                failAndRollBack(journal, step, e);
                throw new UpgradeException(step + " failed: " + e.getMessage() + "; rolled back to " + plan.oldId(), e);
            }
            stepEntry(journal, step, UpgradeState.DONE, null, out);
        }
        cancel.refuse(plan.newId() + " serves on port " + plan.oldPort() + ": the upgrade has ended; use Roll back to go"
                + " back to " + plan.oldId());
        st = UpgradeState.of(journal.operation(), journal.read());
        outcome(journal, UpgradeState.COMPLETED, plan.newId() + " serves on port " + plan.oldPort() + "; " + plan.oldId()
                + " is stopped, set to manual start, and its pre-upgrade snapshot " + st.data().get("snapshot")
                + " is pinned" + downtimeText(st), Map.of());
        return UpgradeState.of(journal.operation(), journal.read());
    }

    /**
     * What a cancel asked while {@code step} runs means: it is carried out at the end of that step
     * (a step is never interrupted), before the next one starts.
     */
    public static CancelRequest.Policy cancelPolicy(String step, UpgradePlan plan) {
        return switch (step) {
            case PREPARE, LIVE_CHECK -> CancelRequest.Policy.abandon("Cancel: the " + (step.equals(PREPARE) ? "preparation"
                    : "check of the live cluster") + " ends its current command, then "
                    + plan.newId() + " and everything made for it are removed; " + plan.oldId() + " never stops.");
            case STOP_OLD, SNAPSHOT, PG_UPGRADE, PORT_SWAP, START_NEW, VALIDATE -> CancelRequest.Policy.rollBack(
                    "Roll back now: inside the downtime; once the running step (" + step + ") has finished, "
                    + plan.newId() + " is dropped and " + plan.oldId() + " comes back on port " + plan.oldPort()
                    + " with its pre-upgrade data. Nothing written by clients is lost.");
            case HAND_OVER, ANALYZE -> CancelRequest.Policy.refused(plan.newId() + " serves on port " + plan.oldPort()
                    + " and clients may write to it: cancel is refused. Use Roll back once the cutover ends; it says"
                    + " what would be lost.");
            default -> throw new IllegalArgumentException("unknown step " + step);
        };
    }

    /** A cancel reached a step boundary: before the stop nothing live changed, inside the downtime it rolls back. */
    private UpgradeState cancelled(Journal journal, UpgradeState st, String next, String by)
            throws UpgradeException, SshException, InterruptedException {
        UpgradePlan plan = st.plan();
        boolean downtime = st.steps().containsKey(STOP_OLD);
        cancel.refuse("The cancel asked by " + by + " is being carried out: the rollback runs to its end.");
        String what = "cancelled by " + by + (downtime ? " inside the downtime, before " + next + ": rolling back now"
                : " before " + plan.oldId() + " stopped: removing what the preparation made");
        journal.append(JournalEntry.note(actor, what, Map.of("cancelledBy", by, "cancelledBefore", next)));
        listener.log(what);
        if (st.steps().isEmpty()) {
            // Not one step began: nothing to undo, and a rollback would rewrite settings it never read.
            outcome(journal, UpgradeState.ABANDONED, "cancelled by " + by + " before its first step; nothing was changed",
                    Map.of());
            return UpgradeState.of(journal.operation(), journal.read());
        }
        rollback.rollBackHeld(journal, st, "rollback after the cancel");
        return UpgradeState.of(journal.operation(), journal.read());
    }

    private static String downtimeText(UpgradeState st) {
        String ms = st.data().get("downtimeMillis");
        return ms == null ? "" : "; downtime " + String.format("%.1f s", Long.parseLong(ms) / 1000.0);
    }

    private void failAndRollBack(Journal journal, String step, Exception cause)
            throws UpgradeException, SshException, InterruptedException {
        cancel.refuse(step + " failed: the automatic rollback runs to its end.");
        stepEntry(journal, step, UpgradeState.FAILED, cause.getMessage(), Map.of());
        UpgradeState st = UpgradeState.of(journal.operation(), journal.read());
        try {
            rollback.rollBackHeld(journal, st, "automatic rollback after " + step + " failed");
        } catch (UpgradeException | SshException | RuntimeException e) {
            e.addSuppressed(cause);
            throw e;
        }
    }

    static boolean unreachable(SshException e) {
        return switch (e.kind()) {
            case CONNECTION_LOST, CONNECT_TIMEOUT, CONNECTION_REFUSED, UNKNOWN_HOST, CANCELLED -> true;
            default -> false;
        };
    }

    // ---- the steps --------------------------------------------------------------------------------

    private Map<String, String> runStep(String step, UpgradePlan plan, UpgradeState st, Journal journal)
            throws UpgradeException, RefusedException, LockedException, SshException, InterruptedException {
        return switch (step) {
            case PREPARE -> prepare(plan, journal);
            // A journal from before this step existed may resume past the stop: live is no longer live then.
            case LIVE_CHECK -> {
                if (!st.steps().containsKey(STOP_OLD)) {
                    new LiveCheck(shell, listener, work).refuseOnBlockers(plan);
                }
                yield Map.of();
            }
            case STOP_OLD -> stopOld(plan);
            case SNAPSHOT -> snapshot(plan);
            case PG_UPGRADE -> pgUpgrade(plan, journal);
            case PORT_SWAP -> portSwap(plan, st);
            case START_NEW -> startNew(plan, st);
            case VALIDATE -> validate(plan, st);
            case HAND_OVER -> Map.of();
            case ANALYZE -> analyze(plan, journal);
            default -> throw new IllegalStateException("unknown step " + step);
        };
    }

    /** Creates the new cluster with the old one's locale, encoding and checksums, and carries its configuration. */
    private Map<String, String> prepare(UpgradePlan plan, Journal journal)
            throws UpgradeException, SshException, InterruptedException {
        PgCluster old = clusters.old(plan);
        Map<String, String> out = new LinkedHashMap<>();
        // What the validation compares with after the upgrade, read while the old cluster still serves.
        if (control.isRunning(old)) {
            out.put("inventory", Validation.inventory(Psql.forCluster(shell, old)));
        }
        out.put("oldStartConf", work.readStartConf(plan.oldConfigDirectory()));
        if (clusters.newExists(plan)) {
            listener.log(plan.newId() + " exists already (an earlier attempt made it): reusing it");
        } else {
            if (work.exists(plan.newDataDirectory())) {
                CommandResult empty = shell.run(RemoteCommand.of("find", plan.newDataDirectory(), "-mindepth", "1",
                        "-maxdepth", "1").asRoot());
                if (!empty.stdout().isBlank()) {
                    throw new UpgradeException(plan.newDataDirectory() + " exists and is not empty: move it away first");
                }
            } else {
                // Journaled right after it exists: a rollback removes only what this upgrade made.
                work.createDataDirectory(plan.newDataDirectory(), plan.newIsSubvolume(), plan.oldDataDirectory(),
                        plan.owner());
                made(journal, UpgradeWorkspace.MADE_DATA_DIRECTORY, plan.newDataDirectory());
            }
            made(journal, UpgradeWorkspace.MADE_CLUSTER, plan.newId());
            work.createNewCluster(plan, "manual");
        }
        work.carryToNewCluster(plan);
        return out;
    }

    static final String PG_UPGRADE_SOCKET_DIR = "pgUpgradeSocketDir";

    private void made(Journal journal, String what, String value) throws SshException, InterruptedException {
        journal.append(JournalEntry.note(actor, "made " + value, Map.of(what, value)));
    }

    private Map<String, String> stopOld(UpgradePlan plan) throws SshException, InterruptedException {
        PgCluster old = clusters.old(plan);
        Map<String, String> out = new HashMap<>();
        if (control.isRunning(old)) {
            waitForClientsToLeave(old);
            startProbe(plan, old);
            // The shutdown checkpoint then has little left to write: this one runs while clients are served.
            listener.log("CHECKPOINT before the stop");
            Psql.forCluster(shell, old).exec("postgres", "CHECKPOINT", Duration.ofMinutes(30));
            out.put("downtimeStartedAt", Instant.now().toString());
            listener.log("stopping " + plan.oldId() + " (fast shutdown)");
            control.stop(old);
        } else {
            listener.log(plan.oldId() + " is not running");
        }
        return out;
    }

    private ClientProbe probeFor(UpgradePlan plan) {
        return ClientProbe.attach(shell, UpgradeWorkspace.workDir(shell, plan, "probe"));
    }

    /** A client probe on the old port from just before the stop until the new cluster answers there. */
    private void startProbe(UpgradePlan plan, PgCluster old) throws SshException, InterruptedException {
        String dir = UpgradeWorkspace.workDir(shell, plan, "probe");
        if (new DetachedJob(shell, dir).poll(0, null).state() == DetachedJob.State.MISSING) {
            ClientProbe.start(shell, dir, plan.oldBinDir() + "/psql", old.socketDirectory(), plan.oldPort(), plan.owner());
        }
    }

    /** Gives connected clients the grace period to finish before the fast shutdown ends their sessions. */
    private void waitForClientsToLeave(PgCluster old) throws InterruptedException {
        Instant until = Instant.now().plus(options.gracePeriod());
        Psql psql = Psql.forCluster(shell, old);
        while (Instant.now().isBefore(until)) {
            try {
                String n = psql.value("postgres", "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                        + " AND pid <> pg_backend_pid()");
                if ("0".equals(n)) {
                    return;
                }
                listener.log(n + " client session(s) still connected; fast shutdown in "
                        + Duration.between(Instant.now(), until).toSeconds() + " s");
            } catch (SshException e) {
                return;
            }
            Thread.sleep(1000);
        }
    }

    private Map<String, String> snapshot(UpgradePlan plan)
            throws RefusedException, LockedException, SshException, InterruptedException {
        SnapshotService snaps = new SnapshotService(shell, actor, listener::log);
        SnapshotRecord s = snaps.create(clusters.old(plan), Reason.PRE_UPGRADE, "pre-upgrade");
        return Map.of("snapshot", s.id());
    }

    private Map<String, String> pgUpgrade(UpgradePlan plan, Journal journal)
            throws UpgradeException, SshException, InterruptedException {
        String dir = UpgradeWorkspace.workDir(shell, plan, "pg_upgrade");
        DetachedJob job = new DetachedJob(shell, dir);
        DetachedJob.Status s = job.poll(0, null);
        String sock;
        if (s.state() == DetachedJob.State.MISSING) {
            sock = work.socketDirectory(plan.owner());
            // Journaled, so that a console that reattaches after a lost one removes it when pg_upgrade ends.
            journal.append(JournalEntry.note(actor, "pg_upgrade's socket directory is " + sock,
                    Map.of(PG_UPGRADE_SOCKET_DIR, sock)));
            RemoteCommand cmd = PgUpgradeCommand.of(plan, plan.oldDataDirectory(), plan.oldConfigDirectory(),
                    plan.newDataDirectory(), plan.newConfigDirectory(), sock, plan.method(), false);
            listener.log("$ " + String.join(" ", cmd.argv()));
            DetachedJob.start(shell, dir, cmd);
            FailPoint.reached("upgrade", PG_UPGRADE, "job-started");
            note(journal, "pg_upgrade runs detached on the server; its log is " + dir + "/log");
        } else {
            listener.log("reattaching to pg_upgrade (" + s.state().name().toLowerCase() + ") in " + dir);
            sock = UpgradeState.of(journal.operation(), journal.read()).data().get(PG_UPGRADE_SOCKET_DIR);
        }
        DetachedJob.Status end = job.follow(0, (stream, line) -> listener.log(line), Duration.ofMillis(300));
        work.removeSocketDirectory(sock);
        if (!end.succeeded()) {
            // pg_upgrade's reason is read now: its files are in the new data directory, which the rollback drops.
            String why = end.state() == DetachedJob.State.LOST ? ""
                    : ": " + new LiveCheck(shell, listener, work).failureReason(job.log());
            throw new UpgradeException("pg_upgrade " + (end.state() == DetachedJob.State.LOST
                    ? "ended without an exit status (the server restarted or it was killed)"
                    : "exited with status " + end.exitCode()) + why + "; its log is " + dir + "/log");
        }
        listener.log("sync -f " + plan.newDataDirectory() + " (the new cluster's files on disk before it starts)");
        shell.run(RemoteCommand.of("sync", "-f", plan.newDataDirectory()).asRoot(), Duration.ofMinutes(30)).requireSuccess();
        return Map.of("pgUpgradeLog", dir + "/log");
    }

    private Map<String, String> portSwap(UpgradePlan plan, UpgradeState st) throws SshException, InterruptedException {
        // Debian's convention (pg_upgradecluster): the new cluster takes the old port and start mode,
        // the old one moves to the new one's port and is set to manual start, so it never comes back
        // by itself on the same port.
        work.setPort(plan.newConfigDirectory(), plan.oldPort());
        work.setPort(plan.oldConfigDirectory(), plan.newTemporaryPort());
        String oldStart = st.data().getOrDefault("oldStartConf", "auto");
        work.writeFile(plan.newConfigDirectory() + "/start.conf", oldStart + "\n", plan.owner());
        work.writeFile(plan.oldConfigDirectory() + "/start.conf", "manual\n", plan.owner());
        return Map.of();
    }

    private Map<String, String> startNew(UpgradePlan plan, UpgradeState st) throws UpgradeException, SshException, InterruptedException {
        PgCluster n = clusters.listed(plan.newId());
        if (!control.isRunning(n)) {
            listener.log("starting " + plan.newId() + " on port " + plan.oldPort());
            try {
                control.start(n);
            } catch (SshException e) {
                throw new UpgradeException(plan.newId() + " did not start: " + e.getMessage() + work.logTail(n), e);
            }
        }
        Psql psql = Psql.forCluster(shell, n);
        Instant deadline = Instant.now().plusSeconds(60);
        while (!psql.answers("postgres")) {
            if (Instant.now().isAfter(deadline)) {
                throw new UpgradeException(plan.newId() + " started but does not answer on port " + plan.oldPort() + work.logTail(n));
            }
            Thread.sleep(200);
        }
        Instant up = Instant.now();
        Map<String, String> out = new HashMap<>();
        out.put("servingAgainAt", up.toString());
        OptionalLong seen = probeFor(plan).stopAndMeasure();
        // Where the new cluster's WAL stood when clients could reach it: a rollback says how much came after.
        out.put("newStartLsn", psql.value("postgres", "SELECT pg_current_wal_lsn()"));
        String started = st.data().get("downtimeStartedAt");
        if (started != null) {
            out.put("stepsDowntimeMillis", Long.toString(Duration.between(Instant.parse(started), up).toMillis()));
        }
        // What clients saw is the figure reported; the steps' own timestamps are kept beside it.
        if (seen.isPresent()) {
            out.put("downtimeMillis", Long.toString(seen.getAsLong()));
            out.put("downtimeMeasuredBy", "a client probe connecting every " + ClientProbe.INTERVAL.toMillis() + " ms");
            listener.log("clients could not connect for " + String.format("%.1f s", seen.getAsLong() / 1000.0)
                    + " (a probe connected every " + ClientProbe.INTERVAL.toMillis() + " ms)");
        } else if (out.containsKey("stepsDowntimeMillis")) {
            out.put("downtimeMillis", out.get("stepsDowntimeMillis"));
            out.put("downtimeMeasuredBy", "the steps' timestamps (the client probe saw no outage to measure)");
        }
        return out;
    }

    private Map<String, String> validate(UpgradePlan plan, UpgradeState st) throws UpgradeException, SshException, InterruptedException {
        Psql psql = Psql.forCluster(shell, clusters.newOne(plan));
        String version = psql.value("postgres", "SHOW server_version_num");
        int major = Integer.parseInt(version) / 10000;
        if (major != UpgradePlanner.major(plan.newVersion())) {
            throw new UpgradeException("port " + plan.oldPort() + " answers as version " + version + ", not " + plan.newVersion());
        }
        String before = st.data().get("inventory");
        String after = Validation.inventory(psql);
        if (before != null && !before.equals(after)) {
            throw new UpgradeException("databases or tables differ after the upgrade: before " + before + ", after " + after);
        }
        listener.log("validated: version " + version + ", " + after);
        return Map.of();
    }

    private Map<String, String> analyze(UpgradePlan plan, Journal journal) throws SshException, InterruptedException {
        if (!options.analyze()) {
            return Map.of("analyze", "skipped");
        }
        PgCluster n = clusters.newOne(plan);
        String dir = UpgradeWorkspace.workDir(shell, plan, "analyze");
        DetachedJob job = new DetachedJob(shell, dir);
        if (job.poll(0, null).state() == DetachedJob.State.MISSING) {
            DetachedJob.start(shell, dir, RemoteCommand.of(plan.newBinDir() + "/vacuumdb", "--all",
                    "--analyze-in-stages", "-h", n.socketDirectory(), "-p", Integer.toString(n.port()), "-U",
                    plan.installUser()).asUser(plan.owner()));
        }
        DetachedJob.Status end = job.follow(0, (s, line) -> listener.log(line), Duration.ofMillis(500));
        if (!end.succeeded()) {
            // The cluster serves already; statistics can be gathered again by hand, a rollback would lose more.
            note(journal, "vacuumdb --analyze-in-stages did not finish (" + end + "); run it by hand");
            return Map.of("analyze", "failed");
        }
        return Map.of("analyze", "done");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private JournaledSteps steps(Journal journal) {
        return new JournaledSteps("upgrade", actor, journal, listener);
    }

    private void stepEntry(Journal journal, String step, String state, String message, Map<String, String> data)
            throws SshException, InterruptedException {
        steps(journal).entry(step, state, message, data);
    }

    private void outcome(Journal journal, String state, String message, Map<String, String> data)
            throws SshException, InterruptedException {
        steps(journal).outcome(state, message, data);
    }

    private void note(Journal journal, String message) throws SshException, InterruptedException {
        steps(journal).note(message);
    }
}
