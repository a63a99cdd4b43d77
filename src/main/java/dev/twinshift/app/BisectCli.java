package dev.twinshift.app;

import dev.twinshift.bisect.BisectCheck;
import dev.twinshift.bisect.BisectListener;
import dev.twinshift.bisect.BisectMode;
import dev.twinshift.bisect.BisectResult;
import dev.twinshift.bisect.BisectRuns;
import dev.twinshift.bisect.BisectSearch;
import dev.twinshift.bisect.BisectService;
import dev.twinshift.bisect.BisectStore;
import dev.twinshift.bisect.Probe;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.upgrade.CancelRequest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code twinshift bisect ...}: since when does a check fail, searched over a cluster's snapshots. */
@Command(name = "bisect", description = {
        "Since when does a check fail? Probes clones of the cluster's snapshots (binary search by default, every",
        "snapshot with --scan-all) and names the last good and the first bad snapshot, then what changed between them.",
        "Each probe is a clone started on its own port, checked, stopped and destroyed; the live cluster is never touched.",
        "The newest snapshot is probed first; a range whose newest is good has no bad snapshot and says so.",
        "Commands given with --command get PGHOST, PGPORT, PGDATA and TWINSHIFT_SNAPSHOT and run as the clone's owner;",
        "their exit status says: 0 good, 1-124 bad, 125 skip this snapshot, anything else an error of the check.",
        "An SQL error is an error of the check, never a bad snapshot, and stops the search: a query that names a table",
        "older snapshots do not have yet should guard it (e.g. to_regclass('orders') IS NULL OR ...)."},
        subcommands = {BisectCli.Status.class, BisectCli.Clean.class},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the first bad snapshot was found", "1:failed (connection, server)", "2:usage",
                "3:refused or locked (the cluster, the range, the lock)",
                "4:the range has no bad snapshot, or no good one", "5:the check itself errored (e.g. an SQL syntax error)",
                "6:undecided: only skipped snapshots lie between the last good and the first bad",
                "130:cancelled (Ctrl-C); the probe clones were destroyed"})
final class BisectCli implements Callable<Integer> {
    static final int EXIT_NO_CHANGE = 4;
    static final int EXIT_CHECK_ERROR = 5;
    static final int EXIT_UNDECIDED = 6;
    static final int EXIT_CANCELLED = 130;

    @ParentCommand
    Cli cli;

    @Option(names = "--cluster", paramLabel = "VER/NAME", description = "the cluster whose snapshots are searched")
    String cluster;
    @Option(names = "--from", paramLabel = "SNAPSHOT", description = "oldest snapshot of the range (default: the oldest)")
    String from;
    @Option(names = "--to", paramLabel = "SNAPSHOT", description = "newest snapshot of the range (default: the newest)")
    String to;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    CheckChoice choice;

    static final class CheckChoice {
        @Option(names = "--sql", paramLabel = "QUERY", description = "a query that must return one row with one boolean: true is good")
        String sql;
        @Option(names = "--same-rows", paramLabel = "QUERY", description = "a query whose rows must equal those on --reference (give it an ORDER BY)")
        String sameRows;
        @Option(names = "--upgrade-check", paramLabel = "VERSION", description = "pg_upgrade --check to this major must pass")
        String upgradeCheck;
        @Option(names = "--rehearsal", paramLabel = "VERSION", description = "the whole upgrade rehearsal to this major must pass")
        String rehearsal;
        @Option(names = "--command", description = "the command after -- must exit 0 (see above)")
        boolean command;
    }

    @Option(names = "--database", paramLabel = "DB", defaultValue = "postgres", description = "database of --sql and --same-rows (default: ${DEFAULT-VALUE})")
    String database;
    @Option(names = "--reference", paramLabel = "SNAPSHOT", description = "the snapshot whose rows --same-rows expects")
    String reference;
    @Option(names = "--scan-all", description = "probe every snapshot, oldest first: for checks that are not monotonic")
    boolean scanAll;
    @Option(names = "--parallel", paramLabel = "K", defaultValue = "1", description = "probes per round when the server has"
            + " room (cores, free space over the floor); default ${DEFAULT-VALUE}")
    int parallel;
    @Option(names = "--oldest-bad", description = "the oldest snapshot is the bad one and the newest good: find when it was fixed")
    boolean oldestBad;
    @Option(names = "--no-changes", description = "do not report what changed between the last good and the first bad")
    boolean noChanges;
    @Parameters(paramLabel = "ARGV", arity = "0..*", description = "the command of --command, after --")
    List<String> argv = new ArrayList<>();

    BisectCheck check() {
        if (choice == null) {
            throw new IllegalArgumentException("say what to check: --sql QUERY, --same-rows QUERY --reference SNAPSHOT,"
                    + " --upgrade-check VERSION, --rehearsal VERSION or --command -- ARGV...");
        }
        if (!argv.isEmpty() && !choice.command) {
            throw new IllegalArgumentException("unexpected arguments " + argv + ": only --command takes a command after --");
        }
        if (reference != null && choice.sameRows == null) {
            throw new IllegalArgumentException("--reference goes with --same-rows");
        }
        if (choice.sql != null) {
            return new BisectCheck.SqlTrue(database, choice.sql);
        }
        if (choice.sameRows != null) {
            return new BisectCheck.SameRows(database, choice.sameRows, reference);
        }
        if (choice.upgradeCheck != null) {
            return new BisectCheck.UpgradeCheck(choice.upgradeCheck);
        }
        if (choice.rehearsal != null) {
            return new BisectCheck.Rehearsal(choice.rehearsal);
        }
        return new BisectCheck.Command(argv);
    }

