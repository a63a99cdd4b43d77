package dev.twinshift.ui.wizard;

import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.PgUpgradeCheckReport;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradePlan;
import java.util.Comparator;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** The second page: pg_upgrade --check on a clone, its findings blockers first. */
final class PreflightModel {
    final ReadOnlyObjectWrapper<Rehearsal.Result> result = new ReadOnlyObjectWrapper<>();
    final ObservableList<PgUpgradeCheckReport.Finding> findings = FXCollections.observableArrayList();
    final ReadOnlyStringWrapper verdict = new ReadOnlyStringWrapper("");
    final ReadOnlyBooleanWrapper blocked = new ReadOnlyBooleanWrapper(false);
    final StepList steps = new StepList(Rehearsal.TITLES);

    private final WizardWork work;

    PreflightModel(WizardWork work) {
        this.work = work;
    }

    /** Passed: the rehearsal may follow. */
    boolean passed() {
        return result.get() != null && result.get().compatible();
    }

    void clear() {
        result.set(null);
        findings.clear();
        verdict.set("");
        blocked.set(false);
    }

    void run(UpgradePlan p) {
        clear();
        steps.reset(Rehearsal.PREFLIGHT_STEPS);
        CancelRequest cancel = new CancelRequest();
        work.run("Preflight of " + p.oldId() + " -> " + p.newVersion(),
                t -> work.engine().preflight(p, work.listener(steps, t), cancel), work.byRequest(cancel), this::preflighted);
    }

    void preflighted(Rehearsal.Result r) {
        result.set(r);
        blocked.set(!r.compatible());
        findings.setAll(r.findings().stream()
                .sorted(Comparator.comparing((PgUpgradeCheckReport.Finding f) -> f.severity()).reversed()).toList());
        verdict.set(WizardText.preflightVerdict(r));
        steps.timed(r.stepMillis());
    }
}
