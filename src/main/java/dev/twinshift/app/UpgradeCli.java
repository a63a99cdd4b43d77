package dev.twinshift.app;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.RefusedException;
import dev.twinshift.upgrade.BlueGreen;
import dev.twinshift.upgrade.Cutover;
import dev.twinshift.upgrade.CutoverReadiness;
import dev.twinshift.upgrade.CutoverRefusedException;
import dev.twinshift.upgrade.CutoverRollback;
import dev.twinshift.upgrade.PgUpgradeCheckReport;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.UpgradeState;
import dev.twinshift.upgrade.Upgrades;
import dev.twinshift.upgrade.Validation;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code twinshift upgrade ...}: the upgrade engine from a terminal, for scripts and for servers without a desktop. */
@Command(name = "upgrade", description = "Plan, preflight, rehearse on a clone, cut over, resume or roll back a major"
        + " version upgrade.", subcommands = {UpgradeCli.Plan.class, UpgradeCli.Preflight.class, UpgradeCli.Rehearse.class,
        UpgradeCli.CutoverCmd.class, UpgradeCli.Status.class, UpgradeCli.Resume.class, UpgradeCli.RollbackCmd.class,
        BlueGreenCli.class})
final class UpgradeCli {
    @ParentCommand
    Cli cli;

    abstract static class OnCluster implements Callable<Integer> {
        // The root rather than the parent: these commands sit at more than one depth (upgrade bluegreen ...).
        @Spec
        CommandSpec command;
        @Mixin
        ClusterOption clusterOption;

        String cluster() {
            return clusterOption.id();
        }

        Cli cli() {
            return (Cli) command.root().userObject();
        }

        PgCluster pg() throws Exception {
            return cli().cluster(cluster());
        }

        Catalog catalog() throws Exception {
            return ClusterVolume.resolve(cli().shell(), pg()).catalog();
        }

        UpgradeListener listener() {
            PrintWriter err = cli().spec.commandLine().getErr();
            return new UpgradeListener() {
                @Override
                public void step(String step, String state, String message) {
                    err.println("[" + step + "] " + state + (message == null ? "" : ": " + message));
                    err.flush();
                }

                @Override
                public void log(String line) {
                    err.println("    " + line);
                    err.flush();
                }
            };
        }
    }

    abstract static class Planned extends OnCluster {
        @Option(names = "--to", paramLabel = "VERSION", description = "target major (default: the newest installed)")
        String to;
        @Option(names = "--name", paramLabel = "NAME", description = "name of the new cluster (default: the old name)")
        String name;

        UpgradePlan plan() throws Exception {
            UpgradePlanner.Result r = new Upgrades(cli().shell()).plan(pg(), to, name);
            if (!r.ok()) {
                throw new RefusedException("cannot upgrade " + cluster() + ":\n  - " + String.join("\n  - ", r.refusals()));
            }
            return r.plan();
        }
    }

    @Command(name = "plan", description = "What an upgrade would do (changes nothing).")
    static final class Plan extends Planned {
        @Override
        public Integer call() throws Exception {
            UpgradePlan p = plan();
            if (cli().json) {
                cli().printJson(p);
            } else {
                PrintWriter out = cli().out();
                out.println(p.summary());
                out.println("method: " + p.method().label());
                out.println("new data directory: " + p.newDataDirectory() + (p.newIsSubvolume() ? " (btrfs subvolume)" : ""));
                out.println("free space needed: " + Cli.size(p.headroomBytes()) + ", free: " + Cli.size(p.freeBytes()));
                p.notes().forEach(n -> out.println("note: " + n));
                out.flush();
            }
            return 0;
        }
    }

    static void printFindings(PrintWriter out, List<PgUpgradeCheckReport.Finding> findings) {
        for (PgUpgradeCheckReport.Finding f : findings) {
            out.println(f.severity() + "  " + f.check());
            if (f.explanation() != null && !f.explanation().equals(f.check())) {
                out.println("       " + f.explanation());
            }
            if (f.fix() != null) {
                out.println("   fix: " + f.fix());
            }
        }
        out.flush();
    }

