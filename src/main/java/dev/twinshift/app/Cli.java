package dev.twinshift.app;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.HostKeyPrompt;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshConnector;
import dev.twinshift.ssh.SshException;
import dev.twinshift.ssh.SshTarget;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CatalogLock;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.CloneTree;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Json;
import dev.twinshift.storage.LockOwner;
import dev.twinshift.storage.LockedException;
import dev.twinshift.storage.Names;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.RefusedException;
import dev.twinshift.storage.RollbackResult;
import dev.twinshift.storage.RollbackService;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import dev.twinshift.storage.StorageAssessment;
import dev.twinshift.storage.StorageProbe;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The command-line face of the core: the same services the console uses, for scripts and for
 * administrators at a terminal.
 *
 * <pre>
 * twinshift --server tsadmin@db1:22 clusters
 * twinshift --server tsadmin@db1 snapshot create --cluster 13/main --label before-upgrade
 * twinshift --server tsadmin@db1 clone create --cluster 13/main --from 20250102T030405Z-before-upgrade try1
 * twinshift --server tsadmin@db1 rollback --cluster 13/main --to 20250102T030405Z-before-upgrade --yes
 * </pre>
 */
@Command(name = "twinshift", mixinStandardHelpOptions = true, version = "twinshift 0.1",
        description = "Snapshots, clones, rollback and rehearsed major upgrades of PostgreSQL clusters on copy-on-write storage, over SSH.",
        subcommands = {Cli.Clusters.class, Cli.Snapshot.class, Cli.Clone.class, Cli.Rollback.class, Cli.Lock.class,
                UpgradeCli.class})
public final class Cli {

    /** Opens the shell to a server; the console's SSH connector by default, another one in tests. */
    @FunctionalInterface
    public interface ShellFactory {
        RemoteShell open(SshTarget target) throws Exception;
    }

    static final int EXIT_REFUSED = 3;

    @Option(names = "--server", scope = ScopeType.INHERIT, paramLabel = "USER@HOST[:PORT]",
            description = "the server to work on")
    String server;

    @Option(names = "--identity", scope = ScopeType.INHERIT, paramLabel = "FILE", description = "private key to log in with")
    Path identity;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print results as JSON")
    boolean json;

    @Spec
    CommandSpec spec;

    private final ShellFactory factory;
    private RemoteShell shell;

    public Cli(ShellFactory factory) {
        this.factory = factory;
    }

    public Cli() {
        this(Cli::connect);
    }

    public static void main(String[] args) {
        System.exit(run(new Cli(), args));
    }

    /** Runs one command line; returns the exit code (0 done, 1 failed, 2 usage, 3 refused or locked). */
    public static int run(Cli cli, String... args) {
        return run(cli, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int run(Cli cli, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(cli);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            String msg = e instanceof SshException s ? s.explain() : e.getMessage();
            line.getErr().println("twinshift: " + (msg == null ? e.toString() : msg));
            line.getErr().flush();
            return e instanceof RefusedException || e instanceof LockedException || e instanceof IllegalArgumentException
                    ? EXIT_REFUSED : 1;
        });
        try {
            return cl.execute(args);
        } finally {
            cli.close();
        }
    }

