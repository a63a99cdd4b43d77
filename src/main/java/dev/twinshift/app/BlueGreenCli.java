package dev.twinshift.app;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.Psql;
import dev.twinshift.storage.Catalog;
import dev.twinshift.upgrade.BlueGreen;
import dev.twinshift.upgrade.BlueGreenPreflight;
import dev.twinshift.upgrade.BlueGreenStatus;
import dev.twinshift.upgrade.CutoverRefusedException;
import dev.twinshift.upgrade.UpgradeException;
import dev.twinshift.upgrade.UpgradePlan;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code twinshift upgrade bluegreen ...}: the blue/green upgrade from a terminal. Blue is the live
 * cluster, green its upgraded twin kept in step by logical replication; PgBouncer moves the clients.
 */
@Command(name = "bluegreen", description = "Upgrade through a twin kept in step by logical replication: clients move"
        + " to it (and back, keeping every write) in a pause of about a second in PgBouncer.",
        subcommands = {BlueGreenCli.Preflight.class, BlueGreenCli.Prepare.class, BlueGreenCli.Status.class,
                BlueGreenCli.Switchover.class, BlueGreenCli.Rollback.class, BlueGreenCli.Finish.class,
                BlueGreenCli.Abandon.class})
final class BlueGreenCli {

    /** Commands that need a plan and the pooler in front of blue. */
    abstract static class WithPooler extends UpgradeCli.Planned {
        @Option(names = "--pooler-port", required = true, paramLabel = "PORT", description = "PgBouncer's port (its admin"
                + " console answers there)")
        int poolerPort;
        @Option(names = "--pooler-socket", paramLabel = "DIR", description = "PgBouncer's Unix socket directory"
                + " (default /var/run/postgresql)")
        String poolerSocket = "/var/run/postgresql";
        @Option(names = "--pooler-user", paramLabel = "ROLE", description = "a user in PgBouncer's admin_users (default"
                + " postgres)")
        String poolerUser = "postgres";
        @Option(names = "--pooler-ini", paramLabel = "FILE", description = "the configuration PgBouncer runs with; its"
                + " [databases] entries name blue's port (default /etc/pgbouncer/pgbouncer.ini)")
        String poolerIni = "/etc/pgbouncer/pgbouncer.ini";

        BlueGreen.Pooler pooler() {
            if (poolerPort < 1 || poolerPort > 65535) {
                throw new IllegalArgumentException("--pooler-port wants a port number from 1 to 65535, got " + poolerPort);
            }
            return new BlueGreen.Pooler(poolerPort, poolerSocket, poolerUser, poolerIni);
        }

        BlueGreenPreflight.Result preflight(UpgradePlan plan, BlueGreen.Pooler pooler) throws Exception {
            Psql blue = Psql.forCluster(cli().shell(), new ClusterDiscovery(cli().shell()).find(plan.oldId()));
            return BlueGreenPreflight.run(cli().shell(), blue, plan, pooler);
        }
    }

    static void printFindings(PrintWriter out, BlueGreenPreflight.Result r) {
        for (BlueGreenPreflight.Finding f : r.findings()) {
            out.println(String.format("%-7s  %-13s %s", f.severity(), f.check(), f.text()));
            if (f.fix() != null) {
                out.println("         fix: " + f.fix());
            }
        }
        out.flush();
    }

    @Command(name = "preflight", description = "What the blue/green upgrade needs of the cluster and of PgBouncer"
            + " (read-only; changes nothing).")
    static final class Preflight extends WithPooler {
        @Override
        public Integer call() throws Exception {
            BlueGreen.Pooler pooler = pooler();
            BlueGreenPreflight.Result r = preflight(plan(), pooler);
            if (cli().json) {
                cli().printJson(r);
            } else {
                printFindings(cli().out(), r);
                cli().out().println(r.passed() ? "no blocker: `upgrade bluegreen prepare` next"
                        : r.blockers().size() + " blocker(s): fix them, or use the snapshot cutover (`upgrade cutover`)");
                cli().out().flush();
            }
            return r.passed() ? 0 : Cli.EXIT_REFUSED;
        }
    }

