package dev.twinshift.ui.bluegreen;

import dev.twinshift.upgrade.BlueGreen;
import dev.twinshift.upgrade.BlueGreenPreflight;
import dev.twinshift.upgrade.BlueGreenStatus;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradeState;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.ui.tasks.TaskExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The blue/green upgrade of one cluster as its window shows it: the pooler and the preflight, the
 * preparation's steps, then the catch-up with its lag and guardrails, the switchover, and after it
 * the way back and the finish. Which button may be pressed when is decided here, from what the
 * engine reports; the engine's own rules (the guardrails) are read, never re-decided.
 */
public final class BlueGreenViewModel {
    public enum Page { SETUP, PREPARE, FOLLOW, DONE }

    public enum StepState { PENDING, RUNNING, DONE, FAILED }

    /** One preparation step as the list shows it. */
    public record StepRow(String step, String title, StepState state, String message) {
    }

    /** One reading of a database's lag, for the chart: seconds since the window began to watch. */
    public record LagSample(double seconds, String database, long bytes) {
    }

    /** Samples kept for the chart: ten minutes at one every two seconds. */
    static final int MAX_SAMPLES = 300;

    private final TaskExecutor tasks;
    private final BlueGreenService service;
    private final LogBuffer log;
    private final long started = System.nanoTime();

    private final ReadOnlyObjectWrapper<Page> page = new ReadOnlyObjectWrapper<>(Page.SETUP);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final StringProperty poolerPort = new SimpleStringProperty("6432");
    private final StringProperty poolerSocket = new SimpleStringProperty("/var/run/postgresql");
    private final StringProperty poolerUser = new SimpleStringProperty("postgres");
    private final StringProperty poolerIni = new SimpleStringProperty("/etc/pgbouncer/pgbouncer.ini");
    private final ReadOnlyStringWrapper poolerProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper planText = new ReadOnlyStringWrapper("");
    private final ObservableList<BlueGreenPreflight.Finding> findings = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper verdict = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper canPreflight = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canPrepare = new ReadOnlyBooleanWrapper(false);
    private final ObservableList<StepRow> steps = FXCollections.observableArrayList();
    private final ObservableList<BlueGreenStatus.Guardrail> guardrails = FXCollections.observableArrayList();
    private final ObservableList<LagSample> lag = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper serving = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper statusText = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper canSwitchOver = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canRollBack = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canFinish = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canAbandon = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper lastSwitch = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper outcome = new ReadOnlyStringWrapper("");

    private UpgradePlan plan;
    private BlueGreenPreflight.Result preflight;
    private String operation;
    private BlueGreenStatus status;
    private boolean reading;

    public BlueGreenViewModel(TaskExecutor tasks, BlueGreenService service, LogBuffer log) {
        this.tasks = tasks;
        this.service = service;
        this.log = log;
        poolerPort.addListener((o, a, b) -> inputsChanged());
        poolerSocket.addListener((o, a, b) -> inputsChanged());
        poolerUser.addListener((o, a, b) -> inputsChanged());
        poolerIni.addListener((o, a, b) -> inputsChanged());
        update();
    }

    // ---- what the view binds to ---------------------------------------------------------------------

