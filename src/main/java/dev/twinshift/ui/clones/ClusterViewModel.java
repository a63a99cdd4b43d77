package dev.twinshift.ui.clones;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.schedule.IdleClone;
import dev.twinshift.schedule.IdleCloneService;
import dev.twinshift.schedule.IdleClonePolicy;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Names;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.RollbackResult;
import dev.twinshift.storage.RollbackService;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import dev.twinshift.storage.SpaceUsage;
import dev.twinshift.storage.StorageDrivers;
import dev.twinshift.ssh.SshException;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.bluegreen.BlueGreenViewModel;
import dev.twinshift.ui.bluegreen.RemoteBlueGreenService;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.ui.tasks.TaskExecutor;
import dev.twinshift.ui.wizard.RemoteUpgradeEngine;
import dev.twinshift.ui.wizard.UpgradeWizardViewModel;
import dev.twinshift.ssh.PortForwarding;
import dev.twinshift.ssh.Tunnel;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * One cluster's snapshots and clones, read from the server's catalog, with the actions on them.
 * Every action runs as a background task; the lists are re-read from the server afterwards, so two
 * consoles converge on the same state.
 */
public final class ClusterViewModel {

    /**
     * A clone as listed, with whether it runs now.
     *
     * @param stoppedBecause why the server's space watcher stopped it, null when it did not
     * @param ownBytes       the space only this clone holds (what destroying it frees), null where the
     *                       storage cannot tell (reflink and plain copies)
     * @param use            whether the clone is used, as the server's idle-clone rule judges it; null
     *                       when the server did not say
     */
    public record CloneItem(CloneRecord record, boolean running, String connectionString, String stoppedBecause,
                            Long ownBytes, CloneUse use) {
        public CloneItem(CloneRecord record, boolean running, String connectionString) {
            this(record, running, connectionString, null, null, null);
        }

        public CloneItem(CloneRecord record, boolean running, String connectionString, String stoppedBecause) {
            this(record, running, connectionString, stoppedBecause, null, null);
        }

        public boolean protectedClone() {
            return use != null && use.protectedClone();
        }

        public boolean idle() {
            return use != null && use.idle();
        }

        public String name() {
            return record.name();
        }
    }

    /**
     * A clone's use in words: {@code text} for its cell ("idle 3 days", "in use", "protected"),
     * {@code reason} the rule's whole sentence for the tooltip, {@code idle} whether it is marked.
     */
    public record CloneUse(String text, String reason, boolean idle, boolean protectedClone) {
        /** The server's idle-clone rule's verdict on a clone, in the few words a cell holds. */
        public static CloneUse of(IdleClone i) {
            String idleFor = i.idleFor() == null ? "" : " " + ClusterFormat.age(i.idleFor());
            String text = switch (i.verdict()) {
                case ACTIVE -> i.connections() != null && i.connections() > 0
                        ? "in use (" + i.connections() + (i.connections() == 1 ? " session)" : " sessions)") : "in use";
                case IDLE -> "idle" + idleFor;
                case STOP_DUE -> "idle" + idleFor + ", stop due";
                case DESTROY_DUE -> "idle" + idleFor + ", destroy due";
                case PROTECTED -> i.protectedClone() ? "protected" : "kept";
                case STOPPED -> "stopped";
            };
            boolean idle = i.verdict() == IdleClone.Verdict.IDLE || i.due();
            return new CloneUse(text, i.reason(), idle, i.protectedClone());
        }
    }

    private final TaskExecutor tasks;
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ObservableList<SnapshotRecord> snapshots = FXCollections.observableArrayList();
    private final ObservableList<CloneItem> clones = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<CloneFamily.Row> family = new ReadOnlyObjectWrapper<>();

    private final Map<String, UpgradeWizardViewModel> wizards = new HashMap<>();
    private final Map<String, BlueGreenViewModel> blueGreens = new HashMap<>();

    private RemoteShell shell;
    private PgCluster cluster;
    private String sshUser;
    /** Operations submitted and not yet ended; changed on the FX thread only. */
    private int running;

    private Runnable onClustersChanged = () -> { };

