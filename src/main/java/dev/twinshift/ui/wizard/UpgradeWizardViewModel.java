package dev.twinshift.ui.wizard;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.LockedException;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.ui.tasks.TaskExecutor;
import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.Cutover;
import dev.twinshift.upgrade.CutoverReadiness;
import dev.twinshift.upgrade.CutoverRefusedException;
import dev.twinshift.upgrade.PgUpgradeCheckReport;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradeException;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.UpgradeState;
import dev.twinshift.upgrade.Upgrades;
import dev.twinshift.upgrade.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The upgrade of one cluster, page by page: plan, preflight on a clone, rehearsal on a twin, its
 * report, the cutover and its result, or an unfinished upgrade found in the server's journal. Every
 * engine call runs as a background task; the engine's step news arrive through the executor on the
 * thread that owns these properties. Closing the window detaches the log only: a running step goes on.
 */
public final class UpgradeWizardViewModel {

    public enum Page {
        UNFINISHED("Unfinished upgrade"),
        TARGET("Choose target"),
        PREFLIGHT("Preflight"),
        REHEARSAL("Rehearsal"),
        REPORT("Report"),
        CUTOVER("Cutover"),
        RESULT("Result");

        private final String title;

        Page(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    public enum StepState { PENDING, RUNNING, DONE, FAILED }

    /** One line of a step list. {@code millis} is negative until the step has ended. */
    public record StepRow(String step, String title, StepState state, long millis, String message) {
        public String duration() {
            return millis < 0 ? "" : String.format("%.1f s", millis / 1000.0);
        }
    }

    /** The administrator's SQL checks as typed, or what is wrong with them. */
    public record ParsedChecks(List<Validation.SqlCheck> checks, List<String> problems) { }

    /** Operations running in this console: a second window must not adopt their lock and run them twice. */
    private static final Map<String, Boolean> RUNNING_HERE = new ConcurrentHashMap<>();

    private final TaskExecutor tasks;
    private final RemoteShell shell;
    private final String sshUser;
    private final PgCluster cluster;
    private final LogBuffer log;
    private volatile boolean attached;

    private final ReadOnlyObjectWrapper<Page> page = new ReadOnlyObjectWrapper<>(Page.TARGET);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper busyText = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper canNext = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canBack = new ReadOnlyBooleanWrapper(false);

    private final ObservableList<String> versions = FXCollections.observableArrayList();
    private final StringProperty targetVersion = new SimpleStringProperty();
    private final StringProperty newName = new SimpleStringProperty("");
    private final ReadOnlyObjectWrapper<UpgradePlan> plan = new ReadOnlyObjectWrapper<>();
    private final ObservableList<String> refusals = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper planText = new ReadOnlyStringWrapper("");

    private final ReadOnlyObjectWrapper<Rehearsal.Result> preflight = new ReadOnlyObjectWrapper<>();
    private final ObservableList<PgUpgradeCheckReport.Finding> findings = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper preflightVerdict = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper blocked = new ReadOnlyBooleanWrapper(false);
    private final ObservableList<StepRow> preflightSteps = FXCollections.observableArrayList();

    private final StringProperty checksText = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper checksProblem = new ReadOnlyStringWrapper("");
    private final BooleanProperty keepClones = new SimpleBooleanProperty(false);
    private final ReadOnlyObjectWrapper<Rehearsal.Result> rehearsal = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper rehearsalVerdict = new ReadOnlyStringWrapper("");
    private final ObservableList<StepRow> rehearsalSteps = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper canRehearse = new ReadOnlyBooleanWrapper(false);

    private final ReadOnlyStringWrapper reportText = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper tablesSummary = new ReadOnlyStringWrapper("");
    private final ObservableList<Validation.TableComparison> tables = FXCollections.observableArrayList();
    private final ObservableList<Validation.SideBySide> comparisons = FXCollections.observableArrayList();

    private final ReadOnlyStringWrapper downtimeText = new ReadOnlyStringWrapper("");
    private final IntegerProperty graceSeconds = new SimpleIntegerProperty(10);
    private final StringProperty typedConfirmation = new SimpleStringProperty("");
    private final ReadOnlyBooleanWrapper canCutOver = new ReadOnlyBooleanWrapper(false);
    private final ObservableList<StepRow> cutoverSteps = FXCollections.observableArrayList();
    private boolean cutoverStarted;

    private final ReadOnlyObjectWrapper<UpgradeState> state = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper outcomeText = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper downtimeMeasured = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper snapshotText = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper canRollBack = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canResume = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper unfinishedText = new ReadOnlyStringWrapper("");
    private Catalog catalog;
    private boolean opened;
    private Runnable onEngineEnded = () -> { };

    public UpgradeWizardViewModel(TaskExecutor tasks, RemoteShell shell, String sshUser, PgCluster cluster, LogBuffer log) {
        this.tasks = tasks;
        this.shell = shell;
        this.sshUser = sshUser;
        this.cluster = cluster;
        this.log = log;
        targetVersion.addListener((o, a, b) -> {
            if (b != null && !b.equals(a) && page.get() == Page.TARGET) {
                plan();
            }
        });
        newName.addListener((o, a, b) -> inputsChanged());
        checksText.addListener((o, a, b) -> update());
        typedConfirmation.addListener((o, a, b) -> update());
        update();
    }

    // ---- state --------------------------------------------------------------------------------------

    public PgCluster cluster() {
        return cluster;
    }

    public String title() {
        return "Upgrade " + cluster.id();
    }

    public LogBuffer log() {
        return log;
    }

    public ReadOnlyObjectProperty<Page> pageProperty() {
        return page.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** What runs now, in words. */
    public ReadOnlyStringProperty busyTextProperty() {
        return busyText.getReadOnlyProperty();
    }

    /** The last error or outcome, with what to do about it. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canNextProperty() {
        return canNext.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canBackProperty() {
        return canBack.getReadOnlyProperty();
    }

    /** Installed majors newer than the cluster's. */
    public ObservableList<String> versions() {
        return versions;
    }

    public StringProperty targetVersionProperty() {
        return targetVersion;
    }

    public StringProperty newNameProperty() {
        return newName;
    }

    public ReadOnlyObjectProperty<UpgradePlan> planProperty() {
        return plan.getReadOnlyProperty();
    }

    /** Why there is no plan, one sentence each. */
    public ObservableList<String> refusals() {
        return refusals;
    }

    public ReadOnlyStringProperty planTextProperty() {
        return planText.getReadOnlyProperty();
    }

    public ObservableList<PgUpgradeCheckReport.Finding> findings() {
        return findings;
    }

    public ReadOnlyStringProperty preflightVerdictProperty() {
        return preflightVerdict.getReadOnlyProperty();
    }

    /** The preflight found something that stops the upgrade. */
    public ReadOnlyBooleanProperty blockedProperty() {
        return blocked.getReadOnlyProperty();
    }

    public ObservableList<StepRow> preflightSteps() {
        return preflightSteps;
    }

    /** SQL checks, one a line: {@code db: SELECT ...}. */
    public StringProperty checksTextProperty() {
        return checksText;
    }

    public ReadOnlyStringProperty checksProblemProperty() {
        return checksProblem.getReadOnlyProperty();
    }

    public BooleanProperty keepClonesProperty() {
        return keepClones;
    }

    public ReadOnlyStringProperty rehearsalVerdictProperty() {
        return rehearsalVerdict.getReadOnlyProperty();
    }

    public ObservableList<StepRow> rehearsalSteps() {
        return rehearsalSteps;
    }

    public ReadOnlyBooleanProperty canRehearseProperty() {
        return canRehearse.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty reportTextProperty() {
        return reportText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty tablesSummaryProperty() {
        return tablesSummary.getReadOnlyProperty();
    }

    public ObservableList<Validation.TableComparison> tables() {
        return tables;
    }

    /** The administrator's checks, then the workload's queries, each run on old and new. */
    public ObservableList<Validation.SideBySide> comparisons() {
        return comparisons;
    }

    public ReadOnlyStringProperty downtimeTextProperty() {
        return downtimeText.getReadOnlyProperty();
    }

    public IntegerProperty graceSecondsProperty() {
        return graceSeconds;
    }

    public StringProperty typedConfirmationProperty() {
        return typedConfirmation;
    }

    /** What must be typed before the cutover can start. */
    public String confirmationWord() {
        return cluster.id();
    }

    public ReadOnlyBooleanProperty canCutOverProperty() {
        return canCutOver.getReadOnlyProperty();
    }

    public ObservableList<StepRow> cutoverSteps() {
        return cutoverSteps;
    }

    public ReadOnlyStringProperty outcomeTextProperty() {
        return outcomeText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty downtimeMeasuredProperty() {
        return downtimeMeasured.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty snapshotTextProperty() {
        return snapshotText.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRollBackProperty() {
        return canRollBack.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canResumeProperty() {
        return canResume.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty unfinishedTextProperty() {
        return unfinishedText.getReadOnlyProperty();
    }

    /** What a rollback loses, for its confirmation. */
    public String rollbackWarning() {
        UpgradeState st = state.get();
        if (st == null || st.plan() == null) {
            return "";
        }
        UpgradePlan p = st.plan();
        String snap = st.data().get("snapshot");
        String back = p.oldId() + " comes back on port " + p.oldPort() + (snap == null ? " as it was before the upgrade"
                : " exactly as the pre-upgrade snapshot " + snap + " holds it") + ", and " + p.newId() + " is stopped and dropped.";
        if (st.handedOver()) {
            String since = st.data().get("servingAgainAt");
            return "Everything written to " + p.newId() + " since it took over" + (since == null ? "" : " (" + since + ")")
                    + " is lost. " + back;
        }
        return back + " Nothing written by clients is lost: " + p.newId() + " never took over.";
    }

    // ---- commands -----------------------------------------------------------------------------------

    /**
     * Reads the journal for an unfinished upgrade of this cluster, then the installed versions, then
     * plans; once only, so that a window reopened on a wizard still at work shows where it is.
     */
    public void open() {
        if (opened) {
            return;
        }
        opened = true;
        run("Read upgrades of " + cluster.id(), p -> {
            Catalog cat = ClusterVolume.resolve(shell, cluster).catalog();
            List<UpgradeState> unfinished = new Upgrades(shell).unfinished(cat, cluster.id());
            List<String> installed = new Upgrades(shell).installedVersions();
            return new Opening(cat, unfinished, installed);
        }, TaskCancel.interrupts(), o -> {
            catalog = o.catalog();
            opened(o.unfinished(), o.installed());
        });
    }

    private record Opening(Catalog catalog, List<UpgradeState> unfinished, List<String> installed) { }

    void opened(List<UpgradeState> unfinished, List<String> installed) {
        if (!unfinished.isEmpty()) {
            UpgradeState st = unfinished.get(0);
            state.set(st);
            plan.set(st.plan());
            boolean here = RUNNING_HERE.containsKey(st.operation());
            unfinishedText.set(st.describe() + (here ? ".\n\nIt is still running from this console (its window was"
                    + " closed); wait for it to end, then open the wizard again." : "."));
            showState(st);
            page.set(Page.UNFINISHED);
            update();
            return;
        }
        int major = UpgradePlanner.major(cluster.version());
        List<String> newer = installed.stream().filter(v -> UpgradePlanner.major(v) > major)
                .sorted(Comparator.comparingInt(UpgradePlanner::major)).toList();
        versions.setAll(newer);
        if (newer.isEmpty()) {
            refusals.setAll("No PostgreSQL newer than " + cluster.version() + " is installed on the server (found "
                    + String.join(", ", installed) + "): install the target first, for example apt-get install postgresql-"
                    + (major + 1) + ".");
            update();
            return;
        }
        targetVersion.set(newer.get(newer.size() - 1));
    }

    /** Plans the upgrade to the chosen version and name. */
    public void plan() {
        String v = targetVersion.get();
        if (v == null) {
            return;
        }
        String name = newName.get() == null || newName.get().isBlank() ? null : newName.get().strip();
        plan.set(null);
        refusals.clear();
        planText.set("");
        run("Plan the upgrade of " + cluster.id() + " to " + v, p -> new Upgrades(shell).plan(cluster, v, name),
                TaskCancel.interrupts(), this::planned);
    }

    void planned(UpgradePlanner.Result r) {
        plan.set(r.plan());
        refusals.setAll(r.refusals().stream().map(UpgradeWizardViewModel::sentence).toList());
        planText.set(r.ok() ? describe(r.plan()) : "");
        preflight.set(null);
        rehearsal.set(null);
        findings.clear();
        preflightVerdict.set("");
        update();
    }

    static String describe(UpgradePlan p) {
        StringBuilder b = new StringBuilder();
        b.append(p.oldId()).append(" (port ").append(p.oldPort()).append(") -> ").append(p.newId()).append(", which takes port ")
                .append(p.oldPort()).append("; ").append(p.oldId()).append(" is kept, stopped, with start set to manual.\n");
        b.append("Method: ").append(p.method().label()).append(".\n");
        b.append("New data directory: ").append(p.newDataDirectory()).append(" (port ").append(p.newTemporaryPort())
                .append(" until the cutover).\n");
        b.append("Space: about ").append(UpgradePlanner.human(p.headroomBytes())).append(" needed on ").append(p.catalogFilesystem())
                .append(", ").append(p.freeBytes() < 0 ? "free space unknown" : UpgradePlanner.human(p.freeBytes()) + " free").append(".\n");
        b.append("Carried over: encoding ").append(p.encoding()).append(", locale ").append(p.lcCollate())
                .append(p.dataChecksums() ? ", data checksums" : "").append(", postgresql.conf, pg_hba.conf, pg_ident.conf.");
        for (String n : p.notes()) {
            b.append("\nNote: ").append(sentence(n));
        }
        return b.toString();
    }

    public void next() {
        if (!canNext.get()) {
            return;
        }
        switch (page.get()) {
            case TARGET -> {
                page.set(Page.PREFLIGHT);
                if (preflight.get() == null) {
                    runPreflight();
                }
            }
            case PREFLIGHT -> page.set(Page.REHEARSAL);
            case REHEARSAL -> page.set(Page.REPORT);
            case REPORT -> page.set(Page.CUTOVER);
            default -> { }
        }
        update();
    }

    public void back() {
        if (!canBack.get()) {
            return;
        }
        switch (page.get()) {
            case PREFLIGHT -> page.set(Page.TARGET);
            case REHEARSAL -> page.set(Page.PREFLIGHT);
            case REPORT -> page.set(Page.REHEARSAL);
            case CUTOVER -> page.set(Page.REPORT);
            default -> { }
        }
        update();
    }

    /** pg_upgrade --check on a clone, with the checks Twinshift adds; the clones are removed after. */
    public void runPreflight() {
        UpgradePlan p = plan.get();
        if (p == null || busy.get()) {
            return;
        }
        findings.clear();
        preflightVerdict.set("");
        preflight.set(null);
        rows(preflightSteps, Rehearsal.PREFLIGHT_STEPS, Rehearsal.TITLES);
        CancelRequest cancel = new CancelRequest();
        run("Preflight of " + p.oldId() + " -> " + p.newVersion(), t -> new Rehearsal(shell, actor(),
                listener(preflightSteps, Rehearsal.TITLES, t), cancel).preflight(p), byRequest(cancel), this::preflighted);
    }

    void preflighted(Rehearsal.Result r) {
        preflight.set(r);
        findings.setAll(r.findings().stream()
                .sorted(Comparator.comparing((PgUpgradeCheckReport.Finding f) -> f.severity()).reversed()).toList());
        int blockers = r.blockers().size();
        if (r.compatible()) {
            preflightVerdict.set("No blocker: pg_upgrade --check passed on a clone of " + r.plan().oldId()
                    + ". Rehearse the upgrade next.");
        } else if (blockers > 0) {
            preflightVerdict.set((blockers == 1 ? "1 blocker stops" : blockers + " blockers stop") + " the upgrade: fix "
                    + (blockers == 1 ? "it" : "them") + " on " + r.plan().oldId() + " and run the preflight again.");
        } else {
            preflightVerdict.set("pg_upgrade --check did not say the clusters are compatible: read the log, fix and run"
                    + " the preflight again.");
        }
        for (StepRow row : List.copyOf(preflightSteps)) {
            stepTimed(preflightSteps, row.step(), r.stepMillis().get(row.step()));
        }
        update();
    }

    /** The upgrade on a twin: pg_upgrade on a clone, every table compared, the checks and a workload side by side. */
    public void rehearse() {
        UpgradePlan p = plan.get();
        ParsedChecks parsed = parseChecks(checksText.get());
        if (p == null || busy.get() || !parsed.problems().isEmpty()) {
            return;
        }
        rehearsal.set(null);
        rehearsalVerdict.set("");
        rows(rehearsalSteps, Rehearsal.STEPS, Rehearsal.TITLES);
        Rehearsal.Options options = new Rehearsal.Options(parsed.checks(), List.of(), 3, keepClones.get());
        CancelRequest cancel = new CancelRequest();
        run("Rehearsal of " + p.oldId() + " -> " + p.newVersion(), t -> new Rehearsal(shell, actor(),
                listener(rehearsalSteps, Rehearsal.TITLES, t), cancel).rehearse(p, options), byRequest(cancel),
                this::rehearsed);
    }

    void rehearsed(Rehearsal.Result r) {
        rehearsal.set(r);
        rehearsalVerdict.set(verdict(r));
        reportText.set(r.report() == null ? "" : r.report());
        tables.setAll(r.tables());
        long equal = r.tables().stream().filter(Validation.TableComparison::equal).count();
        tablesSummary.set(r.tables().isEmpty() ? "no table compared" : equal == r.tables().size()
                ? "Tables equal: all " + equal + " tables have the same rows on old and new"
                : (r.tables().size() - equal) + " of " + r.tables().size() + " tables differ");
        List<Validation.SideBySide> all = new ArrayList<>(r.checks());
        all.addAll(r.workload());
        comparisons.setAll(all);
        for (StepRow row : List.copyOf(rehearsalSteps)) {
            stepTimed(rehearsalSteps, row.step(), r.stepMillis().get(row.step()));
        }
        Long up = r.stepMillis().get(Rehearsal.UPGRADE);
        downtimeText.set(downtimeExplanation(r.plan(), up));
        update();
    }

    static String verdict(Rehearsal.Result r) {
        if (!r.compatible()) {
            return "Not ready: " + (r.blockers().size() == 1 ? "1 blocker" : r.blockers().size() + " blockers")
                    + "; fix and run the preflight again.";
        }
        if (r.passed()) {
            return "The upgrade works on the twin: every table equal, every check the same. Ready for the cutover.";
        }
        // The engine's rule, word for word: what the cutover itself will refuse, the wizard does not offer.
        return "Not ready for the cutover: " + String.join("; ", CutoverReadiness.problems(r))
                + ". Read the report, fix the cause (or the check) and rehearse again.";
    }

    static String downtimeExplanation(UpgradePlan p, Long upgradeMillis) {
        String up = upgradeMillis == null ? "unknown" : String.format("about %.1f s", upgradeMillis / 1000.0);
        return "The cutover creates and configures " + p.newId() + " beside " + p.oldId() + " while it still serves. Then "
                + p.oldId() + " stops (clients get the grace period to finish, then a fast shutdown), a pinned snapshot"
                + " is taken, pg_upgrade " + p.method().flag() + " runs on the live volume, " + p.newId() + " takes port "
                + p.oldPort() + " and starts. Expected downtime: " + up + ", the time pg_upgrade took on the twin, plus"
                + " the stop and the start.";
    }

    /** Runs the real upgrade. */
    public void cutOver() {
        UpgradePlan p = plan.get();
        if (!canCutOver.get() || p == null) {
            return;
        }
        cutoverStarted = true;
        rows(cutoverSteps, Cutover.STEPS, Cutover.TITLES);
        Cutover.Options options = new Cutover.Options(Duration.ofSeconds(Math.max(0, graceSeconds.get())), true);
        CancelRequest cancel = new CancelRequest();
        engine("Cutover of " + p.oldId() + " -> " + p.newId(), p.operation(), Page.CUTOVER, byRequest(cancel),
                l -> new Cutover(shell, actor(), l, options, cancel).run(p));
    }

    /** Continues the unfinished upgrade where its journal stopped. */
    public void resume() {
        UpgradeState st = state.get();
        if (st == null || busy.get() || !canResume.get()) {
            return;
        }
        cutoverStarted = true;
        rows(cutoverSteps, Cutover.STEPS, Cutover.TITLES);
        for (String s : Cutover.STEPS) {
            if (st.done(s)) {
                stepEnded(cutoverSteps, s, StepState.DONE, -1, "done before");
            }
        }
        page.set(Page.CUTOVER);
        CancelRequest cancel = new CancelRequest();
        engine("Resume " + st.operation(), st.operation(), Page.UNFINISHED, byRequest(cancel),
                l -> new Cutover(shell, actor(), l, null, cancel).resume(catalog(st), st.operation()));
    }

    /** Puts the old cluster back as the pre-upgrade snapshot holds it. */
    public void rollBack() {
        UpgradeState st = state.get();
        if (st == null || !canRollBack.get()) {
            return;
        }
        cutoverSteps.removeIf(r -> r.step().equals("rollback"));
        cutoverSteps.add(new StepRow("rollback", "Roll back to " + st.plan().oldId(), StepState.PENDING, -1, ""));
        engine("Roll back " + st.operation(), st.operation(), page.get(), TaskCancel.refused("A rollback runs to its end:"
                + " stopped half-way, " + st.plan().oldId() + " could stay down. Every rollback step can be run again."),
                l -> new Cutover(shell, actor(), l, null).rollback(catalog(st), st.operation()));
    }

    private interface EngineCall {
        UpgradeState call(UpgradeListener l) throws Exception;
    }

    private record Ending(UpgradeState state, String error, boolean refusedAtStart) { }

    /** A cutover, resume or rollback: whatever happens, the journal says where the upgrade stands. */
    private void engine(String title, String operation, Page origin, TaskCancel cancel, EngineCall call) {
        RUNNING_HERE.put(operation, true);
        run(title, t -> {
            try {
                return new Ending(call.call(listener(cutoverSteps, Cutover.TITLES, t)), null, false);
            } catch (LockedException e) {
                // Another operation holds the server: nothing was done, so it can be tried again.
                return new Ending(journaled(operation).orElse(null), e.getMessage() + ". Nothing was changed: try again once"
                        + " it has finished.", true);
            } catch (CutoverRefusedException e) {
                // Refused by the readiness rule before anything was journaled, or before the stop with the
                // new cluster dropped again: either way the old cluster kept serving.
                Optional<UpgradeState> st = journaled(operation);
                return new Ending(st.orElse(null), e.getMessage(), st.isEmpty());
            } catch (UpgradeException e) {
                return new Ending(journaled(operation).orElse(null), e.getMessage(), false);
            } catch (SshException e) {
                Optional<UpgradeState> st = Optional.empty();
                try {
                    st = journaled(operation);
                } catch (SshException again) {
                    // unreachable: the message says how to come back to it
                }
                return new Ending(st.orElse(null), e.explain() + "; the upgrade's journal on the server says where it"
                        + " stopped: open the wizard again once the server answers, to resume or roll back", false);
            } catch (Exception | Error e) {
                // Whatever ended the run, the page shows what the journal says, never a wizard busy for ever.
                boolean interrupted = Thread.interrupted();
                Optional<UpgradeState> st = Optional.empty();
                try {
                    st = journaled(operation);
                } catch (Exception again) {
                    e.addSuppressed(again);
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return new Ending(st.orElse(null), title + " stopped: " + e + "; the journal on the server says where it"
                        + " stands: resume it or roll it back", false);
            } finally {
                RUNNING_HERE.remove(operation);
            }
        }, cancel, e -> {
            message.set(e.error() == null ? "" : e.error());
            if (e.refusedAtStart()) {
                // Back where the administrator pressed the button, to try again.
                if (origin == Page.CUTOVER) {
                    cutoverStarted = false;
                    rows(cutoverSteps, Cutover.STEPS, Cutover.TITLES);
                }
                page.set(origin);
                update();
                return;
            }
            if (e.state() != null) {
                state.set(e.state());
                showState(e.state());
            }
            page.set(Page.RESULT);
            update();
            onEngineEnded.run();
        });
    }

    /**
     * Called on the FX thread when a cutover, resume or rollback has ended (not when it was refused
     * before it began): the server's clusters are then not what they were.
     */
    public void setOnEngineEnded(Runnable r) {
        onEngineEnded = r == null ? () -> { } : r;
    }

    private Optional<UpgradeState> journaled(String operation) throws SshException, InterruptedException {
        Catalog cat = catalog == null ? Cutover.catalogOf(shell, plan.get()) : catalog;
        return new Upgrades(shell).journaled(cat).stream().filter(s -> s.operation().equals(operation)).findFirst();
    }

    private Catalog catalog(UpgradeState st) {
        return catalog != null ? catalog : Cutover.catalogOf(shell, st.plan());
    }

    void showState(UpgradeState st) {
        UpgradePlan p = st.plan();
        String outcome = st.outcome();
        if (UpgradeState.COMPLETED.equals(outcome)) {
            outcomeText.set("Upgraded: " + st.lastMessage() + ".");
        } else if (UpgradeState.ROLLED_BACK.equals(outcome)) {
            String failed = st.steps().entrySet().stream().filter(e -> UpgradeState.FAILED.equals(e.getValue())
                    && !e.getKey().equals("rollback")).map(Map.Entry::getKey).findFirst().orElse(null);
            String cancelledBy = st.data().get("cancelledBy");
            outcomeText.set((cancelledBy != null ? "Cancelled by " + cancelledBy + " before " + st.data().get("cancelledBefore")
                    + ", and rolled back" : failed == null ? "Rolled back"
                    : "The step " + failed + " failed and the upgrade was rolled back") + ": " + st.lastMessage() + ".");
        } else if (UpgradeState.ABANDONED.equals(outcome)) {
            String cancelledBy = st.data().get("cancelledBy");
            outcomeText.set((cancelledBy != null ? "Cancelled by " + cancelledBy + " before anything changed: "
                    : "Refused before the stop: ") + st.lastMessage() + ". " + p.oldId() + " kept serving.");
        } else if (UpgradeState.ROLLBACK_FAILED.equals(outcome)) {
            outcomeText.set("The rollback failed: " + st.lastMessage() + ". Fix what it names, then roll back again.");
        } else {
            outcomeText.set("Unfinished: " + st.describe() + ". Resume it or roll it back.");
        }
        String ms = st.data().get("downtimeMillis");
        String by = st.data().get("downtimeMeasuredBy");
        downtimeMeasured.set(ms == null ? "" : String.format("Measured downtime: %.1f s (%s).", Long.parseLong(ms) / 1000.0,
                by != null ? "what clients saw, measured by " + by
                : "from the stop of " + (p == null ? "the old cluster" : p.oldId()) + " to the first answer of "
                + (p == null ? "the new one" : p.newId())));
        String snap = st.data().get("snapshot");
        snapshotText.set(snap == null ? "" : "Pre-upgrade snapshot " + snap + ", pinned: retention keeps it, and a rollback"
                + " restores it.");
    }

    /** Its window is gone; the engine's work goes on, and its log is kept for a window opened later. */
    public void detach() {
        attached = false;
    }

    public void attach() {
        attached = true;
    }

    /** Shown in a window now, or still at work after its window was closed. */
    public boolean inUse() {
        return attached || busy.get();
    }

    // ---- the SQL checks ------------------------------------------------------------------------------

    /** One check a line, {@code db: SELECT ...}; blank lines and lines starting with # or -- are skipped. */
    public static ParsedChecks parseChecks(String text) {
        List<Validation.SqlCheck> checks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (text == null) {
            return new ParsedChecks(checks, problems);
        }
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("--")) {
                continue;
            }
            Optional<Validation.SqlCheck> c = Validation.SqlCheck.parse(l);
            if (c.isEmpty()) {
                problems.add("line " + (i + 1) + " is not \"database: SELECT ...\"");
                continue;
            }
            checks.add(c.get());
        }
        return new ParsedChecks(checks, problems);
    }

    // ---- rules of the pages --------------------------------------------------------------------------

    private void inputsChanged() {
        if (plan.get() != null && page.get() == Page.TARGET) {
            plan.set(null);
            planText.set("");
            refusals.clear();
            message.set("The name changed: press Plan to plan again.");
        }
        update();
    }

    /** Recomputes what may be done now from the state; the only place the pages' rules live. */
    private void update() {
        boolean idle = !busy.get();
        Rehearsal.Result pf = preflight.get();
        Rehearsal.Result rh = rehearsal.get();
        ParsedChecks parsed = parseChecks(checksText.get());
        checksProblem.set(String.join("; ", parsed.problems()));
        blocked.set(pf != null && !pf.compatible());
        // One rule with the engine (CutoverReadiness): differing SQL checks are not a pass here either.
        boolean rehearsed = rh != null && rh.passed() && rh.reportPath() != null && rh.stepMillis().containsKey(Rehearsal.REPORT);
        canRehearse.set(idle && plan.get() != null && pf != null && pf.compatible() && parsed.problems().isEmpty()
                && !cutoverStarted);
        canNext.set(idle && switch (page.get()) {
            case TARGET -> plan.get() != null;
            case PREFLIGHT -> pf != null && pf.compatible();
            case REHEARSAL -> rh != null;
            case REPORT -> rehearsed;
            default -> false;
        });
        canBack.set(idle && !cutoverStarted && switch (page.get()) {
            case PREFLIGHT, REHEARSAL, REPORT, CUTOVER -> true;
            default -> false;
        });
        canCutOver.set(idle && !cutoverStarted && rehearsed && page.get() == Page.CUTOVER
                && confirmationWord().equals(typedConfirmation.get()));
        UpgradeState st = state.get();
        canRollBack.set(idle && st != null && st.plan() != null && !UpgradeState.ROLLED_BACK.equals(st.outcome())
                && !RUNNING_HERE.containsKey(st.operation()));
        if (page.get() == Page.UNFINISHED) {
            canResume.set(idle && st != null && st.unfinished() && !RUNNING_HERE.containsKey(st.operation()));
        }
    }

    // ---- the engine's news ---------------------------------------------------------------------------

    private static void rows(ObservableList<StepRow> rows, List<String> steps, Map<String, String> titles) {
        rows.setAll(steps.stream().map(s -> new StepRow(s, titles.get(s), StepState.PENDING, -1, "")).toList());
    }

    private UpgradeListener listener(ObservableList<StepRow> rows, Map<String, String> titles, BackgroundTask.Progress p) {
        Map<String, Long> started = new ConcurrentHashMap<>();
        return new UpgradeListener() {
            private volatile String current = "";

            @Override
            public void step(String step, String st, String msg) {
                p.log(step + ": " + st.toLowerCase() + (msg == null ? "" : " - " + msg));
                // Kept while the window is closed too (the buffer bounds it): reopened, it shows no gap.
                log.append(step, st.toLowerCase() + (msg == null ? "" : ": " + msg));
                if ("outcome".equals(step)) {
                    return;
                }
                current = step;
                long now = System.nanoTime();
                switch (st) {
                    case UpgradeState.STARTED -> {
                        started.put(step, now);
                        tasks.deliver(() -> stepEnded(rows, step, StepState.RUNNING, -1, msg == null ? titles.getOrDefault(step, step) : msg));
                    }
                    case UpgradeState.DONE, UpgradeState.FAILED -> {
                        Long t0 = started.get(step);
                        long ms = t0 == null ? -1 : (now - t0) / 1_000_000;
                        StepState s = UpgradeState.DONE.equals(st) ? StepState.DONE : StepState.FAILED;
                        tasks.deliver(() -> stepEnded(rows, step, s, ms, msg == null ? "" : msg));
                    }
                    default -> { }
                }
            }

            @Override
            public void log(String line) {
                log.append(current, line);
            }
        };
    }

    private static void stepEnded(ObservableList<StepRow> rows, String step, StepState s, long ms, String msg) {
        for (int i = 0; i < rows.size(); i++) {
            StepRow r = rows.get(i);
            if (r.step().equals(step)) {
                rows.set(i, new StepRow(step, r.title(), s, ms >= 0 ? ms : r.millis(), msg == null || msg.isEmpty() ? r.message() : msg));
                return;
            }
        }
        rows.add(new StepRow(step, step, s, ms, msg == null ? "" : msg));
    }

    private static void stepTimed(ObservableList<StepRow> rows, String step, Long ms) {
        if (ms == null) {
            return;
        }
        for (int i = 0; i < rows.size(); i++) {
            StepRow r = rows.get(i);
            if (r.step().equals(step)) {
                rows.set(i, new StepRow(step, r.title(), r.state(), ms, r.message()));
            }
        }
    }

    // ---- tasks ---------------------------------------------------------------------------------------

    private interface Work<V> {
        V call(BackgroundTask.Progress p) throws Exception;
    }

    /** Cancel goes to the engine, which acts at its next step boundary; the journal names who asked. */
    private TaskCancel byRequest(CancelRequest cancel) {
        return TaskCancel.byRequest(cancel, actor().display());
    }

    private <V> void run(String title, Work<V> work, TaskCancel cancel, java.util.function.Consumer<V> done) {
        if (shell == null) {
            return;
        }
        busy.set(true);
        busyText.set(title + " ...");
        message.set("");
        update();
        tasks.submit(BackgroundTask.of(title, p -> {
            p.log(title);
            return work.call(p);
        }).onSuccess(v -> {
            busy.set(false);
            busyText.set("");
            done.accept(v);
            update();
        }).onFailure(t -> {
            busy.set(false);
            busyText.set("");
            message.set(title + " failed: " + BackgroundTask.explain(t));
            update();
        }).onCancelled(() -> {
            // Only work that changes nothing can be cancelled this way: there is nothing to undo.
            busy.set(false);
            busyText.set("");
            message.set(title + " was cancelled; nothing was changed.");
            update();
        }).cancel(cancel));
    }

    private Actor actor() {
        return Actor.local(sshUser);
    }

    static String sentence(String s) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        String t = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        return t.endsWith(".") ? t : t + ".";
    }
}
