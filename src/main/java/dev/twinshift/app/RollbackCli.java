package dev.twinshift.app;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.OperationState;
import dev.twinshift.storage.RefusedException;
import dev.twinshift.storage.RollbackResult;
import dev.twinshift.storage.RollbackService;
import dev.twinshift.storage.SnapshotRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code twinshift rollback ...}: a cluster put back to a snapshot, and a journaled rollback finished or undone. */
@Command(name = "rollback", description = "Put a cluster back to a snapshot. The current state is kept as a"
        + " PRE_ROLLBACK snapshot, so a rollback can be undone. Every step is journaled on the server: an"
        + " interrupted rollback is shown by `rollback status` and finished or undone from any console.",
        subcommands = {RollbackCli.Status.class, RollbackCli.Resume.class, RollbackCli.Undo.class})
final class RollbackCli implements Callable<Integer> {
    @ParentCommand
    Cli cli;
    // Not the required ClusterOption: status, resume and undo are reached through this command without
    // a --cluster of its own, so call() says what a rollback itself is missing.
    @Option(names = "--cluster", paramLabel = "VER/NAME")
    String cluster;
    @Option(names = "--to", paramLabel = "SNAPSHOT")
    String to;
    @Option(names = "--yes", description = "confirm: without it, only say what would be lost")
    boolean yes;

    @Override
    public Integer call() throws Exception {
        if (cluster == null || to == null) {
            throw new CommandLine.ParameterException(cli.spec.commandLine().getSubcommands().get("rollback"),
                    "rollback needs --cluster VER/NAME and --to SNAPSHOT (or one of: status, resume, undo)");
        }
        PgCluster c = cli.cluster(cluster);
        RollbackService rb = new RollbackService(cli.shell(), cli.actor(), cli.progress());
        Catalog cat = ClusterVolume.resolve(cli.shell(), c).catalog();
        Optional<SnapshotRecord> target = cat.snapshot(to);
        if (target.isEmpty()) {
            throw new RefusedException("no snapshot " + to + " in " + cat.root() + "; see `snapshot list --cluster "
                    + cluster + "`");
        }
        if (!yes) {
            Map<String, Object> cost = rb.cost(c, target.get());
            cli.output().preview(() -> {
                cost.put("changed", false);
                cost.put("confirmWith", "--yes");
                return cost;
            }, err -> {
                err.println(cost.get("discards"));
                if (cost.containsKey("walBytesSince")) {
                    err.println("Since that snapshot " + Cli.size((Long) cost.get("walBytesSince")) + " of WAL were written;"
                            + " the stop cuts " + cost.get("sessionsCut") + " client session(s).");
                }
                err.println("Nothing was changed. Add --yes to roll back.");
            });
            return Cli.EXIT_REFUSED;
        }
        RollbackResult r = rb.rollback(c, target.get().id());
        cli.output().print(() -> r, out -> out.println(c.id() + " rolled back to " + r.restored().id() + " (down "
                + r.downtime().toMillis() + " ms). Undo: rollback --cluster " + c.id() + " --to " + r.safety().id() + " --yes"));
        return 0;
    }

    abstract static class Journaled implements Callable<Integer> {
        @ParentCommand
        RollbackCli parent;
        @Mixin
        ClusterOption cluster;

        Catalog catalog() throws Exception {
            Cli cli = parent.cli;
            RemoteShell sh = cli.shell();
            PgCluster listed = new ClusterDiscovery(sh).listed(cluster.id())
                    .orElseThrow(() -> new RefusedException("no cluster " + cluster.id() + " on " + sh.serverName()));
            return RollbackService.catalogOf(cli.shell(), listed);
        }
    }

    @Command(name = "status", description = "Rollbacks journaled on the cluster's filesystem; an unfinished one says"
            + " where it stopped and how to finish or undo it.")
    static final class Status extends Journaled {
        @Override
        public Integer call() throws Exception {
            Cli cli = parent.cli;
            String key = "-rollback-";
            List<OperationState> all = new ArrayList<>();
            for (OperationState st : RollbackService.journaled(cli.shell(), catalog())) {
                if (cluster.id().equals(st.plan().get("cluster")) && st.operation().contains(key)) {
                    all.add(st);
                }
            }
            cli.output().print(() -> all, out -> {
                if (all.isEmpty()) {
                    out.println("no rollback of " + cluster.id() + " is journaled");
                }
                for (OperationState st : all) {
                    out.println(st.operation() + "  to " + st.plan().get("target") + "  "
                            + (st.outcome() == null ? "UNFINISHED: " + st.where() + "; " + st.howToGoOn()
                            : st.outcome() + (st.lastMessage() == null ? "" : ": " + st.lastMessage())));
                }
            });
            return 0;
        }
    }

    @Command(name = "resume", description = "Finish an interrupted rollback (from any console).")
    static final class Resume extends Journaled {
        @Option(names = "--operation", required = true, paramLabel = "OP")
        String operation;

        @Override
        public Integer call() throws Exception {
            Cli cli = parent.cli;
            RollbackResult r = new RollbackService(cli.shell(), cli.actor(), cli.progress()).resume(catalog(), operation);
            cli.output().print(() -> r, out -> out.println(cluster.id() + " rolled back to " + r.restored().id()
                    + ". Undo: rollback --cluster " + cluster.id() + " --to " + r.safety().id() + " --yes"));
            return 0;
        }
    }

    @Command(name = "undo", description = "Put back the state from before an interrupted rollback (from any console).")
    static final class Undo extends Journaled {
        @Option(names = "--operation", required = true, paramLabel = "OP")
        String operation;

        @Override
        public Integer call() throws Exception {
            Cli cli = parent.cli;
            new RollbackService(cli.shell(), cli.actor(), cli.progress()).undo(catalog(), operation);
            cli.output().print(() -> Map.of("operation", operation, "undone", true),
                    out -> out.println(cluster.id() + " is back as it was before " + operation));
            return 0;
        }
    }
}