    /** Open tunnels by server and clone; touched on the FX thread only. */
    private final Map<String, Tunnel> tunnels = new HashMap<>();
    /** Counts changes of the tunnels, for views that show their URLs. */
    private final ReadOnlyIntegerWrapper tunnelChanges = new ReadOnlyIntegerWrapper();
    /** How long the last rollback of each cluster kept it down, by server and cluster. */
    private final Map<String, Duration> lastDowntime = new HashMap<>();
    private ZoneId zone = ZoneId.systemDefault();
    /** Reads a rollback's cost on a pool thread; replaced in tests that have no server. */
    private CostReader costReader = (shell, actor, c, s) -> new RollbackService(shell, actor, dev.twinshift.storage.Progress.NONE)
            .cost(c, s);

    /** What {@link RollbackService#cost} answers. */
    interface CostReader {
        Map<String, Object> read(RemoteShell shell, Actor actor, PgCluster c, SnapshotRecord s) throws Exception;
    }

    public ClusterViewModel(TaskExecutor tasks) {
        this.tasks = tasks;
    }

    /**
     * Called when the server's clusters changed under this view (an upgrade made a new one, took the
     * old one's port, or was rolled back), so whoever lists the clusters reads them again.
     */
    public void setOnClustersChanged(Runnable r) {
        onClustersChanged = r == null ? () -> { } : r;
    }

    /** The administrator's time zone, in which every time of this view is written. */
    public ZoneId zone() {
        return zone;
    }

    public void setZone(ZoneId z) {
        zone = z;
    }

    void setCostReader(CostReader r) {
        costReader = r;
    }

