package dev.twinshift.lab;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;

/**
 * Times what the benchmark script asks of the core, through the lab's SSH server: a snapshot of a
 * live cluster (CHECKPOINT included, and without it), and a clone of it until it accepts
 * connections. Prints {@code key=value} lines; removes the clone and the snapshot afterwards.
 * Usage: {@code SnapshotCloneBench VERSION/NAME}
 */
public final class SnapshotCloneBench {
    private SnapshotCloneBench() {}

    public static void main(String[] args) throws Exception {
        String clusterId = args[0];
        RemoteShell shell = LabShell.admin(Lab.require());
        Actor me = Actor.local("tsadmin");
        long[] snapshotStep = new long[1];
        SnapshotService snaps = new SnapshotService(shell, me, m -> {
            if (m.startsWith("snapshot ") && m.contains(" -> ")) {
                snapshotStep[0] = System.nanoTime();
            }
        });
        CloneService clones = new CloneService(shell, me, null);
        PgCluster c = new ClusterDiscovery(shell).find(clusterId);
        Catalog cat = snaps.volumeOf(c).catalog();
        String name = "bench-" + c.name();

        long t0 = System.nanoTime();
        SnapshotRecord s = snaps.create(c, Reason.MANUAL, "bench");
        long t1 = System.nanoTime();
        clones.create(cat, s.id(), name);
        CloneRecord r = clones.start(cat, name);
        boolean answers = new CloneServer(shell).psql(clones.spec(cat, r)).answers("postgres");
        long t2 = System.nanoTime();
        String accounts = new CloneServer(shell).psql(clones.spec(cat, r)).value("postgres",
                "SELECT count(*) FROM pgbench_accounts");

        System.out.println("snapshot_ms=" + ms(t1 - t0));
        System.out.println("snapshot_after_checkpoint_ms=" + ms(t1 - snapshotStep[0]));
        System.out.println("clone_ready_ms=" + ms(t2 - t1));
        System.out.println("clone_answers=" + answers);
        System.out.println("clone_accounts=" + accounts);

        clones.destroy(cat, name);
        snaps.delete(cat, s.id());
    }

    private static long ms(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