    private void close() {
        if (shell instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing left to do with it
            }
        }
    }

    static SshTarget parseServer(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("say which server: --server USER@HOST[:PORT]");
        }
        String user = System.getProperty("user.name");
        String rest = s;
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            user = s.substring(0, at);
            rest = s.substring(at + 1);
        }
        int port = 22;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && rest.indexOf(']') < colon) {
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a port: " + rest.substring(colon + 1));
            }
            rest = rest.substring(0, colon);
        }
        if (rest.startsWith("[") && rest.endsWith("]")) {
            rest = rest.substring(1, rest.length() - 1);
        }
        return SshTarget.of(user, rest, port);
    }

    private static RemoteShell connect(SshTarget target) throws SshException {
        Console console = System.console();
        HostKeyPrompt keys = console == null ? HostKeyPrompt.REFUSE : (host, port, type, fp) -> {
            String a = console.readLine("The host key of %s:%d is not known.%n%s key fingerprint is %s.%n"
                    + "Trust it and add it to known_hosts? [y/N] ", host, port, type, fp);
            return a != null && a.strip().equalsIgnoreCase("y");
        };
        PasswordPrompt pw = console == null ? PasswordPrompt.NONE : u -> console.readPassword("Password for %s: ", u);
        return SshConnector.standard().connect(target, keys, pw);
    }

    RemoteShell shell() throws Exception {
        if (shell == null) {
            SshTarget t = parseServer(server);
            if (identity != null) {
                t = t.withIdentity(identity);
            }
            shell = factory.open(t);
        }
        return shell;
    }

    Actor actor() {
        return Actor.local(parseServer(server).user());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    Progress progress() {
        PrintWriter err = spec.commandLine().getErr();
        return m -> {
            err.println("  " + m);
            err.flush();
        };
    }

    void printJson(Object o) throws Exception {
        out().println(Json.mapper().writeValueAsString(o));
        out().flush();
    }

    PgCluster cluster(String id) throws Exception {
        return new ClusterDiscovery(shell()).find(id);
    }

    Catalog catalogOf(String clusterId) throws Exception {
        return ClusterVolume.resolve(shell(), cluster(clusterId)).catalog();
    }

    static String size(long bytes) {
        if (bytes < 0) {
            return "?";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format("%.1f %s", v, units[u]);
    }

    static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i) == null ? 1 : r.get(i).length());
            }
        }
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                String cell = r.get(i) == null ? "-" : r.get(i);
                b.append(i == w.length - 1 ? cell : String.format("%-" + w[i] + "s  ", cell));
            }
            out.println(b.toString().stripTrailing());
        }
        out.flush();
    }

    // ---- clusters ---------------------------------------------------------------------------------

    @Command(name = "clusters", description = "List the server's clusters with where their data and WAL are and which"
            + " snapshot method their storage allows.")
    static final class Clusters implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Override
        public Integer call() throws Exception {
            List<PgCluster> all = new ClusterDiscovery(cli.shell()).discover();
            StorageProbe probe = new StorageProbe(cli.shell());
            List<Map<String, Object>> js = new ArrayList<>();
            List<List<String>> rows = new ArrayList<>();
            for (PgCluster c : all) {
                StorageAssessment a = probe.assess(c.dataDirectory());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cluster", c);
                m.put("storage", a);
                js.add(m);
                rows.add(List.of(c.id(), Integer.toString(c.port()), c.status(), c.owner(), c.dataDirectory(),
                        c.walDirectory() == null ? "?" : c.walInsideDataDirectory() ? "inside" : c.walDirectory(),
                        c.tablespaces().isEmpty() ? "-" : Integer.toString(c.tablespaces().size()), size(c.sizeBytes()),
                        a.method().name()));
            }
            if (cli.json) {
                cli.printJson(js);
            } else {
                table(cli.out(), List.of("CLUSTER", "PORT", "STATUS", "OWNER", "DATA", "WAL", "TABLESPACES", "SIZE",
                        "STORAGE"), rows);
                for (Map<String, Object> m : js) {
                    StorageAssessment a = (StorageAssessment) m.get("storage");
                    PgCluster c = (PgCluster) m.get("cluster");
                    cli.out().println(c.id() + ": " + a.reason() + (a.advice() == null ? "" : "\n    to improve: " + a.advice()));
                }
                cli.out().flush();
            }
            return 0;
        }
    }

    // ---- snapshots --------------------------------------------------------------------------------

    @Command(name = "snapshot", description = "Take, list and delete snapshots.",
            subcommands = {Snapshot.Create.class, Snapshot.ListCmd.class, Snapshot.Delete.class, Snapshot.Pin.class,
                    Snapshot.Tree.class})
    static final class Snapshot {
        @ParentCommand
        Cli cli;

        @Command(name = "create", description = "Snapshot a cluster (CHECKPOINT, then one atomic snapshot).")
        static final class Create implements Callable<Integer> {
            @ParentCommand
            Snapshot parent;
            @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
            String cluster;
            @Option(names = "--label", description = "letters, digits, '.', '_', '-'; up to 63")
            String label;
            @Option(names = "--reason", defaultValue = "MANUAL", description = "one of ${COMPLETION-CANDIDATES}")
            Reason reason;

            @Override
            public Integer call() throws Exception {
                if (label != null) {
                    Names.requireValid("snapshot label", label);
                }
                Cli cli = parent.cli;
                SnapshotRecord s = new SnapshotService(cli.shell(), cli.actor(), cli.progress())
                        .create(cli.cluster(cluster), reason, label);
                if (cli.json) {
                    cli.printJson(s);
                } else {
                    cli.out().println(s.id() + "  taken at WAL " + s.walLsn() + " (timeline " + s.timeline() + ")");
                    cli.out().flush();
                }
                return 0;
            }
        }

        @Command(name = "list", description = "Snapshots of a cluster, oldest first.")
        static final class ListCmd implements Callable<Integer> {
            @ParentCommand
            Snapshot parent;
            @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
            String cluster;

            @Override
            public Integer call() throws Exception {
                Cli cli = parent.cli;
                SnapshotService svc = new SnapshotService(cli.shell(), cli.actor(), cli.progress());
                ClusterVolume v = svc.volumeOf(cli.cluster(cluster));
                List<SnapshotRecord> list = svc.list(v);
                List<CloneRecord> clones = v.catalog().clones();
                if (cli.json) {
                    cli.printJson(list);
                    return 0;
                }
                List<List<String>> rows = new ArrayList<>();
                for (SnapshotRecord s : list) {
                    String children = String.join(",", clones.stream().filter(c -> s.id().equals(c.parent()))
                            .map(CloneRecord::name).toList());
                    rows.add(java.util.Arrays.asList(s.name(), s.createdAt().toString(), s.reason().name(),
                            s.createdBy() == null ? "?" : s.createdBy().display(), s.walLsn(),
                            s.pinned() ? "yes" : "", children.isEmpty() ? "" : children));
                }
                table(cli.out(), List.of("SNAPSHOT", "TAKEN", "WHY", "BY", "WAL", "PINNED", "CLONES"), rows);
                return 0;
            }
        }

        @Command(name = "pin", description = "Keep a snapshot regardless of age (--off to release it).")
        static final class Pin implements Callable<Integer> {
            @ParentCommand
            Snapshot parent;
            @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
            String cluster;
            @Option(names = "--off", description = "unpin")
            boolean off;
            @Parameters(paramLabel = "SNAPSHOT")
            String snapshot;

            @Override
            public Integer call() throws Exception {
                Cli cli = parent.cli;
                SnapshotRecord s = new SnapshotService(cli.shell(), cli.actor(), cli.progress())
                        .pin(cli.catalogOf(cluster), snapshot, !off);
                if (cli.json) {
                    cli.printJson(s);
                } else {
                    cli.out().println(s.id() + (s.pinned() ? " pinned" : " unpinned"));
                    cli.out().flush();
                }
                return 0;
            }
        }

        @Command(name = "tree", description = "Snapshots and clones of the filesystem holding a cluster, as a tree.")
        static final class Tree implements Callable<Integer> {
            @ParentCommand
            Snapshot parent;
            @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
            String cluster;

            @Override
            public Integer call() throws Exception {
                Cli cli = parent.cli;
                Catalog cat = cli.catalogOf(cluster);
                List<CloneTree.Node> tree = CloneTree.build(cat.snapshots(), cat.clones());
                if (cli.json) {
                    cli.printJson(tree);
                } else {
                    cli.out().print(CloneTree.render(tree));
                    cli.out().flush();
                }
                return 0;
            }
        }

        @Command(name = "delete", description = "Delete a snapshot (not when pinned or cloned).")
        static final class Delete implements Callable<Integer> {
            @ParentCommand
            Snapshot parent;
            @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
            String cluster;
            @Parameters(paramLabel = "SNAPSHOT")
            String snapshot;

            @Override
            public Integer call() throws Exception {
                Cli cli = parent.cli;
                new SnapshotService(cli.shell(), cli.actor(), cli.progress()).delete(cli.catalogOf(cluster), snapshot);
                return 0;
            }
        }
    }

    // ---- clones -----------------------------------------------------------------------------------

    @Command(name = "clone", description = "Writable clones of snapshots, run as their own servers.",
            subcommands = {Clone.Create.class, Clone.Start.class, Clone.Stop.class, Clone.Destroy.class,
                    Clone.ListCmd.class})
    static final class Clone {
        @ParentCommand
        Cli cli;

        abstract static class Named implements Callable<Integer> {
            @ParentCommand
            Clone parent;
            @Option(names = "--cluster", required = true, paramLabel = "VER/NAME",
                    description = "the cluster whose snapshot the clone comes from")
            String cluster;
            @Parameters(paramLabel = "NAME")
            String name;

            /** Names are checked before anything is sent to the server. */
            CloneService service() {
                Names.requireValid("clone name", name);
                Cli cli = parent.cli;
                return new CloneService(shellOrThrow(cli), cli.actor(), cli.progress());
            }

            void print(CloneRecord c, CloneService svc, Catalog cat) throws Exception {
                Cli cli = parent.cli;
                if (cli.json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("clone", c);
                    if (c.port() != null) {
                        CloneServer.Spec s = svc.spec(cat, c);
                        m.put("running", svc.isRunning(cat, c));
                        m.put("connection", s.connectionString("postgres"));
                        m.put("uri", s.localhostUri("postgres"));
                    }
                    cli.printJson(m);
                } else {
                    cli.out().println(c.name() + "  from " + c.parent() + "  data " + c.dataDirectory());
                    if (c.port() != null) {
                        CloneServer.Spec s = svc.spec(cat, c);
                        cli.out().println("  psql \"" + s.connectionString("postgres") + "\"   (or " + s.localhostUri("postgres")
                                + ")");
                    }
                    cli.out().flush();
                }
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
                Catalog cat = parent.cli.catalogOf(cluster);
                print(svc.create(cat, from, name), svc, cat);
                return 0;
            }
        }

        @Command(name = "start", description = "Start a clone on a free port, cut off from production.")
        static final class Start extends Named {
            @Override
            public Integer call() throws Exception {
                CloneService svc = service();
                Catalog cat = parent.cli.catalogOf(cluster);
                print(svc.start(cat, name), svc, cat);
                return 0;
            }
        }

        @Command(name = "stop", description = "Stop a running clone.")
        static final class Stop extends Named {
            @Override
            public Integer call() throws Exception {
                CloneService svc = service();
                svc.stop(parent.cli.catalogOf(cluster), name);
                return 0;
            }
        }

        @Command(name = "destroy", description = "Stop a clone and remove it (its snapshots stay).")
        static final class Destroy extends Named {
            @Override
            public Integer call() throws Exception {
                CloneService svc = service();
                svc.destroy(parent.cli.catalogOf(cluster), name);
                return 0;
            }
        }

        @Command(name = "list", description = "Clones in the catalog of a cluster's filesystem.")
        static final class ListCmd implements Callable<Integer> {
            @ParentCommand
            Clone parent;
            @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
            String cluster;

            @Override
            public Integer call() throws Exception {
                Cli cli = parent.cli;
                Catalog cat = cli.catalogOf(cluster);
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
                if (cli.json) {
                    cli.printJson(js);
                } else {
                    table(cli.out(), List.of("CLONE", "FROM", "VERSION", "PORT", "STATE", "BY"), rows);
                }
                return 0;
            }
        }
    }

    // ---- rollback ---------------------------------------------------------------------------------

    @Command(name = "rollback", description = "Put a cluster back to a snapshot. The current state is kept as a"
            + " PRE_ROLLBACK snapshot, so a rollback can be undone.")
    static final class Rollback implements Callable<Integer> {
        @ParentCommand
        Cli cli;
        @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
        String cluster;
        @Option(names = "--to", required = true, paramLabel = "SNAPSHOT")
        String to;
        @Option(names = "--yes", description = "confirm: without it, only say what would be lost")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            PgCluster c = cli.cluster(cluster);
            RollbackService rb = new RollbackService(cli.shell(), cli.actor(), cli.progress());
            Catalog cat = ClusterVolume.resolve(cli.shell(), c).catalog();
            Optional<SnapshotRecord> target = cat.snapshot(to);
            if (target.isEmpty()) {
                throw new RefusedException("no snapshot " + to + " in " + cat.root() + "; see `snapshot list --cluster "
                        + cluster + "`");
            }
            if (!yes) {
                PrintWriter err = cli.spec.commandLine().getErr();
                err.println(rb.preview(c, target.get()));
                err.println("Nothing was changed. Add --yes to roll back.");
                err.flush();
                return EXIT_REFUSED;
            }
            RollbackResult r = rb.rollback(c, target.get().id());
            if (cli.json) {
                cli.printJson(r);
            } else {
                cli.out().println(c.id() + " rolled back to " + r.restored().id() + " (down " + r.downtime().toMillis()
                        + " ms). Undo: rollback --cluster " + c.id() + " --to " + r.safety().id() + " --yes");
                cli.out().flush();
            }
            return 0;
        }
    }

    // ---- lock -------------------------------------------------------------------------------------

    @Command(name = "lock", description = "Show or break the catalog lock of a cluster's filesystem.",
            subcommands = {Lock.Show.class, Lock.Break.class})
    static final class Lock {
        @ParentCommand
        Cli cli;

        @Command(name = "show")
        static final class Show implements Callable<Integer> {
            @ParentCommand
            Lock parent;
            @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
            String cluster;

            @Override
            public Integer call() throws Exception {
                Cli cli = parent.cli;
                Catalog cat = cli.catalogOf(cluster);
                Optional<LockOwner> h = CatalogLock.holder(cat);
                boolean held = cat.exists(cat.lockDir());
                if (cli.json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("locked", held);
                    m.put("owner", h.orElse(null));
                    cli.printJson(m);
                } else {
                    cli.out().println(!held ? "not locked" : h.map(LockOwner::describe).orElse("locked (owner unknown)"));
                    cli.out().flush();
                }
                return 0;
            }
        }

        @Command(name = "break", description = "Remove a lock whose holder is gone (a crashed console).")
        static final class Break implements Callable<Integer> {
            @ParentCommand
            Lock parent;
            @Option(names = "--cluster", required = true, paramLabel = "VER/NAME")
            String cluster;
            @Option(names = "--yes", description = "confirm")
            boolean yes;

            @Override
            public Integer call() throws Exception {
                Cli cli = parent.cli;
                Catalog cat = cli.catalogOf(cluster);
                Optional<LockOwner> h = CatalogLock.holder(cat);
                if (!yes) {
                    cli.spec.commandLine().getErr().println("would break: " + h.map(LockOwner::describe)
                            .orElse("no lock or owner unknown") + "; add --yes if that holder is really gone");
                    cli.spec.commandLine().getErr().flush();
                    return EXIT_REFUSED;
                }
                CatalogLock.breakLock(cat);
                cli.out().println("lock broken" + h.map(o -> " (was " + o.describe() + ")").orElse(""));
                cli.out().flush();
                return 0;
            }
        }
    }
}