    @Command(name = "prepare", description = "Make green beside blue and leave it following blue: a snapshot, logical"
            + " slots, a twin recovered to the slots' position, pg_upgrade --clone, a subscription. Blue keeps serving;"
            + " clients are not touched.")
    static final class Prepare extends WithPooler {
        @Override
        public Integer call() throws Exception {
            BlueGreen.Pooler pooler = pooler();
            UpgradePlan plan = plan();
            BlueGreenPreflight.Result pre = preflight(plan, pooler);
            PrintWriter err = cli().spec.commandLine().getErr();
            if (!pre.passed()) {
                printFindings(err, pre);
                err.println("twinshift: blue/green preparation of " + plan.oldId() + " refused: " + String.join("; ",
                        pre.blockers()) + ". Nothing was changed.");
                err.flush();
                return Cli.EXIT_REFUSED;
            }
            String op = new BlueGreen(cli().shell(), cli().actor(), listener()).prepare(plan, pooler, pre);
            if (cli().json) {
                cli().printJson(Map.of("operation", op, "prepared", true));
            } else {
                cli().out().println(plan.newId() + " follows " + plan.oldId() + " (operation " + op + "). Watch it with"
                        + " `upgrade bluegreen status --cluster " + cluster() + "`; switch when every guardrail is green.");
                cli().out().flush();
            }
            return 0;
        }
    }

    /** Commands on a blue/green operation under way; it is found from the cluster unless named. */
    abstract static class OnOperation extends UpgradeCli.OnCluster {
        @Option(names = "--operation", paramLabel = "ID", description = "the blue/green operation (default: the one under"
                + " way for --cluster)")
        String operation;

        BlueGreen engine() throws Exception {
            return new BlueGreen(cli().shell(), cli().actor(), listener());
        }

        String operation(Catalog catalog) throws Exception {
            if (operation != null) {
                return operation;
            }
            return engine().current(catalog, cluster()).orElseThrow(() -> new UpgradeException("no blue/green upgrade of "
                    + cluster() + " is under way (`upgrade status --cluster " + cluster() + "` lists the journaled ones)"));
        }
    }

    @Command(name = "status", description = "Who serves, who follows, the lag per database and the guardrails a"
            + " switchover waits for.")
    static final class Status extends OnOperation {
        @Override
        public Integer call() throws Exception {
            Catalog cat = catalog();
            BlueGreen bg = engine();
            String op = operation(cat);
            BlueGreenStatus st = bg.status(cat, op);
            if (cli().json) {
                Map<String, Object> js = new LinkedHashMap<>();
                js.put("operation", op);
                js.put("description", st.state().describe());
                js.put("serving", st.state().serving());
                js.put("databases", st.databases());
                js.put("guardrails", st.guardrails());
                js.put("ready", st.state().prepared() && st.red().isEmpty());
                cli().printJson(js);
                return 0;
            }
            PrintWriter out = cli().out();
            out.println(st.state().describe());
            for (BlueGreenStatus.Database d : st.databases()) {
                out.println(String.format("  %-20s %s, %s behind%s", d.name(), d.following() ? "applying" : "NOT applying",
                        d.lagBytes() < 0 ? "?" : Cli.size(d.lagBytes()), d.lastMessageAt().isEmpty() ? ""
                        : ", last message " + d.lastMessageAt()));
            }
            for (BlueGreenStatus.Guardrail g : st.guardrails()) {
                out.println(String.format("  [%s] %-17s %s", g.green() ? " ok " : "STOP", g.name(), g.detail()));
            }
            if (st.state().prepared() && !st.state().finished()) {
                out.println(st.red().isEmpty() ? "ready: `upgrade bluegreen " + ("green".equals(st.state().serving())
                        ? "rollback" : "switchover") + " --cluster " + cluster() + " --yes`"
                        : "not ready: a switchover is refused while a guardrail says STOP");
            }
            out.flush();
            return 0;
        }
    }

    abstract static class Switching extends OnOperation {
        @Option(names = "--deadline-ms", paramLabel = "MILLIS", description = "the longest clients may stay paused; past"
                + " it everything is put back and clients go on where they were (default 3000)")
        long deadlineMillis = BlueGreen.Options.defaults().deadline().toMillis();
        @Option(names = "--yes", description = "confirm: without it, only say what would happen")
        boolean yes;

        abstract boolean toGreen();

