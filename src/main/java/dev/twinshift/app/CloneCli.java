package dev.twinshift.app;

import dev.twinshift.postgres.CloneServer;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Names;
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
                CloneCli.ListCmd.class})
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
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        CloneCli parent;
        @Mixin
        ClusterOption cluster;

        @Override
        public Integer call() throws Exception {
            Cli cli = parent.cli;
            Catalog cat = cli.catalogOf(cluster.id());
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
}