    public String title() {
        return "Blue/green upgrade of " + service.clusterId();
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

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public StringProperty poolerPortProperty() {
        return poolerPort;
    }

    public StringProperty poolerSocketProperty() {
        return poolerSocket;
    }

    public StringProperty poolerUserProperty() {
        return poolerUser;
    }

    public StringProperty poolerIniProperty() {
        return poolerIni;
    }

    public ReadOnlyStringProperty poolerProblemProperty() {
        return poolerProblem.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty planTextProperty() {
        return planText.getReadOnlyProperty();
    }

    public ObservableList<BlueGreenPreflight.Finding> findings() {
        return findings;
    }

    public ReadOnlyStringProperty verdictProperty() {
        return verdict.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canPreflightProperty() {
        return canPreflight.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canPrepareProperty() {
        return canPrepare.getReadOnlyProperty();
    }

    public ObservableList<StepRow> steps() {
        return steps;
    }

    public ObservableList<BlueGreenStatus.Guardrail> guardrails() {
        return guardrails;
    }

    public ObservableList<LagSample> lag() {
        return lag;
    }

    /** "blue" or "green" once an operation is under way. */
    public ReadOnlyStringProperty servingProperty() {
        return serving.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusTextProperty() {
        return statusText.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canSwitchOverProperty() {
        return canSwitchOver.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRollBackProperty() {
        return canRollBack.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canFinishProperty() {
        return canFinish.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canAbandonProperty() {
        return canAbandon.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty lastSwitchProperty() {
        return lastSwitch.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty outcomeProperty() {
        return outcome.getReadOnlyProperty();
    }

    public Optional<UpgradePlan> plan() {
        return Optional.ofNullable(plan);
    }

    // ---- the words of the confirmations, in one place -------------------------------------------------

    public String switchOverConfirmation() {
        return "Clients are paused in PgBouncer for at most " + BlueGreen.Options.defaults().deadline().toSeconds()
                + " s while " + newId() + " applies the last commits; then PgBouncer sends them to " + newId() + " ("
                + "PostgreSQL " + (plan == null ? "?" : plan.newVersion()) + "). " + oldId() + " keeps following it, so"
                + " Roll back returns every write made there. Past the deadline nothing changes for clients.";
    }

    public String rollBackConfirmation() {
        return "Clients are paused in PgBouncer for at most " + BlueGreen.Options.defaults().deadline().toSeconds()
                + " s and sent back to " + oldId() + ", which holds every write made on " + newId() + " since the"
                + " switchover. " + newId() + " then follows " + oldId() + " again.";
    }

    public String finishConfirmation() {
        return "The way back is dropped: " + oldId() + " stops following " + newId() + ", is snapshotted (pinned),"
                + " stopped and set to manual start. After this, going back to " + oldId() + " means restoring that"
                + " snapshot and losing the writes made on " + newId() + " since.";
    }

    public String abandonConfirmation() {
        return newId() + " is dropped with every slot, publication and marker made for it; " + oldId()
                + " keeps serving as before.";
    }

    public String oldId() {
        return plan == null ? service.clusterId() : plan.oldId();
    }

    public String newId() {
        return plan == null ? "the new cluster" : plan.newId();
    }

    // ---- commands -----------------------------------------------------------------------------------

    /** Reads whether an operation is under way (then shows it) or plans a new one. */
    public void open() {
        run("Blue/green upgrade of " + service.clusterId() + ": reading its state", p -> {
            Optional<String> op = service.current();
            UpgradePlan pl = op.isPresent() ? null : service.plan();
            BlueGreenStatus st = op.isPresent() ? service.status(op.get()) : null;
            return new Opened(op.orElse(null), pl, st);
        }, o -> {
            if (o.operation() != null) {
                operation = o.operation();
                plan = o.status().state().plan();
                apply(o.status());
                page.set(Page.FOLLOW);
            } else {
                plan = o.plan();
            }
            planText.set(plan == null ? "" : plan.oldId() + " (PostgreSQL " + plan.oldVersion() + ") -> " + plan.newId()
                    + " (PostgreSQL " + plan.newVersion() + ") on port " + plan.newTemporaryPort() + " beside it");
        });
    }

    private record Opened(String operation, UpgradePlan plan, BlueGreenStatus status) {
    }

    public void runPreflight() {
        BlueGreen.Pooler pooler = pooler();
        if (pooler == null || plan == null) {
            return;
        }
        UpgradePlan pl = plan;
        run("Blue/green preflight of " + pl.oldId(), p -> service.preflight(pl, pooler), r -> {
            preflight = r;
            findings.setAll(r.findings());
            verdict.set(r.passed() ? "No blocker: prepare green. " + oldId() + " keeps serving while it is made."
                    : r.blockers().size() + " blocker(s): fix them and run the preflight again, or use the snapshot"
                    + " cutover (Upgrade…).");
        });
    }

    public void prepare() {
        BlueGreen.Pooler pooler = pooler();
        if (pooler == null || preflight == null || !preflight.passed()) {
            return;
        }
        UpgradePlan pl = plan;
        BlueGreenPreflight.Result pre = preflight;
        steps.clear();
        for (String s : BlueGreen.PREPARE_STEPS) {
            steps.add(new StepRow(s, BlueGreen.TITLES.get(s), StepState.PENDING, ""));
        }
        page.set(Page.PREPARE);
        run("Blue/green: preparing " + pl.newId() + " beside " + pl.oldId(),
                p -> service.prepare(pl, pooler, pre, listener(p)), op -> {
                    operation = op;
                    page.set(Page.FOLLOW);
                    refreshStatus();
                });
    }

    /** Reads lag and guardrails again; the view calls it every few seconds while it follows. */
    public void refreshStatus() {
        if (operation == null || reading || page.get() != Page.FOLLOW) {
            return;
        }
        String op = operation;
        reading = true;
        tasks.submit(BackgroundTask.of("Blue/green status of " + service.clusterId(), p -> service.status(op))
                .onSuccess(st -> {
                    reading = false;
                    apply(st);
                })
                .onFailure(e -> {
                    reading = false;
                    statusText.set("Could not read the state: " + BackgroundTask.explain(e));
                })
                .onCancelled(() -> reading = false)
                .cancel(TaskCancel.interrupts()));
    }

    public void switchOver() {
        switchTo(true);
    }

    public void rollBack() {
        switchTo(false);
    }

    private void switchTo(boolean toGreen) {
        if (!(toGreen ? canSwitchOver.get() : canRollBack.get())) {
            return;
        }
        String op = operation;
        run((toGreen ? "Switchover to " + newId() : "Rollback to " + oldId()) + " through PgBouncer",
                p -> {
                    BlueGreen.SwitchResult r = service.switchTo(op, toGreen, listener(p));
                    return new Switched(r, service.status(op));
                }, s -> {
                    BlueGreen.SwitchResult r = s.result();
                    String to = toGreen ? newId() : oldId();
                    lastSwitch.set(r.switched() ? to + " serves; clients were paused " + r.pauseMillis() + " ms."
                            : "Clients stay where they were, nothing changed for them: " + r.reason());
                    apply(s.status());
                });
    }

    private record Switched(BlueGreen.SwitchResult result, BlueGreenStatus status) {
    }

    public void finish() {
        end("Finishing the blue/green upgrade of " + oldId(), op -> p -> service.finish(op, listener(p)));
    }

    public void abandon() {
        end("Abandoning green beside " + oldId(), op -> p -> service.abandon(op, listener(p)));
    }

    private void end(String title, java.util.function.Function<String, BackgroundTask.Work<String>> work) {
        if (operation == null) {
            return;
        }
        run(title, work.apply(operation), what -> {
            outcome.set(what);
            page.set(Page.DONE);
            guardrails.clear();
            update();
        });
    }

    // ---- inner workings -----------------------------------------------------------------------------

    private UpgradeListener listener(BackgroundTask.Progress p) {
        return new UpgradeListener() {
            @Override
            public void step(String step, String state, String text) {
                p.message(BlueGreen.TITLES.getOrDefault(step, step) + ": " + state.toLowerCase());
                String line = state.toLowerCase() + (text == null ? "" : ": " + text);
                p.log("[" + step + "] " + line);
                log.append(step, line);
                tasks.deliver(() -> stepChanged(step, state, text));
            }

            @Override
            public void log(String line) {
                p.log(line);
                log.append("bluegreen", line);
            }
        };
    }

    private void stepChanged(String step, String state, String text) {
        for (int i = 0; i < steps.size(); i++) {
            StepRow r = steps.get(i);
            if (r.step().equals(step)) {
                StepState s = switch (state) {
                    case UpgradeState.STARTED -> StepState.RUNNING;
                    case UpgradeState.DONE -> StepState.DONE;
                    default -> StepState.FAILED;
                };
                steps.set(i, new StepRow(step, r.title(), s, text == null ? "" : text));
            }
        }
    }

    private void apply(BlueGreenStatus st) {
        status = st;
        guardrails.setAll(st.guardrails());
        serving.set(st.state().serving());
        statusText.set(st.state().describe());
        double t = (System.nanoTime() - started) / 1e9;
        List<LagSample> add = new ArrayList<>();
        for (BlueGreenStatus.Database d : st.databases()) {
            add.add(new LagSample(t, d.name(), Math.max(0, d.lagBytes())));
        }
        lag.addAll(add);
        if (lag.size() > MAX_SAMPLES) {
            lag.remove(0, lag.size() - MAX_SAMPLES);
        }
        if (st.state().finished()) {
            outcome.set(st.state().describe());
            page.set(Page.DONE);
        }
        update();
    }

    private void inputsChanged() {
        preflight = null;
        findings.clear();
        verdict.set("");
        update();
    }

    /** The pooler as typed, or null with the problem said. */
    private BlueGreen.Pooler pooler() {
        String p = poolerPort.get() == null ? "" : poolerPort.get().strip();
        int port;
        try {
            port = Integer.parseInt(p);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            poolerProblem.set("PgBouncer's port: a number from 1 to 65535" + (p.isEmpty() ? "" : ", not " + p));
            return null;
        }
        for (Map.Entry<String, String> f : Map.of("the socket directory", nz(poolerSocket.get()), "the admin user",
                nz(poolerUser.get()), "the configuration file", nz(poolerIni.get())).entrySet()) {
            if (f.getValue().isBlank()) {
                poolerProblem.set("PgBouncer's " + f.getKey() + " is empty");
                return null;
            }
        }
        if (!nz(poolerIni.get()).startsWith("/") || !nz(poolerSocket.get()).startsWith("/")) {
            poolerProblem.set("PgBouncer's socket directory and configuration file are absolute paths on the server");
            return null;
        }
        poolerProblem.set("");
        return new BlueGreen.Pooler(port, poolerSocket.get().strip(), poolerUser.get().strip(), poolerIni.get().strip());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private <V> void run(String title, BackgroundTask.Work<V> work, java.util.function.Consumer<V> done) {
        busy.set(true);
        message.set("");
        update();
        tasks.submit(BackgroundTask.of(title, work).onSuccess(v -> {
            busy.set(false);
            done.accept(v);
            update();
        }).onFailure(e -> {
            busy.set(false);
            message.set(title + " failed: " + BackgroundTask.explain(e));
            if (page.get() == Page.PREPARE) {
                // The engine removed what the preparation made; the setup page says what to fix.
                page.set(Page.SETUP);
            }
            update();
        }).onCancelled(() -> {
            busy.set(false);
            update();
        }));
    }

    private void update() {
        boolean idle = !busy.get();
        boolean poolerOk = pooler() != null;
        canPreflight.set(idle && plan != null && poolerOk && page.get() == Page.SETUP);
        canPrepare.set(canPreflight.get() && preflight != null && preflight.passed());
        boolean following = idle && page.get() == Page.FOLLOW && status != null && status.state().prepared()
                && !status.state().finished();
        boolean allGreen = status != null && status.red().isEmpty() && !status.guardrails().isEmpty();
        boolean greenServes = "green".equals(serving.get());
        canSwitchOver.set(following && !greenServes && allGreen);
        canRollBack.set(following && greenServes && allGreen);
        canFinish.set(following && greenServes);
        canAbandon.set(following && !greenServes);
    }
}
