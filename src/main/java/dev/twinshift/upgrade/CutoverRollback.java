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
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.LockedException;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.RefusedException;
import dev.twinshift.storage.RollbackService;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Takes a cutover back to the old version: the new cluster is stopped and dropped (what clients wrote
 * to it kept in a pinned snapshot first, pg_upgrade's own logs kept in the operation's folder), the
 * old port and start mode are put back, the pre-upgrade snapshot restored and the old version started
 * and checked to answer on its port. It is journaled like the cutover, removes only what the journal
 * says the upgrade made, and looks at what is there before each step, so that run again after an
 * interruption it converges. The cutover runs it after a failing step or a cancel inside the
 * downtime; the command line and the wizard run it when asked.
 */
public final class CutoverRollback {
    private static final String STEP = "rollback";

    private final RemoteShell shell;
    private final Actor actor;
    private final UpgradeListener listener;
    private final ClusterControl control;
    private final ServerWork work;
    private final PlanClusters clusters;

    public CutoverRollback(RemoteShell shell, Actor actor, UpgradeListener listener) {
        this.shell = shell;
        this.actor = actor;
        this.listener = listener == null ? UpgradeListener.NONE : listener;
        this.control = new ClusterControl(shell);
        this.work = new ServerWork(shell, this.listener);
        this.clusters = new PlanClusters(shell);
    }

    /** Writes made to the new cluster since it took over, and where the rollback keeps them. */
    public record Cost(boolean handedOver, long transactions, long walBytes, List<String> tablesChanged, String text) {
    }

    /**
     * Puts the old cluster back as it was before the upgrade: the new one is stopped and dropped, the
     * pre-upgrade snapshot restored, the old version started on its port. Takes the operation's lock
     * over from a console that is gone, never from one still working.
     */
    public UpgradeState rollback(Catalog catalog, String operation)
            throws LockedException, UpgradeException, SshException, InterruptedException {
        Journal journal = new Journal(shell, catalog, operation);
        try (CatalogLock lock = CatalogLock.adopt(catalog, actor, UpgradeWorkspace.lockName(operation))) {
            UpgradeState st = UpgradeState.of(operation, journal.read());
            if (st.plan() == null) {
                throw new UpgradeException("the journal " + journal.path() + " holds no plan: nothing to roll back");
            }
            rollBackHeld(journal, st, "rollback asked by " + actor.display());
            return UpgradeState.of(operation, journal.read());
        }
    }

    /**
     * What a rollback of this upgrade would lose, measured on the new cluster when it has taken over:
     * the writes since then (transactions, WAL, tables changed), which the rollback keeps in a pinned
     * snapshot of the new cluster's data before it drops it.
     */
    public Cost cost(Catalog catalog, String operation) throws UpgradeException, SshException, InterruptedException {
        UpgradeState st = UpgradeState.of(operation, new Journal(shell, catalog, operation).read());
        if (st.plan() == null) {
            throw new UpgradeException("the journal of " + operation + " holds no plan: nothing to roll back");
        }
        return measureLoss(st);
    }

