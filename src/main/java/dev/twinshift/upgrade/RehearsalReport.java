package dev.twinshift.upgrade;


/** The rehearsal's report in Markdown: saved on the server beside the journal and shown in the console. */
public final class RehearsalReport {
    private RehearsalReport() {}

    public static String markdown(Rehearsal.Result r) {
        StringBuilder b = new StringBuilder();
        UpgradePlan p = r.plan();
        b.append("# ").append(r.preflightOnly() ? "Preflight" : "Rehearsal").append(" of ").append(p.oldId()).append(" -> ")
                .append(p.newVersion()).append("\n\n");
        b.append("- Operation: `").append(r.operation()).append("`\n");
        b.append("- Plan: ").append(p.summary()).append('\n');
        b.append("- Method: ").append(p.method().label()).append('\n');
        if (r.snapshot() != null) {
            b.append("- Rehearsed on a clone of snapshot `").append(r.snapshot()).append("`; the live cluster kept serving\n");
        }
        DowntimeEstimate.of(r).ifPresent(d -> b.append("- Expected downtime of the cutover: ").append(d.range()).append(" (")
                .append(d.derivation()).append(")\n"));
        b.append("- Verdict: **").append(verdict(r)).append("**\n\n");

        b.append("## Findings\n\n");
        if (r.findings().isEmpty()) {
            b.append("Nothing to report.\n\n");
        }
        for (PgUpgradeCheckReport.Finding f : r.findings()) {
            b.append("- **").append(f.severity()).append("** ").append(f.check());
            if (f.explanation() != null && !f.explanation().equals(f.check())) {
                b.append(": ").append(f.explanation());
            }
            if (f.fix() != null) {
                b.append(" *Fix:* ").append(f.fix());
            }
            b.append('\n');
        }
        b.append('\n');

        if (!r.stepMillis().isEmpty()) {
            b.append("## Steps\n\n| step | duration |\n| --- | ---: |\n");
            for (String s : Rehearsal.STEPS) {
                Long ms = r.stepMillis().get(s);
                if (ms != null) {
                    b.append("| ").append(Rehearsal.TITLES.get(s)).append(" | ").append(seconds(ms)).append(" |\n");
                }
            }
            b.append('\n');
        }
        if (!r.tables().isEmpty()) {
            long equal = r.tables().stream().filter(Validation.TableComparison::equal).count();
            b.append("## Tables (").append(equal).append(" of ").append(r.tables().size()).append(" equal)\n\n")
                    .append("| table | rows:checksum before | after | |\n| --- | --- | --- | --- |\n");
            for (Validation.TableComparison t : r.tables()) {
                b.append("| ").append(t.table()).append(" | ").append(t.before()).append(" | ").append(t.after()).append(" | ")
                        .append(t.equal() ? "equal" : "**DIFFERS**").append(" |\n");
            }
            b.append('\n');
        }
        sideBySide(b, "Your checks", r.checks());
        sideBySide(b, "Regression diff", r.workload());
        if (!r.extensionUpdates().isEmpty()) {
            b.append("## Extension updates\n\n");
            r.extensionUpdates().forEach(e -> b.append("- ").append(e).append('\n'));
            b.append('\n');
        }
        if (r.oldClone() != null) {
            b.append("The clones `").append(r.oldClone()).append("` (").append(p.oldVersion()).append(") and `")
                    .append(r.newClone()).append("` (").append(p.newVersion())
                    .append(") are kept, stopped, for inspection; start them from the cluster view or destroy them.\n");
        }
        return b.toString();
    }

    static String verdict(Rehearsal.Result r) {
        if (!r.compatible()) {
            return "not ready: " + r.blockers().size() + " blocker(s) to fix before the upgrade";
        }
        if (r.preflightOnly()) {
            return "no blocker found; rehearse next";
        }
        if (r.passed()) {
            return "the upgrade works on the twin: ready for the cutover";
        }
        return "not ready for the cutover: " + String.join("; ", CutoverReadiness.problems(r));
    }

    private static void sideBySide(StringBuilder b, String title, java.util.List<Validation.SideBySide> rows) {
        if (rows.isEmpty()) {
            return;
        }
        b.append("## ").append(title).append("\n\n| query | database | result | time before | time after | plan |\n")
                .append("| --- | --- | --- | ---: | ---: | --- |\n");
        for (Validation.SideBySide s : rows) {
            b.append("| ").append(s.name()).append(" | ").append(s.database()).append(" | ")
                    .append(s.error() != null ? "error: " + s.error().replace("\n", " ") : s.sameResult() ? "same" : "**DIFFERS**")
                    .append(" | ").append(s.beforeMillis()).append(" ms | ").append(s.afterMillis()).append(" ms | ")
                    .append(s.planBefore() == null ? "-" : s.planChanged() ? "**changed**" : "same").append(" |\n");
        }
        b.append('\n');
        for (Validation.SideBySide s : rows) {
            if (s.planChanged()) {
                plans(b, s);
            }
            if (s.error() == null && !s.sameResult()) {
                b.append("### Result of ").append(s.name()).append("\n\nBefore:\n\n```\n").append(s.before())
                        .append("\n```\n\nAfter:\n\n```\n").append(s.after()).append("\n```\n\n");
            }
        }
    }

    /**
     * Both EXPLAIN outputs in one table, the old plan beside the new, line by line: what changed reads
     * across, in the Markdown file as in the console. Indentation is kept as no-break spaces (a table
     * cell would trim it) inside code spans, and a pipe is escaped so it stays inside its cell.
     */
    private static void plans(StringBuilder b, Validation.SideBySide s) {
        String[] before = s.planBefore().split("\n");
        String[] after = s.planAfter() == null ? new String[0] : s.planAfter().split("\n");
        b.append("### Plan of ").append(s.name()).append("\n\n| old plan | new plan |\n| --- | --- |\n");
        for (int i = 0; i < Math.max(before.length, after.length); i++) {
            b.append("| ").append(i < before.length ? planCell(before[i]) : "").append(" | ")
                    .append(i < after.length ? planCell(after[i]) : "").append(" |\n");
        }
        b.append('\n');
    }

    private static String planCell(String line) {
        String t = line.stripTrailing();
        if (t.isBlank()) {
            return "";
        }
        int indent = t.length() - t.stripLeading().length();
        String text = "\u00a0".repeat(indent) + t.stripLeading().replace("|", "\\|");
        String fence = text.contains("`") ? "``" : "`";
        return fence + (fence.length() > 1 ? " " + text + " " : text) + fence;
    }

    static String seconds(long ms) {
        return String.format("%.1f s", ms / 1000.0);
    }
}
