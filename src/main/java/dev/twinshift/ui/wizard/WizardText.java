package dev.twinshift.ui.wizard;

import dev.twinshift.upgrade.CutoverReadiness;
import dev.twinshift.upgrade.DowntimeEstimate;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.UpgradeState;
import dev.twinshift.upgrade.Validation;
import java.util.List;
import java.util.Map;

/**
 * Every sentence the wizard shows, in one place: the page models decide which, these say it, so the
 * wording can be read (and changed) without reading the rules, and the rules without the wording.
 */
final class WizardText {
    private WizardText() {}

    /** The window's title and header: the server too, so a window left open is never taken for another server's. */
    static String title(String clusterId, String server) {
        return "Upgrade " + clusterId + (server == null || server.isBlank() ? "" : " on " + server);
    }

    static String sentence(String s) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        String t = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        return t.endsWith(".") ? t : t + ".";
    }

    // ---- target -----------------------------------------------------------------------------------

    static String noNewerVersion(String version, List<String> installed) {
        return "No PostgreSQL newer than " + version + " is installed on the server (found " + String.join(", ", installed)
                + "): install the target first, for example apt-get install postgresql-" + (UpgradePlanner.major(version) + 1)
                + ".";
    }

    static final String NAME_CHANGED = "The name changed: press Plan to plan again.";

    static String plan(UpgradePlan p) {
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

    // ---- preflight and rehearsal ----------------------------------------------------------------------

    static String preflightVerdict(Rehearsal.Result r) {
        int blockers = r.blockers().size();
        if (r.compatible()) {
            return "No blocker: pg_upgrade --check passed on a clone of " + r.plan().oldId() + ". Rehearse the upgrade next.";
        }
        if (blockers > 0) {
            return (blockers == 1 ? "1 blocker stops" : blockers + " blockers stop") + " the upgrade: fix "
                    + (blockers == 1 ? "it" : "them") + " on " + r.plan().oldId() + " and run the preflight again.";
        }
        return "pg_upgrade --check did not say the clusters are compatible: read the log, fix and run the preflight again.";
    }

    static String checkLine(int line) {
        return "line " + line + " is not \"database: SELECT ...\"";
    }

    static String rehearsalVerdict(Rehearsal.Result r) {
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

    static String tablesSummary(List<Validation.TableComparison> tables) {
        long equal = tables.stream().filter(Validation.TableComparison::equal).count();
        return tables.isEmpty() ? "no table compared" : equal == tables.size()
                ? "Tables equal: all " + equal + " tables have the same rows on old and new"
                : (tables.size() - equal) + " of " + tables.size() + " tables differ";
    }

    // ---- cutover --------------------------------------------------------------------------------------

    static String downtime(UpgradePlan p, Rehearsal.Result rehearsal) {
        String expected = DowntimeEstimate.of(rehearsal).map(d -> d.range() + ": " + d.derivation())
                .orElse("unknown until a rehearsal has run pg_upgrade");
        return "The cutover creates and configures " + p.newId() + " beside " + p.oldId() + " while it still serves. Then "
                + p.oldId() + " stops (clients get the grace period to finish, then a fast shutdown), a pinned snapshot"
                + " is taken, pg_upgrade " + p.method().flag() + " runs on the live volume, " + p.newId() + " takes port "
                + p.oldPort() + " and starts. Expected downtime: " + expected + ".";
    }

    static String confirmPrompt(String word) {
        return "Type " + word + " to confirm:";
    }

    static String rollbackTitle(String clusterId) {
        return "Roll back to " + clusterId;
    }

    static String rollbackRefusesCancel(String oldId) {
        return "A rollback runs to its end: stopped half-way, " + oldId + " could stay down. Every rollback step can be run again.";
    }

    static String locked(String message) {
        return message + ". Nothing was changed: try again once it has finished.";
    }

    static String lostConnection(String explained) {
        return explained + "; the upgrade's journal on the server says where it stopped: open the wizard again once the"
                + " server answers, to resume or roll back";
    }

    static String stopped(String title, Throwable e) {
        return title + " stopped: " + e + "; the journal on the server says where it stands: resume it or roll it back";
    }

    // ---- result and unfinished --------------------------------------------------------------------------

    static String outcome(UpgradeState st) {
        UpgradePlan p = st.plan();
        String outcome = st.outcome();
        String cancelledBy = st.data().get("cancelledBy");
        if (UpgradeState.COMPLETED.equals(outcome)) {
            return "Upgraded: " + st.lastMessage() + ".";
        }
        if (UpgradeState.ROLLED_BACK.equals(outcome)) {
            String failed = st.steps().entrySet().stream().filter(e -> UpgradeState.FAILED.equals(e.getValue())
                    && !e.getKey().equals("rollback")).map(Map.Entry::getKey).findFirst().orElse(null);
            return (cancelledBy != null ? "Cancelled by " + cancelledBy + " before " + st.data().get("cancelledBefore")
                    + ", and rolled back" : failed == null ? "Rolled back"
                    : "The step " + failed + " failed and the upgrade was rolled back") + ": " + st.lastMessage() + ".";
        }
        if (UpgradeState.ABANDONED.equals(outcome)) {
            return (cancelledBy != null ? "Cancelled by " + cancelledBy + " before anything changed: "
                    : "Refused before the stop: ") + st.lastMessage() + ". " + p.oldId() + " kept serving.";
        }
        if (UpgradeState.ROLLBACK_FAILED.equals(outcome)) {
            return "The rollback failed: " + st.lastMessage() + ". Fix what it names, then roll back again.";
        }
        return "Unfinished: " + st.describe() + ". Resume it or roll it back.";
    }

    /**
     * The downtime line of the result page. Once rolled back, the cutover's downtime is history: the
     * line says what the rollback brought back instead, so the figure is not read as the state of things.
     */
    static String downtimeOrRollback(UpgradeState st) {
        UpgradePlan p = st.plan();
        if (UpgradeState.ROLLED_BACK.equals(st.outcome())) {
            String restored = st.data().get("restoredSnapshot");
            String kept = st.data().get("newWritesSnapshot");
            return "Rollback done: " + (p == null ? "the old cluster" : p.oldId() + " serves on port " + p.oldPort())
                    + (restored == null ? " as it was before the upgrade" : " from the pre-upgrade snapshot " + restored)
                    + (p == null ? "" : "; " + p.newId() + " was dropped")
                    + (kept == null ? "." : "; what clients wrote to the new cluster is kept in the pinned snapshot " + kept + ".");
        }
        String ms = st.data().get("downtimeMillis");
        if (ms == null) {
            return "";
        }
        String by = st.data().get("downtimeMeasuredBy");
        return String.format("Measured downtime: %.1f s (%s).", Long.parseLong(ms) / 1000.0, by != null
                ? "what clients saw, measured by " + by
                : "from the stop of " + (p == null ? "the old cluster" : p.oldId()) + " to the first answer of "
                + (p == null ? "the new one" : p.newId()));
    }

    static String snapshot(UpgradeState st) {
        String snap = st.data().get("snapshot");
        if (snap == null) {
            return "";
        }
        if (UpgradeState.ROLLED_BACK.equals(st.outcome())) {
            return "Pre-upgrade snapshot " + snap + " stays pinned until you unpin or delete it.";
        }
        return "Pre-upgrade snapshot " + snap + ", pinned: retention keeps it, and a rollback restores it.";
    }

    static String unfinished(UpgradeState st, boolean runningHere) {
        return st.describe() + (runningHere ? ".\n\nIt is still running from this console (its window was closed); wait"
                + " for it to end, then open the wizard again." : ".");
    }

    /** What a rollback loses, for its confirmation. */
    static String rollbackWarning(UpgradeState st) {
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

    static String readUpgrades(String clusterId) {
        return "Read upgrades of " + clusterId;
    }

    static String failed(String title, String why) {
        return title + " failed: " + why;
    }

    static String cancelled(String title) {
        return title + " was cancelled; nothing was changed.";
    }

    static String exporting(java.nio.file.Path file) {
        return "Export the report to " + file.getFileName();
    }

    static String exported(java.nio.file.Path file) {
        return "The report was written to " + file + ".";
    }
}