    private Cost measureLoss(UpgradeState st) throws SshException, InterruptedException {
        UpgradePlan plan = st.plan();
        String back = plan.oldId() + " comes back on port " + plan.oldPort() + " as the pre-upgrade snapshot "
                + st.data().getOrDefault("snapshot", "(none yet)") + " holds it, and " + plan.newId() + " is dropped.";
        if (!st.done(Cutover.START_NEW) || !clusters.newExists(plan)) {
            return new Cost(false, 0, 0, List.of(), "No client has written to " + plan.newId() + " yet: nothing is"
                    + " lost. " + back);
        }
        PgCluster n = clusters.newOne(plan);
        if (!control.isRunning(n)) {
            return new Cost(st.handedOver(), -1, -1, List.of(), "Every write made to " + plan.newId() + " since "
                    + st.data().getOrDefault("servingAgainAt", "the cutover") + " is lost from the live cluster (it is not"
                    + " running, so they cannot be counted); they are kept in a pinned snapshot of its data taken before"
                    + " it is dropped. " + back);
        }
        Psql psql = Psql.forCluster(shell, n);
        long xacts = Long.parseLong(psql.value("postgres", "SELECT coalesce(sum(xact_commit), 0) FROM pg_stat_database"));
        String startLsn = st.data().get("newStartLsn");
        long wal = startLsn == null ? -1 : Long.parseLong(psql.value("postgres",
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + startLsn.replace("'", "") + "')::bigint"));
        List<String> tables = new ArrayList<>();
        for (List<String> db : psql.rows("postgres", "SELECT datname FROM pg_database WHERE datallowconn ORDER BY 1")) {
            for (List<String> t : psql.rows(db.get(0), "SELECT schemaname || '.' || relname FROM pg_stat_user_tables"
                    + " WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY 1")) {
                tables.add(db.get(0) + ":" + t.get(0));
            }
        }
        String text = "Writes made to " + plan.newId() + " since it took over ("
                + st.data().getOrDefault("servingAgainAt", "at the cutover") + ") will be lost from the live cluster: "
                + xacts + " committed transaction(s) (validation and statistics included)"
                + (wal < 0 ? "" : ", " + wal + " bytes of WAL") + ", " + tables.size() + " table(s) changed"
                + (tables.isEmpty() ? "" : " (" + String.join(", ", tables.subList(0, Math.min(10, tables.size())))
                + (tables.size() > 10 ? ", …" : "") + ")")
                + ". They are kept in a pinned snapshot of " + plan.newId() + "'s data, taken before it is dropped: clone"
                + " it to read them. " + back;
        return new Cost(st.handedOver(), xacts, wal, tables, text);
    }

    /** The rollback, by whoever already holds the operation's lock (the cutover itself, or {@link #rollback}). */
    void rollBackHeld(Journal journal, UpgradeState st, String why)
            throws UpgradeException, SshException, InterruptedException {
        UpgradePlan plan = st.plan();
        JournaledSteps steps = steps(journal);
        steps.note(why);
        steps.entry(STEP, UpgradeState.STARTED, "roll back to " + plan.oldId(), Map.of());
        try {
            // Every step below looks at what is there before it acts, so a rollback run again after an
            // interruption (or after it failed) converges instead of tripping over its own earlier work.
            stopUpgradeJob(plan, st);
            if (st.data().containsKey(UpgradeWorkspace.MADE_CLUSTER) && clusters.newExists(plan)) {
                PgCluster n = clusters.newOne(plan);
                boolean keep = st.done(Cutover.START_NEW) && !st.data().containsKey("newWritesSnapshot")
                        && work.exists(plan.newDataDirectory());
                Cost cost = keep ? measureLoss(st) : null;
                listener.log("stopping " + plan.newId() + " (if it runs)");
                control.stop(n);
                if (keep) {
                    keepNewWrites(journal, st, cost);
                }
                keepUpgradeLogs(plan);
                listener.log("dropping " + plan.newId());
                dropNew(plan);
            }
            removeNewDataDirectory(plan, st);
            work.setPort(plan.oldConfigDirectory(), plan.oldPort());
            work.writeFile(plan.oldConfigDirectory() + "/start.conf", st.data().getOrDefault("oldStartConf", "auto") + "\n",
                    plan.owner());
            PgCluster old = clusters.old(plan);
            String snapshot = st.data().get("snapshot");
            if (snapshot != null && !snapshot.equals(st.data().get("restoredSnapshot"))) {
                listener.log("restoring the pre-upgrade snapshot " + snapshot);
                new RollbackService(shell, actor, listener::log).rollback(old, snapshot, true);
                journal.append(JournalEntry.note(actor, "restored " + snapshot, Map.of("restoredSnapshot", snapshot)));
            }
            old = clusters.listed(plan.oldId());
            if (!control.isRunning(old)) {
                listener.log("starting " + plan.oldId() + " on port " + plan.oldPort());
                control.start(old);
            }
            Psql psql = Psql.forCluster(shell, old);
            String v = psql.value("postgres", "SHOW server_version_num");
            if (Integer.parseInt(v) / 10000 != UpgradePlanner.major(plan.oldVersion())) {
                throw new UpgradeException("port " + plan.oldPort() + " answers as " + v + " after the rollback");
            }
        } catch (UpgradeException | SshException | RuntimeException | RefusedException | LockedException e) {
            steps.entry(STEP, UpgradeState.FAILED, e.getMessage(), Map.of());
            steps.outcome(UpgradeState.ROLLBACK_FAILED, "rollback failed: " + e.getMessage(), Map.of());
            throw new UpgradeException("the rollback of " + plan.oldId() + " failed: " + e.getMessage()
                    + "; the journal " + journal.path() + " says where it stopped; roll back again once fixed", e);
        }
        steps.entry(STEP, UpgradeState.DONE, null, Map.of());
        UpgradeState end = UpgradeState.of(journal.operation(), journal.read());
        String kept = end.data().get("newWritesSnapshot");
        steps.outcome(UpgradeState.ROLLED_BACK, plan.oldId() + " runs again on port " + plan.oldPort()
                + " with its pre-upgrade data" + (kept == null ? "" : "; what was written to " + plan.newId()
                + " after the cutover is kept in the pinned snapshot " + kept), Map.of());
    }

