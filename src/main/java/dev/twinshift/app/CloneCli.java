package dev.twinshift.app;

import dev.twinshift.postgres.CloneServer;
import dev.twinshift.schedule.IdleClone;
import dev.twinshift.schedule.IdleCloneService;
import dev.twinshift.schedule.IdleClonePolicy;
import dev.twinshift.schedule.ScheduleService;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code twinshift clone ...}: writable clones of a snapshot, each run as its own server. */
@Command(name = "clone", description = "Writable clones of snapshots, run as their own servers.",
        subcommands = {CloneCli.Create.class, CloneCli.Start.class, CloneCli.Stop.class, CloneCli.Destroy.class,
                CloneCli.ListCmd.class, CloneCli.Idle.class, CloneCli.Protect.class, CloneCli.Unprotect.class,
                CloneCli.IdlePolicy.class})
final class CloneCli {
    @ParentCommand
    Cli cli;

    abstract static class Named implements Callable<Integer> {
        @ParentCommand
        CloneCli parent;
        @Mixin
        ClusterOption.CloneSource cluster;
        @Parameters(paramLabel = "NAME")
        String name;

        /** Names are checked before anything is sent to the server. */
        CloneService service() {
            Names.requireValid("clone name", name);
            Cli cli = parent.cli;
            return new CloneService(shellOrThrow(cli), cli.actor(), cli.progress());
        }