    public ReadOnlyIntegerProperty tunnelChangesProperty() {
        return tunnelChanges.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** The last outcome or error, in words, with what to do next when something failed. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ObservableList<SnapshotRecord> snapshots() {
        return snapshots;
    }

    public ObservableList<CloneItem> clones() {
        return clones;
    }

    /** The cluster's family (snapshots cloned, clones, their snapshots...), rebuilt at each re-read. */
    public ReadOnlyObjectProperty<CloneFamily.Row> familyProperty() {
        return family.getReadOnlyProperty();
    }

    public PgCluster cluster() {
        return cluster;
    }

    /** The server of the shown cluster, null when none is shown. */
    public RemoteShell shell() {
        return shell;
    }

    /** The account used on that server. */
    public String sshUser() {
        return sshUser;
    }

    /** Shows a cluster of a connected server (or nothing, with nulls). */
    public void show(RemoteShell s, String user, PgCluster c) {
        if (c != null && cluster != null && s == shell && c.id().equals(cluster.id())) {
            // The same cluster read again (its port or status may have changed): keep the last outcome.
            this.cluster = c;
            refresh();
            return;
        }
        this.shell = s;
        this.sshUser = user;
        this.cluster = c;
        snapshots.clear();
        clones.clear();
        family.set(null);
        message.set("");
        title.set(c == null ? "" : "Snapshots and clones of " + c.id());
        if (c != null) {
            refresh();
        }
    }

    public void refresh() {
        if (cluster == null) {
            return;
        }
        run("Read snapshots of " + cluster.id(), false, (p, t) -> null, null);
    }

    /** Checks a label typed by the administrator; null when fine. */
    public static String labelProblem(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        try {
            Names.requireValid("label", label.strip());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    public void snapshotNow(String label) {
        String l = label == null || label.isBlank() ? null : label.strip();
        run("Snapshot " + idOrNone(), true, (p, t) -> {
            SnapshotRecord r = t.snapshots(p).create(t.cluster(), Reason.MANUAL, l);
            return "Snapshot " + r.id() + " taken (WAL " + r.walLsn() + ").";
        }, null);
    }

    public void cloneFrom(SnapshotRecord snap, String name) {
        run("Clone " + snap.id(), true, (p, t) -> {
            CloneService cs = t.clones(p);
            Catalog cat = t.catalog();
            cs.create(cat, snap.id(), name);
            CloneRecord started = cs.start(cat, name);
            return "Clone " + name + " runs on port " + started.port() + ": " + cs.spec(cat, started).connectionString("postgres");
        }, null);
    }

    public void startClone(CloneItem c) {
        run("Start clone " + c.name(), true, (p, t) -> {
            CloneRecord r = t.clones(p).start(t.catalog(), c.name());
            return "Clone " + c.name() + " runs on port " + r.port() + ".";
        }, null);
    }

    public void stopClone(CloneItem c) {
        closeTunnel(tunnelKey(c));
        run("Stop clone " + c.name(), true, (p, t) -> {
            t.clones(p).stop(t.catalog(), c.name());
            return "Clone " + c.name() + " stopped.";
        }, null);
    }

    public void destroyClone(CloneItem c) {
        closeTunnel(tunnelKey(c));
        run("Destroy clone " + c.name(), true, (p, t) -> {
            t.clones(p).destroy(t.catalog(), c.name());
            return "Clone " + c.name() + " destroyed.";
        }, null);
    }

    /** A snapshot of the clone's own data, from which further clones can be made (it shows under the clone). */
    public void snapshotClone(CloneItem c, String label) {
        String l = label == null || label.isBlank() ? null : label.strip();
        run("Snapshot clone " + c.name(), true, (p, t) -> {
            Catalog cat = t.catalog();
            SnapshotRecord r = t.snapshots(p).createOfClone(cat, t.clones(p).require(cat, c.name()), l);
            return "Snapshot " + r.id() + " of clone " + c.name() + " taken.";
        }, null);
    }

    public void pin(SnapshotRecord s, boolean pinned) {
        run((pinned ? "Pin " : "Unpin ") + s.id(), true, (p, t) -> {
            t.snapshots(p).pin(t.catalog(), s.id(), pinned);
            return s.id() + (pinned ? " is pinned: retention keeps it." : " is no longer pinned.");
        }, null);
    }

    public void delete(SnapshotRecord s) {
        run("Delete " + s.id(), true, (p, t) -> {
            t.snapshots(p).delete(t.catalog(), s.id());
            return "Snapshot " + s.id() + " deleted.";
        }, null);
    }

    /**
     * The upgrade wizard of the shown cluster: the one open or still at work after its window was
     * closed (its steps went on), else a new one.
     */
    public UpgradeWizardViewModel upgradeWizard() {
        String key = shell.serverName() + "|" + cluster.id();
        UpgradeWizardViewModel w = wizards.get(key);
        if (w == null || !w.inUse()) {
            // The wizard's own log: bounded, so a long pg_upgrade output cannot grow without end.
            w = new UpgradeWizardViewModel(tasks, new RemoteUpgradeEngine(shell, sshUser, cluster), new LogBuffer(3000));
            w.setOnEngineEnded(() -> onClustersChanged.run());
            wizards.put(key, w);
        }
        return w;
    }

    /** The blue/green window's model of the cluster shown, kept while the console runs (one per cluster). */
    public BlueGreenViewModel blueGreen() {
        String key = shell.serverName() + "|" + cluster.id();
        return blueGreens.computeIfAbsent(key, k -> new BlueGreenViewModel(tasks,
                new RemoteBlueGreenService(shell, actor(), cluster), new LogBuffer(3000)));
    }

    /** What a rollback to the snapshot discards, for the confirmation dialog. */
    public String rollbackPreview(SnapshotRecord s) {
        return new RollbackService(shell, actor(), dev.twinshift.storage.Progress.NONE).preview(cluster, s);
    }

    public void rollback(SnapshotRecord s, Consumer<RollbackResult> done) {
        if (cluster == null || shell == null) {
            return;
        }
        List<RollbackResult> out = new ArrayList<>(1);
        Target t0 = new Target(shell, cluster, actor());
        run("Roll back " + idOrNone() + " to " + s.id(), true, (p, t) -> {
            RollbackResult r = new RollbackService(t.shell(), t.actor(), p::log).rollback(t.cluster(), s.id());
            out.add(r);
            return t.cluster().id() + " rolled back to " + s.id() + " (down " + r.downtime().toMillis() + " ms). To undo, roll back to "
                    + r.safety().id() + ".";
        }, () -> {
            if (!out.isEmpty()) {
                lastDowntime.put(t0.shell().serverName() + "|" + t0.cluster().id(), out.get(0).downtime());
            }
            if (!out.isEmpty() && done != null) {
                done.accept(out.get(0));
            }
        });
    }

    /**
     * What a task acts on, fixed when it is asked for: the selection may change (or the view move to
     * another server) before a pool thread runs it, and the task must still act on what was shown.
     */
    private record Target(RemoteShell shell, PgCluster cluster, Actor actor) {
        SnapshotService snapshots(BackgroundTask.Progress p) {
            return new SnapshotService(shell, actor, p::log);
        }

        CloneService clones(BackgroundTask.Progress p) {
            return new CloneService(shell, actor, p::log);
        }

        Catalog catalog() throws Exception {
            return ClusterVolume.resolve(shell, cluster).catalog();
        }

        IdleCloneService idle(BackgroundTask.Progress p) {
            return new IdleCloneService(shell, p::log);
        }
    }

    private interface Action {
        String call(BackgroundTask.Progress p, Target t) throws Exception;
    }

    private record Listing(String outcome, List<SnapshotRecord> snapshots, List<SnapshotRecord> family, List<CloneItem> clones) { }

    /**
     * Runs an action, then re-reads both lists from the server in the same task. Busy counts the
     * operations under way, so that the first of two to end does not re-enable the buttons while the
     * other still changes the server.
     */
    private void run(String title, boolean changes, Action action, Runnable after) {
        if (cluster == null || shell == null) {
            return;
        }
        Target t = new Target(shell, cluster, actor());
        PgCluster c = t.cluster();
        started();
        tasks.submit(BackgroundTask.of(title, p -> {
            p.log(title);
            String outcome = action.call(p, t);
            if (outcome != null) {
                p.log(outcome);
            }
            ClusterVolume v = ClusterVolume.resolve(t.shell(), c);
            List<SnapshotRecord> snaps = new ArrayList<>(t.snapshots(p).list(v));
            snaps.sort(Comparator.comparing(SnapshotRecord::createdAt).reversed());
            CloneService cs = t.clones(p);
            List<CloneItem> items = new ArrayList<>();
            Map<String, String> stopped = cs.stopReasons(v.catalog());
            Map<String, IdleClone> use = idleClones(t, v.catalog(), p);
            for (CloneRecord r : cs.list(v.catalog())) {
                if (!c.id().equals(r.cluster())) {
                    continue;
                }
                boolean running = cs.isRunning(v.catalog(), r);
                items.add(new CloneItem(r, running, r.port() == null ? "" : cs.spec(v.catalog(), r).connectionString("postgres"),
                        running ? null : stopped.get(r.name()), ownBytes(t.shell(), r, p),
                        use.containsKey(r.name()) ? CloneUse.of(use.get(r.name())) : null));
            }
            // The clones' own snapshots live on their own volumes: the family needs the whole catalog's.
            List<SnapshotRecord> all = v.catalog().snapshots();
            return new Listing(outcome, snaps, all, items);
        }).onSuccess(l -> {
            ended();
            if (!shows(t)) {
                return;
            }
            applyListing(l.snapshots(), l.family(), l.clones());
            // A plain re-read has nothing to say: the last action's outcome stays in view.
            if (l.outcome() != null) {
                message.set(l.outcome());
            }
            if (after != null) {
                after.run();
            }
        }).onFailure(e -> {
            ended();
            if (!shows(t) && !changes) {
                return;
            }
            message.set(title + " failed: " + BackgroundTask.explain(e));
        }).onCancelled(this::ended).cancel(changes ? TaskCancel.refused(TaskCancel.RUNS_TO_ITS_END) : TaskCancel.interrupts()));
    }

    /**
     * Shows the lists as the server gave them. A tunnel to a clone that no longer runs (stopped or
     * destroyed from here or from another console) is closed: it would lead nowhere.
     */
    void applyListing(List<SnapshotRecord> snaps, List<CloneItem> items) {
        applyListing(snaps, snaps, items);
    }

    /**
     * Shows the lists as a re-read brings them; {@code all} are the catalog's snapshots, the clones'
     * included, from which the family is drawn.
     */
    public void applyListing(List<SnapshotRecord> snaps, List<SnapshotRecord> all, List<CloneItem> items) {
        snapshots.setAll(snaps);
        clones.setAll(items);
        family.set(cluster == null ? null : CloneFamily.build(cluster, all, items));
        pruneTunnels();
    }

    /**
     * The server's idle-clone rule on every clone of the catalog (its dry run: nothing changes). A
     * failure costs the clones their Use column, not the listing.
     */
    private static Map<String, IdleClone> idleClones(Target t, Catalog cat, BackgroundTask.Progress p) throws InterruptedException {
        Map<String, IdleClone> out = new HashMap<>();
        try {
            for (IdleClone i : t.idle(p).preview(cat)) {
                out.put(i.name(), i);
            }
        } catch (SshException | RuntimeException e) {
            p.log("Whether the clones are used was not read: " + e.getMessage());
        }
        return out;
    }

    /**
     * Reads the idle-clone policy of the shown cluster's catalog (on a pool thread) and hands it, with
     * the catalog's place, to {@code ready} on the FX thread.
     */
    public void readIdlePolicy(java.util.function.BiConsumer<String, IdleClonePolicy> ready) {
        if (cluster == null || shell == null) {
            return;
        }
        Target t = new Target(shell, cluster, actor());
        started();
        tasks.submit(BackgroundTask.of("Read the idle-clone policy of " + t.cluster().id(), p -> {
            Catalog cat = t.catalog();
            return java.util.Map.entry(cat.root(), t.idle(p).policy(cat));
        }).onSuccess(e -> {
            ended();
            if (shows(t)) {
                ready.accept(e.getKey(), e.getValue());
            }
        }).onFailure(e -> {
            ended();
            message.set("Reading the idle-clone policy failed: " + BackgroundTask.explain(e));
        }).onCancelled(this::ended).cancel(TaskCancel.interrupts()));
    }

    /** What the server's rule would say of every clone now under {@code policy}, saved or not; nothing changes. */
    public void previewIdlePolicy(IdleClonePolicy policy, Consumer<List<IdleClone>> ready, Consumer<String> failed) {
        if (cluster == null || shell == null) {
            return;
        }
        Target t = new Target(shell, cluster, actor());
        tasks.submit(BackgroundTask.of("Preview the idle-clone policy " + policy.text(), p -> t.idle(p).preview(t.catalog(), policy))
                .onSuccess(ready::accept)
                .onFailure(e -> failed.accept(BackgroundTask.explain(e)))
                .cancel(TaskCancel.interrupts()));
    }

    /** Saves the policy the hourly run applies to the catalog's clones. */
    public void saveIdlePolicy(IdleClonePolicy policy) {
        run("Save the idle-clone policy " + policy.text(), true, (p, t) -> {
            Catalog cat = t.catalog();
            t.idle(p).savePolicy(cat, policy);
            return "Idle-clone policy of " + cat.root() + " saved: " + IdlePolicyDialog.describe(policy) + ".";
        }, null);
    }

    /** Protects the clone from the idle-clone policy (never stopped or destroyed by it), or lifts that. */
    public void protect(CloneItem c, boolean on) {
        run((on ? "Protect clone " : "Unprotect clone ") + c.name(), true, (p, t) -> {
            t.idle(p).protect(t.catalog(), c.name(), on, t.actor());
            return on ? "Clone " + c.name() + " is protected: the idle-clone policy never stops or destroys it."
                    : "Clone " + c.name() + " is no longer protected: the idle-clone policy applies to it.";
        }, null);
    }

    /**
     * What destroying the clone would free; unknown (null) when the storage cannot say or the
     * question fails, which must not cost the administrator the listing itself.
     */
    private static Long ownBytes(RemoteShell shell, CloneRecord r, BackgroundTask.Progress p) throws InterruptedException {
        if (r.method() == null || r.location() == null) {
            return null;
        }
        try {
            return StorageDrivers.forMethod(r.method(), shell).usage(r.location()).map(SpaceUsage::exclusiveBytes).orElse(null);
        } catch (SshException e) {
            p.log("Space used by clone " + r.name() + " not read: " + e.getMessage());
            return null;
        }
    }

    private String tunnelKey(CloneItem c) {
        return (shell == null ? "" : shell.serverName()) + "|" + c.name();
    }

    /** Whether the shown server can forward a local port at all (an SSH connection can). */
    public boolean canTunnel() {
        return shell instanceof PortForwarding;
    }

    /** The URL of the clone's open tunnel, null when none is open. */
    public String tunnelUrl(CloneItem c) {
        Tunnel t = tunnels.get(tunnelKey(c));
        return t == null || !t.isOpen() ? null : CloneLinks.tunnelUrl(c.record().owner(), t.localPort(), "postgres");
    }

    /**
     * Opens a local tunnel to the running clone's port on the server's loopback (where the clone
     * listens) and hands its URL to {@code opened}; an open one is reused.
     */
    public void openTunnel(CloneItem c, Consumer<String> opened) {
        String open = tunnelUrl(c);
        if (open != null) {
            opened.accept(open);
            return;
        }
        if (!(shell instanceof PortForwarding pf) || c.record().port() == null || !c.running()) {
            return;
        }
        String key = tunnelKey(c);
        int port = c.record().port();
        RemoteShell s = shell;
        tasks.submit(BackgroundTask.of("Tunnel to clone " + c.name(), p -> pf.openTunnel("localhost", port, port))
                .onSuccess(t -> {
                    Tunnel before = tunnels.put(key, t);
                    if (before != null && before != t) {
                        before.close();
                    }
                    tunnelChanges.set(tunnelChanges.get() + 1);
                    String url = CloneLinks.tunnelUrl(c.record().owner(), t.localPort(), "postgres");
                    if (s == shell) {
                        message.set("Clone " + c.name() + " is reachable from this workstation at " + url
                                + " while the console stays connected.");
                    }
                    opened.accept(url);
                })
                .onFailure(e -> message.set("Tunnel to clone " + c.name() + " failed: " + BackgroundTask.explain(e)))
                .cancel(TaskCancel.interrupts()));
    }

    private void closeTunnel(String key) {
        Tunnel t = tunnels.remove(key);
        if (t != null) {
            t.close();
            tunnelChanges.set(tunnelChanges.get() + 1);
        }
    }

    private void pruneTunnels() {
        if (shell == null) {
            return;
        }
        String prefix = shell.serverName() + "|";
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, Tunnel> e : tunnels.entrySet()) {
            boolean live = clones.stream().anyMatch(c -> c.running() && (prefix + c.name()).equals(e.getKey()));
            if (!e.getValue().isOpen() || (e.getKey().startsWith(prefix) && !live)) {
                gone.add(e.getKey());
            }
        }
        gone.forEach(this::closeTunnel);
    }

    /**
     * Measures what a rollback to the snapshot costs (WAL since, sessions cut) on a pool thread and
     * hands it to {@code ready} on the FX thread, so the question can state the cost.
     */
    public void rollbackCost(SnapshotRecord s, Consumer<RollbackCost> ready) {
        if (cluster == null || shell == null) {
            return;
        }
        Target t = new Target(shell, cluster, actor());
        Duration last = lastDowntime.get(shell.serverName() + "|" + cluster.id());
        started();
        tasks.submit(BackgroundTask.of("Measure a rollback of " + cluster.id(), p ->
                        RollbackCost.of(costReader.read(t.shell(), t.actor(), t.cluster(), s), Instant.now(), last))
                .onSuccess(c -> {
                    ended();
                    if (shows(t)) {
                        ready.accept(c);
                    }
                })
                .onFailure(e -> {
                    ended();
                    message.set("Reading what a rollback of " + t.cluster().id() + " costs failed: " + BackgroundTask.explain(e));
                })
                .onCancelled(this::ended)
                .cancel(TaskCancel.interrupts()));
    }

    /** The view still shows what {@code t} acted on (same server, same cluster). */
    private boolean shows(Target t) {
        return t.shell() == shell && cluster != null && t.cluster().id().equals(cluster.id());
    }

    private void started() {
        running++;
        busy.set(true);
    }

    private void ended() {
        running--;
        busy.set(running > 0);
    }

    private String idOrNone() {
        return cluster == null ? "" : cluster.id();
    }

    private Actor actor() {
        return Actor.local(sshUser);
    }
}