    /**
     * A refusal before the stop: what PREPARE made is removed again, the old cluster was never
     * stopped, and the journal ends ABANDONED with the reason.
     */
    void refusedBeforeStop(Journal journal, String step, CutoverRefusedException why)
            throws UpgradeException, SshException, InterruptedException {
        JournaledSteps steps = steps(journal);
        steps.entry(step, UpgradeState.FAILED, why.getMessage(), Map.of());
        UpgradeState st = UpgradeState.of(journal.operation(), journal.read());
        UpgradePlan plan = st.plan();
        try {
            if (st.data().containsKey(UpgradeWorkspace.MADE_CLUSTER) && clusters.newExists(plan)) {
                PgCluster n = clusters.newOne(plan);
                if (control.isRunning(n)) {
                    control.stop(n);
                }
                listener.log("dropping " + plan.newId() + " again");
                dropNew(plan);
            }
            removeNewDataDirectory(plan, st);
        } catch (SshException | RuntimeException e) {
            steps.outcome(UpgradeState.ROLLBACK_FAILED, "refused before the stop, but removing " + plan.newId()
                    + " failed: " + e.getMessage(), Map.of());
            throw new UpgradeException(why.getMessage() + "\nremoving " + plan.newId() + " again failed: " + e.getMessage()
                    + "; roll back to remove it (" + plan.oldId() + " was never stopped)", e);
        }
        List<String> names = why.blockers().stream().map(PgUpgradeCheckReport.Finding::check).toList();
        steps.outcome(UpgradeState.ABANDONED, why.getMessage().replace("\n", " ") + "; " + plan.newId() + " was dropped again",
                names.isEmpty() ? Map.of() : Map.of("blockers", String.join("; ", names)));
    }

    private void dropNew(UpgradePlan plan) throws SshException, InterruptedException {
        work.logged(RemoteCommand.of("pg_dropcluster", plan.newVersion(), plan.newName()).asRoot(), Duration.ofMinutes(10));
    }

    /** The new data directory, when the upgrade made it (an administrator's own empty one stays). */
    private void removeNewDataDirectory(UpgradePlan plan, UpgradeState st) throws SshException, InterruptedException {
        if (st.data().containsKey(UpgradeWorkspace.MADE_DATA_DIRECTORY) && work.exists(plan.newDataDirectory())) {
            if (plan.newIsSubvolume()) {
                work.root("btrfs", "subvolume", "delete", plan.newDataDirectory());
            } else {
                work.root("rm", "-rf", "--", plan.newDataDirectory());
            }
        }
    }