        void print(CloneRecord c, CloneService svc, Catalog cat) throws Exception {
            parent.cli.output().print(() -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("clone", c);
                if (c.port() != null) {
                    CloneServer.Spec s = svc.spec(cat, c);
                    m.put("running", svc.isRunning(cat, c));
                    m.put("connection", s.connectionString("postgres"));
                    m.put("uri", s.localhostUri("postgres"));
                }
                return m;
            }, out -> {
                out.println(c.name() + "  from " + c.parent() + "  data " + c.dataDirectory());
                if (c.port() != null) {
                    CloneServer.Spec s = svc.spec(cat, c);
                    out.println("  psql \"" + s.connectionString("postgres") + "\"   (or " + s.localhostUri("postgres")
                            + ")");
                }
            });
        }
    }

    static RemoteShell shellOrThrow(Cli cli) {
        try {
            return cli.shell();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Command(name = "create", description = "Make a writable clone of a snapshot (not started).")
    static final class Create extends Named {
        @Option(names = "--from", required = true, paramLabel = "SNAPSHOT")
        String from;

        @Override
        public Integer call() throws Exception {
            CloneService svc = service();
            Catalog cat = parent.cli.catalogOf(cluster.id());
            print(svc.create(cat, from, name), svc, cat);
            return 0;
        }
    }

    @Command(name = "start", description = "Start a clone on a free port, cut off from production.")
    static final class Start extends Named {
        @Override
        public Integer call() throws Exception {
            CloneService svc = service();
            Catalog cat = parent.cli.catalogOf(cluster.id());
            print(svc.start(cat, name), svc, cat);
            return 0;
        }
    }

    @Command(name = "stop", description = "Stop a running clone.")
    static final class Stop extends Named {
        @Override
        public Integer call() throws Exception {
            CloneService svc = service();
            svc.stop(parent.cli.catalogOf(cluster.id()), name);
            return 0;
        }
    }

    @Command(name = "destroy", description = "Stop a clone and remove it (its snapshots stay).")
    static final class Destroy extends Named {
        @Override
        public Integer call() throws Exception {
            CloneService svc = service();
            svc.destroy(parent.cli.catalogOf(cluster.id()), name);
            return 0;
        }
    }

    @Command(name = "list", description = "Clones in the catalog of a cluster's filesystem.")
    static final class ListCmd extends OnCatalog {

        @Override
        int run(Cli cli, Catalog cat) throws Exception {
            CloneService svc = new CloneService(cli.shell(), cli.actor(), cli.progress());
            List<CloneRecord> all = svc.list(cat);
            Map<String, String> stopped = svc.stopReasons(cat);
            List<Map<String, Object>> js = new ArrayList<>();
            List<List<String>> rows = new ArrayList<>();
            for (CloneRecord c : all) {
                boolean running = c.port() != null && svc.isRunning(cat, c);
                String why = running ? null : stopped.get(c.name());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("clone", c);
                m.put("running", running);
                m.put("stoppedBecause", why);
                js.add(m);
                rows.add(java.util.Arrays.asList(c.name(), c.parent(), c.pgVersion(),
                        c.port() == null ? "" : c.port().toString(), running ? "running" : why != null ? why : "stopped",
                        c.createdBy() == null ? "?" : c.createdBy().display()));
            }
            cli.output().table(() -> js, List.of("CLONE", "FROM", "VERSION", "PORT", "STATE", "BY"), rows);
            return 0;
        }
    }

    static String idleFor(Duration d) {
        if (d == null) {
            return null;
        }
        long s = d.toSeconds();
        return s < 7200 ? s / 60 + " min" : s < 172_800 ? s / 3600 + " h" : s / 86_400 + " d";
    }

    static List<List<String>> idleRows(List<IdleClone> clones) {
        List<List<String>> rows = new ArrayList<>();
        for (IdleClone c : clones) {
            rows.add(java.util.Arrays.asList(c.name(), c.verdict().name(), c.running() ? "running" : "stopped",
                    c.connections() == null ? null : c.connections().toString(), idleFor(c.idleFor()), c.reason()));
        }
        return rows;
    }

    static final List<String> IDLE_HEADER = List.of("CLONE", "VERDICT", "STATE", "CONNS", "IDLE", "WHY");

    @Command(name = "idle", description = "Which clones are idle (no client connection) and what the server's hourly run"
            + " will do to them by the idle-clone policy: the server's own rule in dry-run (it records the connections it"
            + " sees and changes nothing else).")
    static final class Idle extends OnCatalog {

        @Override
        int run(Cli cli, Catalog cat) throws Exception {
            IdleCloneService svc = new IdleCloneService(cli.shell(), cli.progress());
            IdleClonePolicy policy = svc.policy(cat);
            List<IdleClone> clones = svc.preview(cat);
            cli.output().print(() -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("policy", policy.text());
                m.put("clones", clones);
                return m;
            }, out -> {
                out.println("policy " + policy.text() + " (" + IdleCloneService.policyPath(cat) + ")");
                Output.table(out, IDLE_HEADER, idleRows(clones));
            });
            return 0;
        }
    }

    @Command(name = "protect", description = "Protect a clone from the idle-clone policy: the hourly run never stops or"
            + " destroys it (who and when are recorded).")
    static final class Protect extends Named {
        @Override
        public Integer call() throws Exception {
            return mark(this, true);
        }
    }

    @Command(name = "unprotect", description = "Lift a clone's protection from the idle-clone policy.")
    static final class Unprotect extends Named {
        @Override
        public Integer call() throws Exception {
            return mark(this, false);
        }
    }

    static int mark(Named cmd, boolean on) throws Exception {
        Names.requireValid("clone name", cmd.name);
        Cli cli = cmd.parent.cli;
        Catalog cat = cli.catalogOf(cmd.cluster.id());
        new IdleCloneService(cli.shell(), cli.progress()).protect(cat, cmd.name, on, cli.actor());
        cli.output().print(() -> Map.of("clone", cmd.name, "protected", on), out ->
                out.println(cmd.name + (on ? ": protected; the idle-clone policy never stops or destroys it"
                        : ": no longer protected; the idle-clone policy applies to it")));
        return 0;
    }

    @Command(name = "idle-policy", description = "Show the catalog's idle-clone policy or, with --set, preview which clones a"
            + " new one would stop or destroy now and save it with --yes. Default: " + "idle-mark=24h idle-action=off"
            + " idle-after=7d (nothing is stopped or destroyed unless you choose it).")
    static final class IdlePolicy extends OnCatalog {
        @Option(names = "--set", paramLabel = "POLICY", description = "e.g. \"idle-mark=24h idle-action=stop idle-after=3d\""
                + " (keys not given keep their defaults)")
        String set;
        @Option(names = "--yes", description = "confirm: without it, only show what would change")
        boolean yes;
        private IdleClonePolicy wanted;

        @Override
        void check() {
            wanted = set == null ? null : IdleClonePolicy.parse(set);
        }

        @Override
        int run(Cli cli, Catalog cat) throws Exception {
            IdleCloneService svc = new IdleCloneService(cli.shell(), cli.progress());
            IdleClonePolicy now = svc.policy(cat);
            String path = IdleCloneService.policyPath(cat);
            if (wanted == null) {
                cli.output().print(() -> Map.of("path", path, "policy", now.text(), "markAfterSeconds",
                        now.markAfter().toSeconds(), "action", now.action(), "actAfterSeconds", now.actAfter().toSeconds()),
                        out -> out.println(now.text() + "   (" + path + ")"));
                return 0;
            }
            List<IdleClone> preview = svc.preview(cat, wanted);
            List<String> stop = preview.stream().filter(c -> c.verdict() == IdleClone.Verdict.STOP_DUE).map(IdleClone::name)
                    .toList();
            List<String> destroy = preview.stream().filter(c -> c.verdict() == IdleClone.Verdict.DESTROY_DUE)
                    .map(IdleClone::name).toList();
            if (!yes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", path);
                m.put("before", now.text());
                m.put("after", wanted.text());
                m.put("wouldStopNow", stop);
                m.put("wouldDestroyNow", destroy);
                m.put("clones", preview);
                m.put("changed", false);
                m.put("confirmWith", "--yes");
                cli.output().preview(() -> m, err -> {
                    err.println("Would write " + path + " (now: " + now.text() + "): " + wanted.text());
                    err.println(consequence(stop, destroy));
                    Output.table(err, IDLE_HEADER, idleRows(preview));
                    err.println("Nothing was changed. Add --yes to do it.");
                });
                return Cli.EXIT_REFUSED;
            }
            svc.savePolicy(cat, wanted);
            boolean jobRuns = new ScheduleService(cli.shell(), cli.progress()).installed()
                    .map(j -> j.catalogs().contains(cat.root())).orElse(false);
            cli.output().print(() -> Map.of("path", path, "policy", wanted.text(), "changed", true, "jobRuns", jobRuns), out -> {
                out.println("saved " + wanted.text() + " in " + path);
                out.println(consequence(stop, destroy).replace("would", "will"));
                if (!jobRuns) {
                    out.println("the server's hourly job does not run this catalog yet: twinshift schedule install --yes");
                }
            });
            return 0;
        }

        static String consequence(List<String> stop, List<String> destroy) {
            if (stop.isEmpty() && destroy.isEmpty()) {
                return "With it, the next hourly run would stop or destroy no clone now.";
            }
            StringBuilder b = new StringBuilder("With it, the next hourly run would");
            if (!stop.isEmpty()) {
                b.append(" stop ").append(String.join(", ", stop));
            }
            if (!destroy.isEmpty()) {
                b.append(stop.isEmpty() ? "" : " and").append(" DESTROY ").append(String.join(", ", destroy))
                        .append(" (each can be made again from its snapshot, losing the writes made in it)");
            }
            return b.append('.').toString();
        }
    }
}
