package dev.twinshift.ui.wizard;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** The first page: which version, which name, and the plan (or why there is none). */
final class TargetModel {
    final ObservableList<String> versions = FXCollections.observableArrayList();
    final StringProperty targetVersion = new SimpleStringProperty();
    final StringProperty newName = new SimpleStringProperty("");
    final ReadOnlyObjectWrapper<UpgradePlan> plan = new ReadOnlyObjectWrapper<>();
    final ObservableList<String> refusals = FXCollections.observableArrayList();
    final ReadOnlyStringWrapper planText = new ReadOnlyStringWrapper("");

    private final WizardWork work;
    private final Consumer<UpgradePlan> planned;

    /** @param planned told of every new plan: what was preflighted or rehearsed for another one no longer counts */
    TargetModel(WizardWork work, Consumer<UpgradePlan> planned) {
        this.work = work;
        this.planned = planned;
    }

    private PgCluster cluster() {
        return work.engine().cluster();
    }

    /** Offers the installed majors newer than the cluster's, and proposes the newest. */
    void installed(List<String> installed) {
        int major = UpgradePlanner.major(cluster().version());
        List<String> newer = installed.stream().filter(v -> UpgradePlanner.major(v) > major)
                .sorted(Comparator.comparingInt(UpgradePlanner::major)).toList();
        versions.setAll(newer);
        if (newer.isEmpty()) {
            refusals.setAll(WizardText.noNewerVersion(cluster().version(), installed));
            return;
        }
        targetVersion.set(newer.get(newer.size() - 1));
    }

    /** The plan of an upgrade found in the journal: the one to resume or roll back. */
    void adopt(UpgradePlan p) {
        plan.set(p);
    }

    void plan() {
        String v = targetVersion.get();
        if (v == null) {
            return;
        }
        String name = newName.get() == null || newName.get().isBlank() ? null : newName.get().strip();
        plan.set(null);
        refusals.clear();
        planText.set("");
        work.run("Plan the upgrade of " + cluster().id() + " to " + v, p -> work.engine().plan(v, name),
                TaskCancel.interrupts(), this::planned);
    }

    void planned(UpgradePlanner.Result r) {
        plan.set(r.plan());
        refusals.setAll(r.refusals().stream().map(WizardText::sentence).toList());
        planText.set(r.ok() ? WizardText.plan(r.plan()) : "");
        planned.accept(r.plan());
    }

    /** A plan made for other inputs is not this plan. @return whether there was one to drop */
    boolean inputsChanged() {
        if (plan.get() == null) {
            return false;
        }
        plan.set(null);
        planText.set("");
        refusals.clear();
        work.say(WizardText.NAME_CHANGED);
        return true;
    }
}
