package dev.twinshift.ui.wizard;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.ui.tasks.TaskExecutor;
import dev.twinshift.upgrade.PgUpgradeCheckReport;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.UpgradeState;
import dev.twinshift.upgrade.Validation;
import java.util.List;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ObservableList;

/**
 * The upgrade of one cluster, page by page: plan, preflight on a clone, rehearsal on a twin, its
 * report, the cutover and its result, or an unfinished upgrade found in the server's journal. Each
 * page has its own small model; this coordinator owns the navigation and the one place where what may
 * be pressed is recomputed. Every engine call runs as a background task through {@link UpgradeEngine};
 * closing the window detaches the log only: a running step goes on.
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

    private final UpgradeEngine engine;
    private final WizardWork work;
    private final TargetModel target;
    private final PreflightModel preflight;
    private final RehearsalModel rehearsal;
    private final CutoverModel cutover;
    private final UnfinishedModel unfinished = new UnfinishedModel();
    private volatile boolean attached;
    private boolean opened;

    private final ReadOnlyObjectWrapper<Page> page = new ReadOnlyObjectWrapper<>(Page.TARGET);
    private final ReadOnlyBooleanWrapper canNext = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canBack = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canRehearse = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canCutOver = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canRollBack = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canResume = new ReadOnlyBooleanWrapper(false);

    public UpgradeWizardViewModel(TaskExecutor tasks, UpgradeEngine engine, LogBuffer log) {
        this.engine = engine;
        this.work = new WizardWork(tasks, engine, log);
        this.preflight = new PreflightModel(work);
        this.rehearsal = new RehearsalModel(work);
        // A new plan: what was preflighted or rehearsed for another one no longer counts.
        this.target = new TargetModel(work, p -> {
            preflight.clear();
            rehearsal.clear();
        });
        this.cutover = new CutoverModel(work, p -> page.set(p));
        work.onChanged(this::update);
        page.addListener((o, a, b) -> update());
        target.targetVersion.addListener((o, a, b) -> {
            if (b != null && !b.equals(a) && page.get() == Page.TARGET) {
                plan();
            }
        });
        target.newName.addListener((o, a, b) -> {
            if (page.get() == Page.TARGET) {
                target.inputsChanged();
            }
            update();
        });
        rehearsal.result.addListener((o, a, b) -> cutover.rehearsed(target.plan.get(), b));
        update();
    }

    // ---- state --------------------------------------------------------------------------------------

    public PgCluster cluster() {
        return engine.cluster();
    }

    /** The window's title and header: which cluster, on which server. */
    public String title() {
        return WizardText.title(engine.cluster().id(), engine.serverName());
    }

    public LogBuffer log() {
        return work.log();
    }

    public ReadOnlyObjectProperty<Page> pageProperty() {
        return page.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return work.busy.getReadOnlyProperty();
    }

    /** What runs now, in words. */
    public ReadOnlyStringProperty busyTextProperty() {
        return work.busyText.getReadOnlyProperty();
    }

    /** The last error or outcome, with what to do about it. */
    public ReadOnlyStringProperty messageProperty() {
        return work.message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canNextProperty() {
        return canNext.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canBackProperty() {
        return canBack.getReadOnlyProperty();
    }

    /** Installed majors newer than the cluster's. */
    public ObservableList<String> versions() {
        return target.versions;
    }

    public StringProperty targetVersionProperty() {
        return target.targetVersion;
    }

    public StringProperty newNameProperty() {
        return target.newName;
    }

    public ReadOnlyObjectProperty<UpgradePlan> planProperty() {
        return target.plan.getReadOnlyProperty();
    }

    /** Why there is no plan, one sentence each. */
    public ObservableList<String> refusals() {
        return target.refusals;
    }

    public ReadOnlyStringProperty planTextProperty() {
        return target.planText.getReadOnlyProperty();
    }

    public ObservableList<PgUpgradeCheckReport.Finding> findings() {
        return preflight.findings;
    }

    public ReadOnlyStringProperty preflightVerdictProperty() {
        return preflight.verdict.getReadOnlyProperty();
    }

    /** The preflight found something that stops the upgrade. */
    public ReadOnlyBooleanProperty blockedProperty() {
        return preflight.blocked.getReadOnlyProperty();
    }

    public ObservableList<StepRow> preflightSteps() {
        return preflight.steps.rows();
    }

    /** SQL checks, one a line: {@code db: SELECT ...}. */
    public StringProperty checksTextProperty() {
        return rehearsal.checksText;
    }

    public ReadOnlyStringProperty checksProblemProperty() {
        return rehearsal.checksProblem.getReadOnlyProperty();
    }

    public BooleanProperty keepClonesProperty() {
        return rehearsal.keepClones;
    }

    public ReadOnlyStringProperty rehearsalVerdictProperty() {
        return rehearsal.verdict.getReadOnlyProperty();
    }

    public ObservableList<StepRow> rehearsalSteps() {
        return rehearsal.steps.rows();
    }

    public ReadOnlyBooleanProperty canRehearseProperty() {
        return canRehearse.getReadOnlyProperty();
    }

    /** The rehearsal's report, in Markdown as saved on the server. */
    public ReadOnlyStringProperty reportTextProperty() {
        return rehearsal.reportText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty tablesSummaryProperty() {
        return rehearsal.tablesSummary.getReadOnlyProperty();
    }

    public ObservableList<Validation.TableComparison> tables() {
        return rehearsal.tables;
    }

    /** The administrator's checks, then the workload's queries, each run on old and new. */
    public ObservableList<Validation.SideBySide> comparisons() {
        return rehearsal.comparisons;
    }

    public ReadOnlyStringProperty downtimeTextProperty() {
        return cutover.downtimeText.getReadOnlyProperty();
    }

    public IntegerProperty graceSecondsProperty() {
        return cutover.graceSeconds;
    }

    public StringProperty typedConfirmationProperty() {
        return cutover.typedConfirmation;
    }

    /** What must be typed before the cutover can start. */
    public String confirmationWord() {
        return cutover.confirmationWord();
    }

    public String confirmPrompt() {
        return WizardText.confirmPrompt(confirmationWord());
    }

    public ReadOnlyBooleanProperty canCutOverProperty() {
        return canCutOver.getReadOnlyProperty();
    }

    public ObservableList<StepRow> cutoverSteps() {
        return cutover.steps.rows();
    }

    public ReadOnlyStringProperty outcomeTextProperty() {
        return cutover.outcomeText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty downtimeMeasuredProperty() {
        return cutover.downtimeMeasured.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty snapshotTextProperty() {
        return cutover.snapshotText.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRollBackProperty() {
        return canRollBack.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canResumeProperty() {
        return canResume.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty unfinishedTextProperty() {
        return unfinished.text.getReadOnlyProperty();
    }

    /** What a rollback loses, for its confirmation. */
    public String rollbackWarning() {
        return WizardText.rollbackWarning(cutover.state.get());
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
        work.run(WizardText.readUpgrades(engine.cluster().id()), p -> engine.open(), TaskCancel.interrupts(),
                o -> opened(o.unfinished(), o.installed()));
    }

    void opened(List<UpgradeState> journaled, List<String> installed) {
        if (!journaled.isEmpty()) {
            UpgradeState st = journaled.get(0);
            target.adopt(st.plan());
            unfinished.found(st);
            cutover.showState(st);
            page.set(Page.UNFINISHED);
            return;
        }
        target.installed(installed);
        update();
    }

    /** Plans the upgrade to the chosen version and name. */
    public void plan() {
        target.plan();
    }

    void planned(UpgradePlanner.Result r) {
        target.planned(r);
        update();
    }

    public void next() {
        if (!canNext.get()) {
            return;
        }
        switch (page.get()) {
            case TARGET -> {
                page.set(Page.PREFLIGHT);
                if (preflight.result.get() == null) {
                    runPreflight();
                }
            }
            case PREFLIGHT -> page.set(Page.REHEARSAL);
            case REHEARSAL -> page.set(Page.REPORT);
            case REPORT -> page.set(Page.CUTOVER);
            default -> { }
        }
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
    }

    /** pg_upgrade --check on a clone, with the checks Twinshift adds; the clones are removed after. */
    public void runPreflight() {
        UpgradePlan p = target.plan.get();
        if (p == null || work.busy.get()) {
            return;
        }
        preflight.run(p);
    }

    void preflighted(Rehearsal.Result r) {
        preflight.preflighted(r);
        update();
    }

    /** The upgrade on a twin: pg_upgrade on a clone, every table compared, the checks and a workload side by side. */
    public void rehearse() {
        if (!canRehearse.get()) {
            return;
        }
        rehearsal.rehearse(target.plan.get());
    }

    void rehearsed(Rehearsal.Result r) {
        rehearsal.rehearsed(r);
        update();
    }

    /** Writes the report as a standalone HTML page, off the FX thread. */
    public void exportReport(java.nio.file.Path file) {
        String markdown = rehearsal.reportText.get();
        if (markdown == null || markdown.isEmpty() || work.busy.get()) {
            return;
        }
        String title = title() + ": rehearsal report";
        work.run(WizardText.exporting(file), p -> {
            java.nio.file.Files.writeString(file, ReportDocument.html(title, markdown));
            return file;
        }, TaskCancel.interrupts(), f -> work.say(WizardText.exported(f)));
    }

    /** Runs the real upgrade. */
    public void cutOver() {
        UpgradePlan p = target.plan.get();
        if (!canCutOver.get() || p == null) {
            return;
        }
        cutover.cutOver(p);
    }

    /** Continues the unfinished upgrade where its journal stopped. */
    public void resume() {
        UpgradeState st = cutover.state.get();
        if (!canResume.get()) {
            return;
        }
        page.set(Page.CUTOVER);
        cutover.resume(st);
    }

    /** Puts the old cluster back as the pre-upgrade snapshot holds it. */
    public void rollBack() {
        if (!canRollBack.get()) {
            return;
        }
        cutover.rollBack(cutover.state.get(), page.get());
    }

    /**
     * Called on the FX thread when a cutover, resume or rollback has ended (not when it was refused
     * before it began): the server's clusters are then not what they were.
     */
    public void setOnEngineEnded(Runnable r) {
        cutover.setOnEngineEnded(r);
    }

    void showState(UpgradeState st) {
        cutover.showState(st);
        update();
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
        return attached || work.busy.get();
    }

    // ---- rules of the pages --------------------------------------------------------------------------

    /** Recomputes what may be done now from the pages' state; the only place the pages' rules live. */
    private void update() {
        boolean idle = !work.busy.get();
        boolean planned = target.plan.get() != null;
        boolean rehearsed = rehearsal.ready();
        canRehearse.set(idle && planned && preflight.passed() && rehearsal.checksOk() && !cutover.started);
        canNext.set(idle && switch (page.get()) {
            case TARGET -> planned;
            case PREFLIGHT -> preflight.passed();
            case REHEARSAL -> rehearsal.result.get() != null;
            case REPORT -> rehearsed;
            default -> false;
        });
        canBack.set(idle && !cutover.started && switch (page.get()) {
            case PREFLIGHT, REHEARSAL, REPORT, CUTOVER -> true;
            default -> false;
        });
        canCutOver.set(idle && !cutover.started && rehearsed && page.get() == Page.CUTOVER && cutover.confirmed());
        canRollBack.set(idle && cutover.canRollBack());
        canResume.set(idle && page.get() == Page.UNFINISHED && unfinished.canResume(cutover.state.get()));
    }
}
