package dev.twinshift.ui.wizard;

import dev.twinshift.upgrade.UpgradeState;
import javafx.beans.property.ReadOnlyStringWrapper;

/** The page of an upgrade the journal says did not finish: resume it or roll it back. */
final class UnfinishedModel {
    final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper("");

    void found(UpgradeState st) {
        text.set(WizardText.unfinished(st, CutoverModel.runningHere(st.operation())));
    }

    boolean canResume(UpgradeState st) {
        return st != null && st.unfinished() && !CutoverModel.runningHere(st.operation());
    }
}