        @Override
        public Integer call() throws Exception {
            if (deadlineMillis < 100 || deadlineMillis > 60_000) {
                throw new IllegalArgumentException("--deadline-ms wants 100 to 60000 milliseconds, got " + deadlineMillis);
            }
            Catalog cat = catalog();
            BlueGreen bg = engine();
            String op = operation(cat);
            BlueGreenStatus st = bg.status(cat, op);
            PrintWriter err = cli().spec.commandLine().getErr();
            UpgradePlan plan = st.state().plan();
            String to = toGreen() ? plan.newId() : plan.oldId();
            if (!yes) {
                err.println("would pause the clients in PgBouncer for at most " + deadlineMillis + " ms, let " + to
                        + " apply the last commits, copy the sequences, start replication back and point PgBouncer at "
                        + to + ". " + (st.red().isEmpty() ? "Every guardrail is green." : "Refused now: "
                        + String.join("; ", st.red()) + ".") + " Nothing was changed. Add --yes to switch.");
                err.flush();
                return Cli.EXIT_REFUSED;
            }
            BlueGreen.Options o = new BlueGreen.Options(Duration.ofMillis(deadlineMillis),
                    BlueGreen.Options.defaults().sequenceMargin());
            BlueGreen.SwitchResult r;
            try {
                r = toGreen() ? bg.switchover(cat, op, o) : bg.switchBack(cat, op, o);
            } catch (CutoverRefusedException e) {
                err.println("twinshift: " + e.getMessage());
                err.flush();
                return Cli.EXIT_REFUSED;
            }
            if (cli().json) {
                cli().printJson(r);
            } else if (r.switched()) {
                cli().out().println(to + " serves; clients were paused " + r.pauseMillis() + " ms " + r.stepMillis());
                cli().out().println(toGreen() ? "the way back: `upgrade bluegreen rollback --cluster " + cluster()
                        + " --yes` (keeps every write); when content: `upgrade bluegreen finish --cluster " + cluster() + " --yes`"
                        : "blue serves again; switch over again, or abandon green with `upgrade bluegreen abandon`");
                cli().out().flush();
            } else {
                err.println("twinshift: clients stay on " + (toGreen() ? plan.oldId() : plan.newId()) + ", nothing changed"
                        + " for them: " + r.reason());
                err.flush();
            }
            return r.switched() ? 0 : Cli.EXIT_REFUSED;
        }
    }

    @Command(name = "switchover", description = "Move the clients to green, refused while a guardrail is red; runs on"
            + " the server with a deadline, so a lost console never leaves clients paused.")
    static final class Switchover extends Switching {
        @Override
        boolean toGreen() {
            return true;
        }
    }

    @Command(name = "rollback", description = "Move the clients back to blue, which has followed green since the"
            + " switchover: no write is lost.")
    static final class Rollback extends Switching {
        @Override
        boolean toGreen() {
            return false;
        }
    }

    abstract static class Ending extends OnOperation {
        @Option(names = "--yes", description = "confirm: without it, only say what would happen")
        boolean yes;

        abstract String would(BlueGreen.State s);

        abstract String run(BlueGreen bg, Catalog cat, String op) throws Exception;

        @Override
        public Integer call() throws Exception {
            Catalog cat = catalog();
            BlueGreen bg = engine();
            String op = operation(cat);
            if (!yes) {
                PrintWriter err = cli().spec.commandLine().getErr();
                err.println("would " + would(bg.state(cat, op)) + ". Nothing was changed. Add --yes to go ahead.");
                err.flush();
                return Cli.EXIT_REFUSED;
            }
            String what = run(bg, cat, op);
            if (cli().json) {
                cli().printJson(Map.of("operation", op, "outcome", what));
            } else {
                cli().out().println(what);
                cli().out().flush();
            }
            return 0;
        }
    }

    @Command(name = "finish", description = "End the upgrade with green serving: the way back is dropped, blue is"
            + " snapshotted (pinned), stopped and kept.")
    static final class Finish extends Ending {
        @Override
        String would(BlueGreen.State s) {
            return "drop the replication back to " + s.plan().oldId() + " (after this, going back means restoring its"
                    + " snapshot and losing the writes made on " + s.plan().newId() + "), snapshot and stop "
                    + s.plan().oldId() + " and set it to manual start";
        }

        @Override
        String run(BlueGreen bg, Catalog cat, String op) throws Exception {
            return bg.finish(cat, op);
        }
    }

    @Command(name = "abandon", description = "Give green up while blue serves: green, its slots, publications and the"
            + " marker schema are removed; blue is as before.")
    static final class Abandon extends Ending {
        @Override
        String would(BlueGreen.State s) {
            return "drop " + s.plan().newId() + " and every slot, publication and marker made for it; " + s.plan().oldId()
                    + " keeps serving as before";
        }

        @Override
        String run(BlueGreen bg, Catalog cat, String op) throws Exception {
            return bg.abandon(cat, op);
        }
    }
}
