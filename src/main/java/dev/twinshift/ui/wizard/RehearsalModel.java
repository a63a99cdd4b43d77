package dev.twinshift.ui.wizard;

import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** The rehearsal page and the report page: the upgrade on a twin, then what it found. */
final class RehearsalModel {
    /** The administrator's SQL checks as typed, or what is wrong with them. */
    record ParsedChecks(List<Validation.SqlCheck> checks, List<String> problems) { }

    final StringProperty checksText = new SimpleStringProperty("");
    final ReadOnlyStringWrapper checksProblem = new ReadOnlyStringWrapper("");
    final BooleanProperty keepClones = new SimpleBooleanProperty(false);
    final ReadOnlyObjectWrapper<Rehearsal.Result> result = new ReadOnlyObjectWrapper<>();
    final ReadOnlyStringWrapper verdict = new ReadOnlyStringWrapper("");
    final StepList steps = new StepList(Rehearsal.TITLES);

    final ReadOnlyStringWrapper reportText = new ReadOnlyStringWrapper("");
    final ReadOnlyStringWrapper tablesSummary = new ReadOnlyStringWrapper("");
    final ObservableList<Validation.TableComparison> tables = FXCollections.observableArrayList();
    final ObservableList<Validation.SideBySide> comparisons = FXCollections.observableArrayList();

    private final WizardWork work;

    RehearsalModel(WizardWork work) {
        this.work = work;
        checksText.addListener((o, a, b) -> {
            checksProblem.set(String.join("; ", parseChecks(b).problems()));
            work.changed();
        });
    }

    boolean checksOk() {
        return parseChecks(checksText.get()).problems().isEmpty();
    }

    /** One rule with the engine (CutoverReadiness): differing SQL checks are not a pass here either. */
    boolean ready() {
        Rehearsal.Result r = result.get();
        return r != null && r.passed() && r.reportPath() != null && r.stepMillis().containsKey(Rehearsal.REPORT);
    }

    void clear() {
        result.set(null);
        verdict.set("");
        reportText.set("");
        tablesSummary.set("");
        tables.clear();
        comparisons.clear();
    }

    void rehearse(UpgradePlan p) {
        ParsedChecks parsed = parseChecks(checksText.get());
        if (!parsed.problems().isEmpty()) {
            return;
        }
        clear();
        steps.reset(Rehearsal.STEPS);
        Rehearsal.Options options = new Rehearsal.Options(parsed.checks(), List.of(), 3, keepClones.get());
        CancelRequest cancel = new CancelRequest();
        work.run("Rehearsal of " + p.oldId() + " -> " + p.newVersion(),
                t -> work.engine().rehearse(p, options, work.listener(steps, t), cancel), work.byRequest(cancel),
                this::rehearsed);
    }

    void rehearsed(Rehearsal.Result r) {
        result.set(r);
        verdict.set(WizardText.rehearsalVerdict(r));
        reportText.set(r.report() == null ? "" : r.report());
        tables.setAll(r.tables());
        tablesSummary.set(WizardText.tablesSummary(r.tables()));
        List<Validation.SideBySide> all = new ArrayList<>(r.checks());
        all.addAll(r.workload());
        comparisons.setAll(all);
        steps.timed(r.stepMillis());
    }

    /** One check a line, {@code db: SELECT ...}; blank lines and lines starting with # or -- are skipped. */
    static ParsedChecks parseChecks(String text) {
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
                problems.add(WizardText.checkLine(i + 1));
                continue;
            }
            checks.add(c.get());
        }
        return new ParsedChecks(checks, problems);
    }
}