    /**
     * Stops a pg_upgrade that may still run (a console killed while it started it leaves it running on the
     * server) and waits until it is gone, then stops the servers pg_upgrade itself starts: pg_ctl puts
     * them in a session of their own, so they outlive the job. Dropping or restoring anything while one
     * of them runs would race it.
     */
    private void stopUpgradeJob(UpgradePlan plan, UpgradeState st) throws SshException, InterruptedException {
        if (st.steps().containsKey(Cutover.STOP_OLD)) {
            ClientProbe.attach(shell, UpgradeWorkspace.workDir(shell, plan, "probe")).stop();
        }
        if (!st.steps().containsKey(Cutover.PG_UPGRADE)) {
            return;
        }
        DetachedJob job = new DetachedJob(shell, UpgradeWorkspace.workDir(shell, plan, "pg_upgrade"));
        if (job.stop()) {
            listener.log("stopped the pg_upgrade that was still running");
        }
        for (String[] server : List.of(new String[] {plan.oldBinDir(), plan.oldDataDirectory()},
                new String[] {plan.newBinDir(), plan.newDataDirectory()})) {
            CommandResult r = shell.run(RemoteCommand.of(server[0] + "/pg_ctl", "status", "-D", server[1]).asUser(plan.owner()));
            if (r.exitCode() == 0) {
                listener.log("stopping the server pg_upgrade left running on " + server[1]);
                CommandResult stop = shell.run(RemoteCommand.of(server[0] + "/pg_ctl", "stop", "-D", server[1], "-m",
                        "fast", "-w", "-t", "600").asUser(plan.owner()), Duration.ofMinutes(11));
                if (!stop.ok() && shell.run(RemoteCommand.of(server[0] + "/pg_ctl", "status", "-D", server[1])
                        .asUser(plan.owner())).exitCode() == 0) {
                    stop.requireSuccess();
                }
            }
        }
    }

    /** Snapshot of the new cluster's data, pinned, before the rollback drops it: the writes since the cutover. */
    private void keepNewWrites(Journal journal, UpgradeState st, Cost cost)
            throws UpgradeException, SshException, InterruptedException {
        steps(journal).note(cost.text());
        SnapshotService snaps = new SnapshotService(shell, actor, listener::log);
        SnapshotRecord s;
        try {
            // Taken stopped: consistent on every storage method, reflink copies included.
            s = snaps.create(clusters.newOne(st.plan()), Reason.PRE_ROLLBACK, "writes-on-" + st.plan().newVersion());
            s = snaps.pin(UpgradeWorkspace.catalogOf(shell, st.plan()), s.id(), true);
        } catch (RefusedException | LockedException e) {
            throw new UpgradeException("the writes made to " + st.plan().newId() + " since the cutover cannot be kept in a"
                    + " snapshot (" + e.getMessage() + "), so the rollback stops before dropping them; copy what you need"
                    + " out of " + st.plan().newId() + ", then roll back again", e);
        }
        journal.append(JournalEntry.note(actor, "kept the writes made to " + st.plan().newId() + " since the cutover in "
                + s.id(), Map.of("newWritesSnapshot", s.id())));
    }

    /** pg_upgrade's own reports live in the new data directory, which the rollback drops: keep them. */
    private void keepUpgradeLogs(UpgradePlan plan) throws InterruptedException {
        try {
            String target = UpgradeWorkspace.workDir(shell, plan, "pg_upgrade_output.d");
            shell.run(RemoteCommand.of("sh", "-c", "[ -d \"$1\" ] && mkdir -p \"$2\" && cp -a \"$1\"/. \"$2\"/; exit 0", "sh",
                    plan.newDataDirectory() + "/pg_upgrade_output.d", target).asRoot());
        } catch (SshException ignored) {
            // the logs are a convenience; the rollback goes on without them
        }
    }

    private JournaledSteps steps(Journal journal) {
        return new JournaledSteps("upgrade", actor, journal, listener);
    }
}
