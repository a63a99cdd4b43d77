package dev.twinshift.ui.timeline;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.schedule.RetentionPlan;
import dev.twinshift.schedule.SnapshotPolicy;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.StorageMethod;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import dev.twinshift.ui.tasks.ManualTaskExecutor;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Snapshots, clones and a cluster for the timeline's tests and demos. */
public final class TimelineFixtures {
    public static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    public static final Actor ADMIN = new Actor("tsadmin", "alice", "laptop");
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneId.of("UTC"));

    private TimelineFixtures() {}

    /** A server that is not there: every command fails, so nothing in a test reaches further than the view. */
    public static final class NoServer implements RemoteShell {
        @Override
        public String serverName() {
            return "db1";
        }

        @Override
        public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException {
            throw new SshException(SshException.Kind.COMMAND_FAILED, "no server in this test");
        }
    }

    public static PgCluster cluster(String name) {
        return new PgCluster("13", name, 5432, true, "online", "postgres", "/srv/data/13/" + name,
                "/etc/postgresql/13/" + name, "/var/run/postgresql", null, "/srv/data/13/" + name + "/pg_wal", List.of(),
                1_000_000L, PgCluster.Manager.POSTGRESQL_COMMON);
    }

    public static SnapshotRecord snapshot(Instant at, Reason reason, String label, boolean pinned) {
        String name = NAME.format(at) + (label == null ? "" : "-" + label);
        return new SnapshotRecord("13-main/" + name, name, "13-main", at, ADMIN, reason, label, "13/main", "13",
                "0/" + Long.toHexString(0x3000000L + at.getEpochSecond() % 0xFFFFFF).toUpperCase(), 1, "/srv/data/13/main", null,
                pinned, StorageMethod.BTRFS_SUBVOLUME, "/srv/data/.twinshift/snapshots/13-main/" + name, true);
    }

    /** {@code n} scheduled snapshots an hour apart, the last at {@code newest}. */
    public static List<SnapshotRecord> hourly(int n, Instant newest) {
        List<SnapshotRecord> out = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            out.add(snapshot(newest.minus(Duration.ofHours(i)), Reason.SCHEDULED, null, false));
        }
        return out;
    }

    public static CloneItem clone(String name, SnapshotRecord from, boolean running) {
        CloneRecord r = new CloneRecord(name, from.createdAt().plusSeconds(600), ADMIN, from.id(), "13/main", "13", "postgres",
                StorageMethod.BTRFS_SUBVOLUME, "/srv/data/.twinshift/clones/" + name, "/srv/data/.twinshift/clones/" + name,
                "/etc/postgresql/13/main", running ? 54321 : null, null);
        return new CloneItem(r, running, running ? "host=/tmp port=54321 dbname=postgres" : "");
    }

    /**
     * A cluster view showing 13/main of a server that is not there, its own read cancelled, holding
     * {@code snaps} and {@code clones} as if the server had listed them.
     */
    public static ClusterViewModel showing(List<SnapshotRecord> snaps, List<CloneItem> clones) {
        return showing(new ManualTaskExecutor(), snaps, clones);
    }

    /** The same, with the cluster view's own tasks held by {@code t} for the test to look at. */
    public static ClusterViewModel showing(ManualTaskExecutor t, List<SnapshotRecord> snaps, List<CloneItem> clones) {
        ClusterViewModel m = new ClusterViewModel(t);
        m.show(new NoServer(), "tsadmin", cluster("main"));
        t.cancel(0);
        List<SnapshotRecord> newestFirst = new ArrayList<>(snaps);
        newestFirst.sort(Comparator.comparing(SnapshotRecord::createdAt).reversed());
        m.snapshots().setAll(newestFirst);
        m.clones().setAll(clones);
        return m;
    }

    /**
     * A stand-in for the server's dry run, for the view to draw: keeps the newest {@code hourly}
     * snapshots, pinned and pre-upgrade ones and the newest; prunes the rest. (The real rule is the
     * server script's; the view only shows what a plan says.)
     */
    public static RetentionPlan plan(List<SnapshotRecord> snaps, SnapshotPolicy p) {
        List<SnapshotRecord> sorted = new ArrayList<>(snaps);
        sorted.sort(Comparator.comparing(SnapshotRecord::createdAt));
        List<RetentionPlan.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            SnapshotRecord s = sorted.get(i);
            int age = sorted.size() - 1 - i;
            List<String> why = new ArrayList<>();
            if (age < p.hourly()) {
                why.add("hourly " + (age + 1) + "/" + p.hourly());
            }
            if (s.pinned()) {
                why.add("pinned");
            }
            if (s.reason() == Reason.PRE_UPGRADE && p.keepUpgradeSafety()) {
                why.add("pre-upgrade");
            }
            if (age == 0) {
                why.add("newest");
            }
            boolean keep = !why.isEmpty();
            verdicts.add(new RetentionPlan.Verdict(s.id(), s.name(), s.createdAt(), s.reason().name(),
                    keep ? RetentionPlan.Fate.KEEP : RetentionPlan.Fate.PRUNE,
                    keep ? why : List.of("beyond the newest " + p.hourly() + " hours")));
        }
        return new RetentionPlan("13/main", "13-main", Instant.now(), p.toString(), null, verdicts, null);
    }
}