    @Override
    public Integer call() throws Exception {
        if (cluster == null) {
            throw new IllegalArgumentException("say which cluster: bisect --cluster VERSION/NAME (see bisect --help)");
        }
        BisectService.Request req = new BisectService.Request(cluster, from, to, check(),
                scanAll ? BisectMode.SCAN_ALL : BisectMode.BINARY, parallel, oldestBad, !noChanges);
        PrintWriter err = cli.spec.commandLine().getErr();
        PrintWriter out = cli.out();
        CancelRequest cancel = new CancelRequest();
        BisectListener listener = new BisectListener() {
            @Override
            public synchronized void line(String message) {
                err.println("  " + message);
                err.flush();
            }

            @Override
            public synchronized void probe(Probe p) {
                if (!cli.json) {
                    out.printf("%-4s %-8s %6.1f s  %s%n", "#" + (p.index() + 1), p.verdict(), p.millis() / 1000.0, p.snapshot());
                    out.flush();
                }
            }
        };
        // Ctrl-C cancels: the running check is stopped and the probe clones destroyed before the JVM ends.
        Thread main = Thread.currentThread();
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cancel.request("Ctrl-C");
            try {
                finished.await(2, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException ignored) {
                main.interrupt();
            }
        }, "bisect-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        BisectResult r;
        try {
            r = new BisectService(cli.shell(), cli.actor(), listener, cancel).run(req);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for the countdown above
            }
        }
        if (cli.json) {
            cli.printJson(r);
        } else {
            print(out, r);
        }
        return exitCode(r.outcome());
    }

    static int exitCode(BisectSearch.Outcome o) {
        return switch (o) {
            case FOUND -> 0;
            case NO_BAD, NO_GOOD, EMPTY -> EXIT_NO_CHANGE;
            case ERROR -> EXIT_CHECK_ERROR;
            case UNDECIDED, OPEN -> EXIT_UNDECIDED;
            case CANCELLED -> EXIT_CANCELLED;
        };
    }

    static void print(PrintWriter out, BisectResult r) {
        out.println();
        out.println(r.outcome() + ": " + r.message());
        for (String n : r.notes()) {
            out.println("note: " + n);
        }
        out.println(r.probes().size() + " probe(s) in " + r.rounds() + " round(s), " + r.parallel() + " at a time");
        if (r.changes() != null) {
            out.println();
            out.print(r.changes().markdown());
        }
        out.flush();
    }

    @Command(name = "status", description = "Bisects of the cluster's catalog: running, ended or interrupted, with the"
            + " probe clones left behind, and the last results.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        BisectCli parent;
        @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
        String cluster;

        @Override
        public Integer call() throws Exception {
            Cli cli = parent.cli;
            Catalog cat = cli.catalogOf(cluster);
            List<BisectRuns.Run> all = BisectRuns.list(cli.shell(), cat);
            List<BisectRuns.Run> runs = all.stream().filter(r -> cluster.equals(r.cluster())).toList();
            List<CloneRecord> left = BisectRuns.leftovers(cat, cluster, all);
            List<BisectResult> results = BisectStore.of(cat, cluster);
            if (cli.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("runs", runs);
                m.put("leftoverClones", left.stream().map(CloneRecord::name).toList());
                m.put("results", results);
                cli.printJson(m);
                return 0;
            }
            PrintWriter out = cli.out();
            List<List<String>> rows = new ArrayList<>();
            for (BisectRuns.Run r : runs) {
                rows.add(List.of(r.operation(), r.running() ? "running" : r.outcome() == null ? "interrupted" : r.outcome(),
                        String.valueOf(r.startedAt()), r.lastMessage() == null ? "" : r.lastMessage()));
            }
            if (rows.isEmpty()) {
                out.println("no bisect journaled for " + cluster);
            } else {
                Cli.table(out, List.of("BISECT", "STATE", "STARTED", "LAST"), rows);
            }
            for (BisectResult r : results.subList(0, Math.min(3, results.size()))) {
                out.println(r.id() + "  " + r.check().describe() + "\n    " + r.outcome() + ": " + r.message());
            }
            if (!left.isEmpty()) {
                out.println("probe clones left by interrupted bisects: " + String.join(", ", left.stream().map(CloneRecord::name)
                        .toList()) + "\n  remove them with: twinshift bisect clean --cluster " + cluster + " --yes");
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "clean", description = "Destroy the probe clones that interrupted bisects left (never a running"
            + " bisect's, never the live cluster). Without --yes only lists them.")
    static final class Clean implements Callable<Integer> {
        @ParentCommand
        BisectCli parent;
        @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
        String cluster;
        @Option(names = "--yes", description = "confirm: destroy the clones listed")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            Cli cli = parent.cli;
            Catalog cat = cli.catalogOf(cluster);
            List<CloneRecord> left = BisectRuns.leftovers(cli.shell(), cat, cluster);
            PrintWriter out = cli.out();
            if (!yes) {
                if (cli.json) {
                    cli.printJson(Map.of("wouldDestroy", left.stream().map(CloneRecord::name).toList(), "confirmWith", "--yes"));
                } else if (left.isEmpty()) {
                    out.println("no probe clone left behind");
                } else {
                    out.println("would destroy " + left.size() + " probe clone(s) and their data: " + String.join(", ",
                            left.stream().map(c -> c.name() + " (of " + c.parent() + ")").toList()));
                    out.println("run again with --yes to destroy them");
                }
                out.flush();
                return 0;
            }
            List<String> gone = BisectRuns.clean(cli.shell(), cat, left, cli.actor(), cli.progress());
            if (cli.json) {
                cli.printJson(Map.of("destroyed", gone));
            } else {
                out.println(gone.isEmpty() ? "no probe clone left behind" : "destroyed " + String.join(", ", gone));
                out.flush();
            }
            return 0;
        }
    }
}
