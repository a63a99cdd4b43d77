package dev.twinshift.upgrade;

import dev.twinshift.postgres.ClusterControl;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.DetachedJob;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.upgrade.PgUpgradeCheckReport.Finding;
import dev.twinshift.upgrade.PgUpgradeCheckReport.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the cutover asks the live cluster while it still serves, so that a result known in advance
 * never costs an outage: the preflight's blocker queries (read-only) and {@code pg_upgrade --check}
 * against the running old cluster (pg_upgrade supports that: it reads the old server's port and
 * socket from its postmaster.pid and only starts the new, stopped cluster). Also reads why a
 * pg_upgrade failed, from its output and the file it names.
 */
final class LiveCheck {
    private final RemoteShell shell;
    private final UpgradeListener listener;
    private final ServerWork work;

    LiveCheck(RemoteShell shell, UpgradeListener listener, ServerWork work) {
        this.shell = shell;
        this.listener = listener;
        this.work = work;
    }

    /**
     * What would stop pg_upgrade, found while the old cluster still serves: the preflight's blocker
     * queries on live (read-only) and pg_upgrade --check against the running old cluster. Any
     * blocker refuses the cutover before the stop.
     *
     * @throws CutoverRefusedException naming every blocker found; the old cluster was not changed
     */
    void refuseOnBlockers(UpgradePlan plan) throws UpgradeException, SshException, InterruptedException {
        ClusterControl control = new ClusterControl(shell);
        PlanClusters clusters = new PlanClusters(shell);
        List<Finding> blockers = new ArrayList<>();
        PgCluster old = clusters.old(plan);
        if (control.isRunning(old)) {
            blockerQueries(plan, Psql.forCluster(shell, old)).stream()
                    .filter(f -> f.severity() == Severity.FATAL).forEach(blockers::add);
        }
        PgCluster n = clusters.listed(plan.newId());
        if (control.isRunning(n)) {
            // pg_upgrade --check starts the new cluster itself; it is ours and serves nobody yet.
            listener.log("stopping " + plan.newId() + " for pg_upgrade --check");
            control.stop(n);
        }
        CheckResult r = pgUpgradeCheck(plan, UpgradeWorkspace.workDir(shell, plan, "check"));
        for (Finding f : r.findings()) {
            if (f.severity() == Severity.FATAL && blockers.stream().noneMatch(b -> b.check().equals(f.check()))) {
                blockers.add(f);
            }
        }
        if (!r.compatible() && blockers.isEmpty()) {
            blockers.add(new Finding("pg_upgrade --check", Severity.FATAL,
                    "pg_upgrade --check exited with status " + r.exitCode() + "; " + lastLines(r.log()), null, null));
        }
        if (!blockers.isEmpty()) {
            StringBuilder b = new StringBuilder("refused before the stop: " + blockers.size() + " blocker(s) on " + plan.oldId()
                    + " would make pg_upgrade fail");
            for (Finding f : blockers) {
                b.append("\n  - ").append(describe(f));
            }
            b.append("\n").append(plan.oldId()).append(" kept serving and was not changed; fix these, then cut over again");
            throw new CutoverRefusedException(b.toString(), blockers);
        }
        listener.log("pg_upgrade --check passed against the running " + plan.oldId() + "; no blocker found");
    }

    /** The preflight's blocker queries, every database of the running old cluster; only what is not OK. */
    List<Finding> blockerQueries(UpgradePlan plan, Psql live) throws SshException, InterruptedException {
        Map<String, List<List<String>>> reg = new LinkedHashMap<>();
        Map<String, List<List<String>>> postfix = new LinkedHashMap<>();
        Map<String, List<List<String>>> extensions = new LinkedHashMap<>();
        Map<String, List<List<String>>> libraries = new LinkedHashMap<>();
        for (String db : Validation.databases(live)) {
            reg.put(db, live.rows(db, BlockerQueries.REG_TYPE_COLUMNS_SQL));
            postfix.put(db, live.rows(db, BlockerQueries.POSTFIX_OPERATORS_SQL));
            extensions.put(db, live.rows(db, BlockerQueries.EXTENSIONS_SQL));
            libraries.put(db, live.rows(db, BlockerQueries.C_LIBRARIES_SQL));
        }
        Set<String> available = BlockerQueries.namesFromListing(listing("/usr/share/postgresql/" + plan.newVersion()
                + "/extension"), ".control");
        Set<String> libs = BlockerQueries.namesFromListing(listing(plan.newBinDir().replace("/bin", "/lib")), ".so");
        List<Finding> out = new ArrayList<>();
        for (Finding f : List.of(BlockerQueries.regTypeColumns(reg), BlockerQueries.postfixOperators(postfix),
                BlockerQueries.missingExtensions(extensions, available), BlockerQueries.missingLibraries(libraries, libs))) {
            if (f.severity() != Severity.OK) {
                out.add(f);
            }
        }
        return out;
    }

