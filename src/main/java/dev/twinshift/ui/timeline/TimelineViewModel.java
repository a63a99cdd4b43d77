package dev.twinshift.ui.timeline;

import dev.twinshift.bisect.BisectListener;
import dev.twinshift.bisect.BisectResult;
import dev.twinshift.bisect.Probe;
import dev.twinshift.schedule.RetentionPlan;
import dev.twinshift.schedule.SnapshotPolicy;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.ui.tasks.TaskExecutor;
import dev.twinshift.upgrade.CancelRequest;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;

/**
 * A cluster's snapshots on a time axis, with what the timeline adds to the cluster view: the fate
 * retention would give each snapshot under the policy being edited, a search's verdicts, and the
 * server-side schedule. The snapshots, clones and their actions are the {@link ClusterViewModel}'s
 * (its lists, its rules, its tasks); the preview and the schedule come through {@link PolicyPreviewer}
 * and {@link ScheduleActions}, which the composition root provides.
 */
public final class TimelineViewModel {

    /** One line of a snapshot's details: what, and its value as text to copy. */
    public record Detail(String key, String value) {}

    private final ClusterViewModel cluster;
    private final TaskExecutor tasks;
    private final ZoneId zone;
    private final DateTimeFormatter secondFormat;

    private PolicyPreviewer previewer;
    private BisectSource bisectSource;
    private BisectRunner bisectRunner;
    private ScheduleActions schedule = ScheduleActions.unavailable();

    private final ObservableList<SnapshotRecord> snapshots = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<Map<String, List<CloneItem>>> clonesBySnapshot = new ReadOnlyObjectWrapper<>(Map.of());
    private final ObjectProperty<SnapshotRecord> selected = new SimpleObjectProperty<>();
    private final ReadOnlyObjectWrapper<RetentionPlan> plan = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<BisectMarks> bisect = new ReadOnlyObjectWrapper<>(BisectMarks.NONE);
    private final StringProperty policyText = new SimpleStringProperty(SnapshotPolicy.DEFAULT.toString());
    private final ReadOnlyObjectWrapper<SnapshotPolicy> policy = new ReadOnlyObjectWrapper<>(SnapshotPolicy.DEFAULT);
    private final ReadOnlyStringWrapper policyError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper previewStatus = new ReadOnlyStringWrapper("");
    private final ObservableList<RetentionPlan.Verdict> wouldPrune = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper scheduleStatus = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper scheduleBusy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<BisectResult> bisectResult = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper bisectStatus = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper bisectRunning = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper bisectAvailable = new ReadOnlyBooleanWrapper(false);
    /** Bumped by every load of the saved result and every run: an older answer never replaces a newer one. */
    private int bisectGeneration;

    /** The policy the shown plan was computed for. */
    private SnapshotPolicy planFor;
    /** The cluster the lists above belong to; null when none is shown. */
    private ClusterTarget shown;
    /** Bumped by every preview asked for: only the newest one's answer is shown. */
    private int previewGeneration;

    public TimelineViewModel(ClusterViewModel cluster, TaskExecutor tasks) {
        this(cluster, tasks, ZoneId.systemDefault());
    }

    /** @param zone the user's time zone, in which times are shown and the axis is divided */
    public TimelineViewModel(ClusterViewModel cluster, TaskExecutor tasks, ZoneId zone) {
        this.cluster = cluster;
        this.tasks = tasks;
        this.zone = zone;
        this.secondFormat = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").withZone(zone);
        policyText.addListener((o, a, b) -> validate(b));
        cluster.snapshots().addListener((ListChangeListener<SnapshotRecord>) c -> snapshotsChanged());
        cluster.clones().addListener((ListChangeListener<CloneItem>) c -> clonesChanged());
        cluster.titleProperty().addListener((o, a, b) -> checkCluster());
        // The cluster view's re-read of the server is the timeline's refresh: the saved result is read again with it.
        cluster.busyProperty().addListener((o, was, now) -> {
            if (was && !now) {
                loadBisect();
            }
        });
        checkCluster();
        snapshotsChanged();
        clonesChanged();
    }

    /** Where dry-run previews come from; null: the editor says the schedule service is not available. */
    public void setPreviewer(PolicyPreviewer p) {
        this.previewer = p;
    }

    /** The server's schedule; {@link ScheduleActions#unavailable()} when null. */
    public void setScheduleActions(ScheduleActions a) {
        this.schedule = a == null ? ScheduleActions.unavailable() : a;
        refreshSchedule();
    }

