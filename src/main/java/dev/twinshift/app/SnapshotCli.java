package dev.twinshift.app;

import dev.twinshift.schedule.ScheduleService;
import dev.twinshift.schedule.ScheduleStatus;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneTree;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Names;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code twinshift snapshot ...}: a cluster's snapshots taken, listed, kept and deleted, and their age checked. */
@Command(name = "snapshot", description = "Take, list and delete snapshots.",
        subcommands = {SnapshotCli.Create.class, SnapshotCli.ListCmd.class, SnapshotCli.Delete.class, SnapshotCli.Pin.class,
                SnapshotCli.Tree.class, SnapshotCli.Check.class})
final class SnapshotCli {
    @ParentCommand
    Cli cli;

    @Command(name = "create", description = "Snapshot a cluster (CHECKPOINT, then one atomic snapshot).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        SnapshotCli parent;
        @Mixin
        ClusterOption cluster;
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
                    .create(cli.cluster(cluster.id()), reason, label);
            cli.output().print(() -> s,
                    out -> out.println(s.id() + "  taken at WAL " + s.walLsn() + " (timeline " + s.timeline() + ")"));
            return 0;
        }
    }

    @Command(name = "check", description = "Monitoring, Nagios-style: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN and one"
            + " line, from the age of the newest snapshot and the scheduled job's last run (a failed run is at least"
            + " WARNING). E.g. --warn 90m --crit 6h.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        SnapshotCli parent;
        @Mixin
        ClusterOption cluster;
        @Option(names = "--warn", required = true, paramLabel = "DURATION", description = "e.g. 90m, 6h, 2d")
        String warn;
        @Option(names = "--crit", required = true, paramLabel = "DURATION", description = "e.g. 6h, 2d")
        String crit;

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            ScheduleStatus.Check c;
            try {
                c = new ScheduleService(cli.shell(), Progress.NONE)
                        .check(ClusterVolume.resolve(cli.shell(), cli.cluster(cluster.id())), warn, crit);
            } catch (Exception e) {
                // Monitoring reads the exit code: whatever went wrong is UNKNOWN, never a usage or refusal code.
                String msg = e instanceof SshException s ? s.explain() : e.getMessage();
                c = new ScheduleStatus.Check(3, "UNKNOWN: " + (msg == null ? e.toString() : msg)
                        .replace('\n', ' '));
            }
            ScheduleStatus.Check check = c;
            try {
                cli.output().print(() -> check, out -> out.println(check.line()));
            } catch (Exception e) {
                // Not even the JSON may turn the verdict into an error: the line is the answer then.
                cli.out().println(c.line());
            }
            cli.out().flush();
            return c.code();
        }
    }

    @Command(name = "list", description = "Snapshots of a cluster, oldest first.")
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        SnapshotCli parent;
        @Mixin
        ClusterOption cluster;

        @Override
        public Integer call() throws Exception {
            Cli cli = parent.cli;
            SnapshotService svc = new SnapshotService(cli.shell(), cli.actor(), cli.progress());
            ClusterVolume v = svc.volumeOf(cli.cluster(cluster.id()));
            List<SnapshotRecord> list = svc.list(v);
            List<CloneRecord> clones = v.catalog().clones();
            cli.output().print(() -> list, out -> {
                List<List<String>> rows = new ArrayList<>();
                for (SnapshotRecord s : list) {
                    String children = String.join(",", clones.stream().filter(c -> s.id().equals(c.parent()))
                            .map(CloneRecord::name).toList());
                    rows.add(java.util.Arrays.asList(s.name(), s.createdAt().toString(), s.reason().name(),
                            s.createdBy() == null ? "?" : s.createdBy().display(), s.walLsn(),
                            s.pinned() ? "yes" : "", children.isEmpty() ? "" : children));
                }
                Output.table(out, List.of("SNAPSHOT", "TAKEN", "WHY", "BY", "WAL", "PINNED", "CLONES"), rows);
            });
            return 0;
        }
    }

    @Command(name = "pin", description = "Keep a snapshot regardless of age (--off to release it).")
    static final class Pin implements Callable<Integer> {
        @ParentCommand
        SnapshotCli parent;
        @Mixin
        ClusterOption cluster;
        @Option(names = "--off", description = "unpin")
        boolean off;
        @Parameters(paramLabel = "SNAPSHOT")
        String snapshot;

        @Override
        public Integer call() throws Exception {
            Cli cli = parent.cli;
            SnapshotRecord s = new SnapshotService(cli.shell(), cli.actor(), cli.progress())
                    .pin(cli.catalogOf(cluster.id()), snapshot, !off);
            cli.output().print(() -> s, out -> out.println(s.id() + (s.pinned() ? " pinned" : " unpinned")));
            return 0;
        }
    }

    @Command(name = "tree", description = "Snapshots and clones of the filesystem holding a cluster, as a tree.")
    static final class Tree extends OnCatalog {
        @Override
        int run(Cli cli, Catalog cat) throws Exception {
            List<CloneTree.Node> tree = CloneTree.build(cat.snapshots(), cat.clones());
            cli.output().print(() -> tree, out -> out.print(CloneTree.render(tree)));
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a snapshot (not when pinned or cloned).")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        SnapshotCli parent;
        @Mixin
        ClusterOption cluster;
        @Parameters(paramLabel = "SNAPSHOT")
        String snapshot;

        @Override
        public Integer call() throws Exception {
            Cli cli = parent.cli;
            new SnapshotService(cli.shell(), cli.actor(), cli.progress()).delete(cli.catalogOf(cluster.id()), snapshot);
            return 0;
        }
    }
}