    private String listing(String dir) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("ls", "-1", "--", dir));
        return r.ok() ? r.stdout() : "";
    }

    /** How a pg_upgrade --check ended: its findings that are not OK, and whether it said "compatible". */
    record CheckResult(boolean compatible, int exitCode, List<Finding> findings, String log) {
    }

    /**
     * {@code pg_upgrade --check} of the running old cluster against the new one, which must be
     * stopped; run detached in {@code jobDir} so that its output stays on the server.
     */
    CheckResult pgUpgradeCheck(UpgradePlan plan, String jobDir) throws SshException, InterruptedException {
        DetachedJob job = new DetachedJob(shell, jobDir);
        if (job.poll(0, null).state() != DetachedJob.State.MISSING) {
            // An earlier attempt's check (its console was lost): check afresh, the old cluster may have changed since.
            job.stop();
            work.root("rm", "-rf", "--", jobDir);
        }
        String sock = work.socketDirectory(plan.owner());
        DetachedJob.Status end;
        try {
            RemoteCommand cmd = PgUpgradeCommand.of(plan, plan.oldDataDirectory(), plan.oldConfigDirectory(),
                    plan.newDataDirectory(), plan.newConfigDirectory(), sock, plan.method(), true);
            listener.log("$ " + String.join(" ", cmd.argv()));
            DetachedJob.start(shell, jobDir, cmd);
            end = job.follow(0, (s, line) -> listener.log(line), Duration.ofMillis(300));
        } finally {
            if (job.poll(0, null).finished()) {
                work.removeSocketDirectory(sock);
            }
        }
        String log = job.log();
        PgUpgradeCheckReport report = PgUpgradeCheckReport.parse(log);
        List<Finding> findings = new ArrayList<>();
        for (Finding f : report.findings()) {
            if (f.severity() != Severity.OK) {
                findings.add(withDetail(f));
            }
        }
        return new CheckResult(end.succeeded() && report.compatible(), end.exitCode(), findings, log);
    }

    /**
     * Why a pg_upgrade (a check or the real one) failed, in pg_upgrade's own words: the failing
     * check, its explanation and the objects in the file it names; else the last lines it printed.
     */
    String failureReason(String log) throws InterruptedException {
        List<Finding> blockers = PgUpgradeCheckReport.parse(log).blockers();
        if (!blockers.isEmpty()) {
            return describe(withDetail(blockers.get(0)));
        }
        return lastLines(log);
    }

    static String describe(Finding f) {
        StringBuilder b = new StringBuilder(f.check());
        if (f.explanation() != null && !f.explanation().equals(f.check())) {
            b.append(": ").append(f.explanation());
        }
        if (f.fix() != null) {
            b.append(" Fix: ").append(f.fix());
        }
        if (f.detailFile() != null) {
            b.append(" (details in ").append(f.detailFile()).append(')');
        }
        return b.toString();
    }

    /** The last lines pg_upgrade printed, when it failed outside any check it names. */
    static String lastLines(String log) {
        List<String> lines = new ArrayList<>();
        for (String l : (log == null ? "" : log).split("\n")) {
            if (!l.isBlank() && !l.strip().equals("Failure, exiting")) {
                lines.add(l.strip());
            }
        }
        if (lines.isEmpty()) {
            return "it printed nothing";
        }
        return "it said: " + String.join(" / ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
    }

    /** The finding with the objects from the file pg_upgrade wrote them to (read now: it may be dropped soon). */
    private Finding withDetail(Finding f) throws InterruptedException {
        if (f.detailFile() == null) {
            return f;
        }
        try {
            boolean log = f.detailFile().endsWith(".log");
            CommandResult r = shell.run((log ? RemoteCommand.of("tail", "-n", "5", "--", f.detailFile())
                    : RemoteCommand.of("head", "-c", "4000", "--", f.detailFile())).asRoot());
            if (!r.ok() || r.stdout().isBlank()) {
                return f;
            }
            List<String> items = log ? r.stdout().strip().lines().map(String::strip).toList()
                    : PgUpgradeCheckReport.detailItems(r.stdout());
            String found = String.join("; ", items.subList(0, Math.min(items.size(), 12))) + (items.size() > 12 ? " ..." : "");
            return new Finding(f.check(), f.severity(), (f.explanation() == null ? "" : f.explanation() + " ")
                    + (log ? "Its log ends: " : "Found: ") + found, f.fix(), f.detailFile());
        } catch (SshException e) {
            return f;
        }
    }
}