    @Command(name = "preflight", description = "pg_upgrade --check and Twinshift's own checks, on a clone (live untouched).")
    static final class Preflight extends Planned {
        @Override
        public Integer call() throws Exception {
            Rehearsal.Result r = new Rehearsal(cli().shell(), cli().actor(), listener()).preflight(plan());
            if (cli().json) {
                cli().printJson(r);
            } else {
                printFindings(cli().out(), r.findings());
                cli().out().println(r.compatible() ? "no blocker: rehearse next" : r.blockers().size() + " blocker(s) to fix first");
                cli().out().flush();
            }
            return r.compatible() ? 0 : Cli.EXIT_REFUSED;
        }
    }

    @Command(name = "rehearse", description = "The whole upgrade on a clone: pg_upgrade, tables compared, checks and"
            + " workload side by side, report. Live untouched.")
    static final class Rehearse extends Planned {
        @Option(names = "--check", paramLabel = "DB:SQL", description = "an SQL check compared on old and new (repeatable)")
        List<String> checks = new ArrayList<>();
        @Option(names = "--query", paramLabel = "DB:SQL", description = "a workload query for the regression diff (repeatable)")
        List<String> queries = new ArrayList<>();
        @Option(names = "--discard", description = "remove the two clones afterwards (kept by default, stopped)")
        boolean discard;

        @Override
        public Integer call() throws Exception {
            Rehearsal.Options o = new Rehearsal.Options(parse(checks, "check"), parse(queries, "query"), 3, !discard);
            Rehearsal.Result r = new Rehearsal(cli().shell(), cli().actor(), listener()).rehearse(plan(), o);
            if (cli().json) {
                cli().printJson(r);
            } else {
                cli().out().println(r.report());
                cli().out().println("report saved on the server: " + r.reportPath());
                cli().out().flush();
            }
            return r.passed() ? 0 : Cli.EXIT_REFUSED;
        }

        static List<Validation.SqlCheck> parse(List<String> specs, String what) {
            List<Validation.SqlCheck> out = new ArrayList<>();
            for (String s : specs) {
                out.add(Validation.SqlCheck.parse(s).orElseThrow(() -> new IllegalArgumentException(
                        "--" + what + " wants DATABASE:SQL (a database name, a colon, then the query), got: " + s)));
            }
            return out;
        }
    }

    @Command(name = "cutover", description = "Upgrade the live cluster: stop, pre-upgrade snapshot, pg_upgrade, the new"
            + " cluster takes the port; rolls back by itself if a step fails.")
    static final class CutoverCmd extends Planned {
        @Option(names = "--grace", paramLabel = "SECONDS", description = "time given to clients before the fast shutdown (default 10)")
        int grace = 10;
        @Option(names = "--no-analyze", description = "skip vacuumdb --analyze-in-stages after the hand-over")
        boolean noAnalyze;
        @Option(names = "--yes", description = "confirm: without it, only say what would happen")
        boolean yes;
        @Option(names = "--without-rehearsal", description = "cut over although no passed rehearsal of this plan on a"
                + " snapshot of less than 24 h is journaled (not recommended; journaled as an override)")
        boolean withoutRehearsal;