    public ZoneId zone() {
        return zone;
    }

    /** The cluster view whose operations the timeline's buttons use. */
    public ClusterViewModel clusterModel() {
        return cluster;
    }

    /** The cluster's snapshots, oldest first. */
    public ObservableList<SnapshotRecord> snapshots() {
        return snapshots;
    }

    /** Each snapshot's clones, by snapshot id. */
    public ReadOnlyObjectProperty<Map<String, List<CloneItem>>> clonesBySnapshotProperty() {
        return clonesBySnapshot.getReadOnlyProperty();
    }

    public ObjectProperty<SnapshotRecord> selectedProperty() {
        return selected;
    }

    /** The newest preview's plan for the policy text; null when there is none. */
    public ReadOnlyObjectProperty<RetentionPlan> planProperty() {
        return plan.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<BisectMarks> bisectProperty() {
        return bisect.getReadOnlyProperty();
    }

    /** Shows a search's results on the axis (for the cluster shown now). */
    public void showBisect(BisectMarks marks) {
        bisect.set(marks == null ? BisectMarks.NONE : marks);
    }

    /**
     * Where the saved result comes from and how a bisect runs; null: the timeline shows no saved result
     * and the Bisect button says the bisect service is not available.
     */
    public void setBisect(BisectSource source, BisectRunner runner) {
        this.bisectSource = source;
        this.bisectRunner = runner;
        bisectAvailable.set(runner != null);
        loadBisect();
    }

    public boolean bisectAvailable() {
        return bisectRunner != null;
    }

    public ReadOnlyBooleanProperty bisectAvailableProperty() {
        return bisectAvailable.getReadOnlyProperty();
    }

    /** The last result shown (loaded from the server or just found); null when none. */
    public ReadOnlyObjectProperty<BisectResult> bisectResultProperty() {
        return bisectResult.getReadOnlyProperty();
    }

    /** One line about the bisect: running, its outcome, or why the saved result could not be read. */
    public ReadOnlyStringProperty bisectStatusProperty() {
        return bisectStatus.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty bisectRunningProperty() {
        return bisectRunning.getReadOnlyProperty();
    }

    /** Reads the newest saved result of the shown cluster on a worker thread and shows its marks. */
    public void loadBisect() {
        ClusterTarget t = shown;
        BisectSource source = bisectSource;
        if (t == null || source == null || bisectRunning.get()) {
            return;
        }
        int generation = ++bisectGeneration;
        tasks.submit(BackgroundTask.of("Read bisect results of " + t.cluster().id(), pr -> source.latest(t))
                .onSuccess(r -> {
                    if (generation != bisectGeneration || !same(t, shown)) {
                        return;
                    }
                    if (r == null || r.isEmpty()) {
                        bisectResult.set(null);
                        showBisect(BisectMarks.NONE);
                        return;
                    }
                    show(r.get());
                }).onFailure(e -> {
                    if (generation == bisectGeneration && same(t, shown)) {
                        bisectStatus.set("Saved bisect results could not be read: " + BackgroundTask.explain(e));
                    }
                }).cancel(TaskCancel.interrupts()));
    }

    private void show(BisectResult r) {
        bisectResult.set(r);
        showBisect(BisectResults.marks(r, this::formatTime));
        bisectStatus.set(BisectResults.title(r) + " — " + r.outcome() + ": " + Objects.toString(r.message(), ""));
    }

    /**
     * Runs the bisect as a task of the task center. Its Cancel goes to the search, which stops the
     * running check and destroys the probe clones; probes show on the axis as they come back.
     * {@code done} gets the result on the FX thread.
     */
    public void runBisect(dev.twinshift.bisect.BisectService.Request request, java.util.function.Consumer<BisectResult> done) {
        ClusterTarget t = shown;
        BisectRunner runner = bisectRunner;
        if (t == null || runner == null || bisectRunning.get()) {
            return;
        }
        int generation = ++bisectGeneration;
        String what = request.check().describe();
        CancelRequest cancel = new CancelRequest();
        cancel.boundary(CancelRequest.Policy.abandon("Cancel stops the running check and destroys the probe clones;"
                + " the live cluster is never touched."));
        List<Probe> probes = new ArrayList<>();
        bisectRunning.set(true);
        bisectStatus.set("Bisect running: " + what + " …");
        BisectListener listener = new BisectListener() {
            @Override
            public void line(String message) {
                // The task's log lines are its progress; see the task center and the activity log.
            }

            @Override
            public void probe(Probe p) {
                tasks.deliver(() -> {
                    if (generation != bisectGeneration || !same(t, shown)) {
                        return;
                    }
                    probes.add(p);
                    showBisect(BisectResults.running(what, probes, TimelineViewModel.this::formatTime));
                    bisectStatus.set("Bisect running: " + what + " — " + probes.size() + " probe(s) so far");
                });
            }
        };
        tasks.submit(BackgroundTask.of("Bisect " + t.cluster().id() + ": " + what, pr -> runner.run(t, request, new BisectListener() {
            @Override
            public void line(String message) {
                pr.log(message);
                pr.message(message);
            }

            @Override
            public void probe(Probe p) {
                pr.log("probe " + p.snapshot() + ": " + p.verdict() + " (" + p.millis() + " ms)");
                listener.probe(p);
            }
        }, cancel)).onSuccess(r -> {
            bisectRunning.set(false);
            if (!same(t, shown)) {
                return;
            }
            bisectGeneration++;
            show(r);
            done.accept(r);
        }).onFailure(e -> {
            bisectRunning.set(false);
            if (same(t, shown)) {
                bisectStatus.set("Bisect failed: " + BackgroundTask.explain(e));
            }
        }).onCancelled(() -> {
            bisectRunning.set(false);
            bisectStatus.set("Bisect cancelled; the probe clones were destroyed.");
        }).cancel(TaskCancel.byRequest(cancel, "the console")));
    }

    public StringProperty policyTextProperty() {
        return policyText;
    }

    /** The policy text as parsed; null while it does not parse. */
    public ReadOnlyObjectProperty<SnapshotPolicy> policyProperty() {
        return policy.getReadOnlyProperty();
    }

    /** Why the policy text does not parse, in the parser's words; empty when it does. */
    public ReadOnlyStringProperty policyErrorProperty() {
        return policyError.getReadOnlyProperty();
    }

    /** What the preview says: "Would prune 3 of 40 snapshots.", "Previewing…", or why there is none. */
    public ReadOnlyStringProperty previewStatusProperty() {
        return previewStatus.getReadOnlyProperty();
    }

    /** The snapshots the next run would prune under the policy text, oldest first. */
    public ObservableList<RetentionPlan.Verdict> wouldPrune() {
        return wouldPrune;
    }

    public ReadOnlyStringProperty scheduleStatusProperty() {
        return scheduleStatus.getReadOnlyProperty();
    }

    public boolean scheduleAvailable() {
        return schedule.available();
    }

    public ReadOnlyBooleanProperty scheduleBusyProperty() {
        return scheduleBusy.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** The shown cluster as a task must capture it; null when none is shown. */
    public ClusterTarget target() {
        return shown;
    }

    private void validate(String text) {
        try {
            policy.set(SnapshotPolicy.parse(text));
            policyError.set("");
        } catch (IllegalArgumentException e) {
            policy.set(null);
            policyError.set(e.getMessage());
            // The axis shows no fate while no policy reads: the last one's would be a policy nobody typed.
            previewGeneration++;
            plan.set(null);
            wouldPrune.clear();
            previewStatus.set("No preview while the policy does not read.");
        }
    }

    private static ClusterTarget current(ClusterViewModel m) {
        return m.cluster() == null ? null : new ClusterTarget(m.shell(), m.sshUser(), m.cluster());
    }

    private static boolean same(ClusterTarget a, ClusterTarget b) {
        return a != null && b != null && a.shell() == b.shell() && a.cluster().id().equals(b.cluster().id());
    }

    private void checkCluster() {
        ClusterTarget now = current(cluster);
        if (same(now, shown) || now == null && shown == null) {
            shown = now;
            return;
        }
        shown = now;
        previewGeneration++;
        selected.set(null);
        plan.set(null);
        wouldPrune.clear();
        bisect.set(BisectMarks.NONE);
        bisectResult.set(null);
        bisectStatus.set("");
        bisectGeneration++;
        previewStatus.set("");
        title.set(now == null ? "" : "Timeline of " + now.cluster().id());
        refreshSchedule();
    }

    private void snapshotsChanged() {
        checkCluster();
        List<SnapshotRecord> sorted = new ArrayList<>(cluster.snapshots());
        sorted.sort(Comparator.comparing(SnapshotRecord::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        sorted.removeIf(s -> s.createdAt() == null);
        snapshots.setAll(sorted);
        SnapshotRecord sel = selected.get();
        if (sel != null) {
            // Re-read from the server: the same snapshot, perhaps pinned now, or gone.
            selected.set(sorted.stream().filter(s -> s.id().equals(sel.id())).findFirst().orElse(null));
        }
    }

    private void clonesChanged() {
        Map<String, List<CloneItem>> m = new HashMap<>();
        for (CloneItem c : cluster.clones()) {
            if (c.record().parent() != null) {
                m.computeIfAbsent(c.record().parent(), k -> new ArrayList<>()).add(c);
            }
        }
        clonesBySnapshot.set(Map.copyOf(m));
    }

    /** The snapshot {@code delta} places after the selected one (before, when negative); null past the ends. */
    public SnapshotRecord neighbour(SnapshotRecord from, int delta) {
        int i = from == null ? -1 : indexOf(from.id());
        if (i < 0) {
            return null;
        }
        int j = i + delta;
        return j < 0 || j >= snapshots.size() ? null : snapshots.get(j);
    }

    private int indexOf(String id) {
        for (int i = 0; i < snapshots.size(); i++) {
            if (snapshots.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Asks for a dry run of the policy text on a worker thread. Only the newest answer is shown, so a
     * slow preview of an old text never overwrites a newer one.
     */
    public void preview() {
        SnapshotPolicy p = policy.get();
        ClusterTarget t = shown;
        int generation = ++previewGeneration;
        if (p == null || t == null) {
            return;
        }
        if (previewer == null) {
            plan.set(null);
            wouldPrune.clear();
            previewStatus.set("No dry-run preview: " + ScheduleActions.NOT_AVAILABLE + " in this console.");
            return;
        }
        previewStatus.set("Previewing " + p + " …");
        PolicyPreviewer using = previewer;
        tasks.submit(BackgroundTask.of("Preview retention of " + t.cluster().id(), pr -> using.preview(t, p))
                .onSuccess(r -> {
                    if (generation != previewGeneration || !same(t, shown)) {
                        return;
                    }
                    planFor = p;
                    plan.set(r);
                    wouldPrune.setAll(r == null ? List.of() : r.pruned());
                    previewStatus.set(summary(r));
                }).onFailure(e -> {
                    if (generation != previewGeneration || !same(t, shown)) {
                        return;
                    }
                    plan.set(null);
                    wouldPrune.clear();
                    previewStatus.set("Preview failed: " + BackgroundTask.explain(e));
                }).cancel(TaskCancel.interrupts()));
    }

    /** The policy {@link #planProperty()} was computed for; null when there is no plan. */
    public SnapshotPolicy planPolicy() {
        return plan.get() == null ? null : planFor;
    }

    static String summary(RetentionPlan r) {
        if (r == null) {
            return "The preview returned nothing.";
        }
        int all = r.snapshots().size();
        int n = r.pruned().size();
        String floor = r.floor() != null && r.floor().below() ? " Free space is below the floor." : "";
        if (n == 0) {
            return "Would prune nothing: all " + all + " snapshots stay." + floor;
        }
        return "Would prune " + n + " of " + all + " snapshot" + (all == 1 ? "" : "s") + "." + floor;
    }

    /** The schedule's state from the server, in the editor's status line. */
    public void refreshSchedule() {
        ClusterTarget t = shown;
        if (!schedule.available()) {
            scheduleStatus.set("Schedule: " + ScheduleActions.NOT_AVAILABLE + " in this console. The policy can be"
                    + " checked and previewed here, not saved.");
            return;
        }
        if (t == null) {
            scheduleStatus.set("");
            return;
        }
        runSchedule("Read schedule of " + t.cluster().id(), t, () -> null, true);
    }

    /** Saves the policy text for the shown cluster; the caller has confirmed. */
    public void save() {
        SnapshotPolicy p = policy.get();
        ClusterTarget t = shown;
        if (p == null || t == null) {
            return;
        }
        ScheduleActions a = schedule;
        runSchedule("Save schedule policy of " + t.cluster().id(), t, () -> {
            a.save(t, p);
            return "Saved: " + p + ".";
        }, false);
    }

    public void enable() {
        ClusterTarget t = shown;
        ScheduleActions a = schedule;
        if (t != null) {
            runSchedule("Enable schedule of " + t.cluster().id(), t, () -> {
                a.enable(t);
                return "Enabled.";
            }, false);
        }
    }

    public void disable() {
        ClusterTarget t = shown;
        ScheduleActions a = schedule;
        if (t != null) {
            runSchedule("Disable schedule of " + t.cluster().id(), t, () -> {
                a.disable(t);
                return "Disabled.";
            }, false);
        }
    }

    private interface ScheduleStep {
        String call() throws Exception;
    }

    private record ScheduleOutcome(String done, ScheduleActions.Status status) {}

    private void runSchedule(String taskTitle, ClusterTarget t, ScheduleStep step, boolean reading) {
        if (!schedule.available()) {
            scheduleStatus.set("Schedule: " + ScheduleActions.NOT_AVAILABLE + " in this console.");
            return;
        }
        ScheduleActions a = schedule;
        scheduleBusy.set(true);
        tasks.submit(BackgroundTask.of(taskTitle, pr -> {
            String done = step.call();
            return new ScheduleOutcome(done, a.status(t));
        }).onSuccess(o -> {
            scheduleBusy.set(false);
            if (!same(t, shown)) {
                return;
            }
            ScheduleActions.Status s = o.status();
            if (o.done() == null && s.policy() != null) {
                // The saved policy is what the editor starts from for this cluster.
                policyText.set(s.policy().toString());
            }
            scheduleStatus.set((o.done() == null ? "" : o.done() + " ") + describe(s));
        }).onFailure(e -> {
            scheduleBusy.set(false);
            if (same(t, shown)) {
                scheduleStatus.set(taskTitle + " failed: " + BackgroundTask.explain(e));
            }
        }).cancel(reading ? TaskCancel.interrupts() : TaskCancel.refused(TaskCancel.RUNS_TO_ITS_END)));
    }

    static String describe(ScheduleActions.Status s) {
        String state = !s.installed() ? "Schedule not installed on the server."
                : s.enabled() ? "Schedule enabled." : "Schedule installed, disabled.";
        return state + (s.summary() == null || s.summary().isBlank() ? "" : " " + s.summary());
    }

    /** A time in the user's zone, to the second, with the zone's abbreviation. */
    public String formatTime(java.time.Instant t) {
        return t == null ? "" : secondFormat.format(t);
    }

    /** The details pane's lines for a snapshot: its sidecar, its clones, its fate and its verdict. */
    public List<Detail> details(SnapshotRecord s) {
        List<Detail> d = new ArrayList<>();
        d.add(new Detail("Snapshot", s.id()));
        d.add(new Detail("Taken", formatTime(s.createdAt())));
        d.add(new Detail("By", s.createdBy() == null ? "" : s.createdBy().display()));
        d.add(new Detail("Reason", reasonText(s)));
        d.add(new Detail("Label", Objects.toString(s.label(), "")));
        d.add(new Detail("Version", s.pgVersion() == null ? "" : "PostgreSQL " + s.pgVersion()));
        d.add(new Detail("WAL", Objects.toString(s.walLsn(), "")));
        d.add(new Detail("Timeline", s.timeline() == null ? "" : String.valueOf(s.timeline())));
        d.add(new Detail("Pinned", s.pinned() ? "yes: retention keeps it" : "no"));
        d.add(new Detail("Method", s.method() == null ? "" : s.method().label()));
        d.add(new Detail("Location", Objects.toString(s.location(), "")));
        List<CloneItem> cs = clonesBySnapshot.get().getOrDefault(s.id(), List.of());
        d.add(new Detail("Clones", cs.isEmpty() ? "none" : cs.stream()
                .map(c -> c.name() + (c.running() ? " (running)" : " (stopped)")).collect(Collectors.joining(", "))));
        RetentionPlan r = plan.get();
        if (r != null) {
            r.verdictOf(s.id()).ifPresent(v -> d.add(new Detail("Retention",
                    (v.kept() ? "kept: " : "would be pruned: ") + String.join(", ", v.why()))));
        }
        TimelineMark m = bisect.get().byId().get(s.id());
        if (m != null) {
            String role = s.id().equals(bisect.get().lastGoodId()) ? " (last good)"
                    : s.id().equals(bisect.get().firstBadId()) ? " (first bad)" : "";
            d.add(new Detail("Check", m.kind().name().toLowerCase() + role + (m.text().isEmpty() ? "" : ": " + m.text())));
        }
        return d;
    }

    /** "scheduled", "pre-upgrade", ... */
    public static String reasonText(SnapshotRecord s) {
        return s.reason() == null ? "unknown" : s.reason().name().toLowerCase().replace('_', '-');
    }

    /** The details as lines of "key: value", for the clipboard. */
    public static String asText(List<Detail> details) {
        return details.stream().map(x -> x.key() + ": " + x.value()).collect(Collectors.joining("\n"));
    }
}