        @Override
        public Integer call() throws Exception {
            UpgradePlan p = plan();
            PrintWriter err = cli().spec.commandLine().getErr();
            CutoverReadiness.Decision ready = CutoverReadiness.read(cli().shell(), p);
            if (!yes) {
                err.println("would upgrade " + p.summary() + ". " + p.oldId() + " stops for the length of pg_upgrade"
                        + " (rehearse first to know it). " + (ready.ready() ? "Ready: " + ready.reason()
                        : "Not ready: " + ready.reason() + " (rehearse first, or add --without-rehearsal)")
                        + ". Nothing was changed. Add --yes to cut over.");
                err.flush();
                return Cli.EXIT_REFUSED;
            }
            if (!ready.ready()) {
                if (!withoutRehearsal) {
                    err.println("twinshift: cutover of " + p.oldId() + " refused: " + ready.reason() + ". A cutover needs a"
                            + " passed rehearsal of the same plan on a snapshot of less than "
                            + CutoverReadiness.RECENT.toHours() + " h. Nothing was changed. Run `upgrade rehearse --cluster "
                            + cluster() + "` with the same --to and --name first, or add --without-rehearsal to go ahead"
                            + " at your own risk.");
                    err.flush();
                    return Cli.EXIT_REFUSED;
                }
                err.println("WARNING: cutting over " + p.oldId() + " WITHOUT a passed rehearsal (" + ready.reason()
                        + "). Nothing proves that pg_upgrade, your data and your checks survive this upgrade; the"
                        + " override is journaled.");
                err.flush();
            }
            try {
                UpgradeState st = new Cutover(cli().shell(), cli().actor(), listener(),
                        new Cutover.Options(Duration.ofSeconds(grace), !noAnalyze)).run(p, withoutRehearsal);
                return done(st);
            } catch (CutoverRefusedException e) {
                err.println("twinshift: " + e.getMessage());
                err.flush();
                return Cli.EXIT_REFUSED;
            }
        }
    }

    static Integer done(UpgradeState st) {
        return UpgradeState.COMPLETED.equals(st.outcome()) || UpgradeState.ROLLED_BACK.equals(st.outcome()) ? 0 : 1;
    }

    @Command(name = "status", description = "Upgrades journaled beside the cluster, and whether one waits to be resumed or rolled back.")
    static final class Status extends OnCluster {
        @Override
        public Integer call() throws Exception {
            List<UpgradeState> all = new Upgrades(cli().shell()).journaled(catalog()).stream()
                    .filter(s -> s.plan() != null && (s.plan().oldId().equals(cluster()) || s.plan().newId().equals(cluster())))
                    .toList();
            if (cli().json) {
                cli().printJson(all.stream().map(s -> java.util.Map.of("operation", s.operation(),
                        "outcome", String.valueOf(s.outcome()), "description", s.describe())).toList());
            } else {
                for (UpgradeState s : all) {
                    cli().out().println(s.describe() + (s.unfinished() && s.operation().contains("-upgrade-")
                            ? "  -> upgrade resume|rollback --cluster " + cluster() + " --operation " + s.operation()
                            : s.outcome() == null && s.operation().contains("-" + BlueGreen.KIND + "-")
                            ? "  -> upgrade bluegreen status --cluster " + cluster() + " --operation " + s.operation() : ""));
                }
                if (all.isEmpty()) {
                    cli().out().println("no upgrade journaled for " + cluster());
                }
                cli().out().flush();
            }
            return 0;
        }
    }

    @Command(name = "resume", description = "Continue an interrupted cutover from where its journal stopped.")
    static final class Resume extends OnCluster {
        @Option(names = "--operation", required = true)
        String operation;

        @Override
        public Integer call() throws Exception {
            return done(new Cutover(cli().shell(), cli().actor(), listener(), Cutover.Options.defaults())
                    .resume(catalog(), operation));
        }
    }

    @Command(name = "rollback", description = "Back to the old version: the new cluster dropped, the pre-upgrade snapshot"
            + " restored, the old cluster started on its port.")
    static final class RollbackCmd extends OnCluster {
        @Option(names = "--operation", required = true)
        String operation;
        @Option(names = "--yes", description = "confirm")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            if (!yes) {
                CutoverRollback.Cost cost = new CutoverRollback(cli().shell(), cli().actor(), listener())
                        .cost(catalog(), operation);
                if (cli().json) {
                    cli().printJson(java.util.Map.of("operation", operation, "changed", false, "cost", cost,
                            "confirmWith", "--yes"));
                } else {
                    cli().spec.commandLine().getErr().println("would roll back " + operation + ". " + cost.text()
                            + " Nothing was changed. Add --yes to roll back.");
                    cli().spec.commandLine().getErr().flush();
                }
                return Cli.EXIT_REFUSED;
            }
            return done(new CutoverRollback(cli().shell(), cli().actor(), listener()).rollback(catalog(), operation));
        }
    }
}
