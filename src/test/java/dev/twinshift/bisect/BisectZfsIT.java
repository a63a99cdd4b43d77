package dev.twinshift.bisect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import dev.twinshift.storage.StorageMethod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The same search on ZFS: probes are ZFS clones of ZFS snapshots of a scratch 15 cluster; a row a check
 * query flags appears after the 5th of 8 snapshots.
 */
class BisectZfsIT {

    @Test
    void aFlaggedRowIsFoundOnZfsSnapshotsAndNoProbeCloneIsLeft() throws Exception {
        RemoteShell shell = LabShell.admin(Lab.require());
        try (ScratchCluster sc = ScratchCluster.createZfs(shell, "15", "bz", true)) {
            sc.sql("postgres", "CREATE DATABASE app");
            sc.sql("app", "CREATE TABLE orders(id int PRIMARY KEY, total numeric(12,2))");
            SnapshotService snapshots = new SnapshotService(shell, BisectIT.ME, Progress.NONE);
            List<SnapshotRecord> snaps = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                if (i == 6) {
                    sc.sql("app", "INSERT INTO orders VALUES (1000, -5)");
                }
                sc.sql("app", "INSERT INTO orders SELECT g, g FROM generate_series(" + (i * 10) + ", " + (i * 10 + 9) + ") g");
                snaps.add(snapshots.create(sc.cluster(), Reason.MANUAL, String.format("z%02d", i)));
            }
            assertEquals(StorageMethod.ZFS_DATASET, snaps.get(0).method(), "the snapshots are ZFS snapshots");
            Catalog catalog = snapshots.volumeOf(sc.cluster()).catalog();
            List<String> liveSums = ScratchCluster.checksums(sc.psql(), "app");
            String liveStart = sc.psql().value("postgres", "SELECT pg_postmaster_start_time()");
            BisectResult done = null;
            try {
                List<String> lines = Collections.synchronizedList(new ArrayList<>());
                BisectResult r = new BisectService(shell, BisectIT.ME, lines::add).run(
                        BisectService.Request.of(sc.id(), new BisectCheck.SqlTrue("app", BisectIT.FLAG_CHECK)));
                done = r;
                assertEquals(BisectSearch.Outcome.FOUND, r.outcome(), r.message() + "\n" + String.join("\n", lines));
                assertEquals(snaps.get(4).id(), r.lastGood(), "the 5th");
                assertEquals(snaps.get(5).id(), r.firstBad(), "the 6th");
                assertTrue(r.probes().size() <= 4, r.probes().size() + " probes: " + r.probes());
                assertTrue(r.changes() != null, "what changed is reported: " + r.notes() + "\n" + String.join("\n", lines));
                assertTrue(r.changes().markdown().contains("`public.orders`"), r.changes().markdown());

                List<String> left = catalog.clones().stream().map(CloneRecord::name)
                        .filter(n -> n.startsWith(BisectRuns.CLONE_PREFIX)).toList();
                assertEquals(List.of(), left, "every probe clone is destroyed");
                assertTrue(shell.run(RemoteCommand.of("sh", "-c", "! zfs list -H -o name -r \"$1\" | grep -q /" + BisectRuns.CLONE_PREFIX,
                        "sh", ScratchCluster.ZFS_POOL).asRoot()).ok(), "no probe dataset is left in the pool");
                assertEquals(liveStart, sc.psql().value("postgres", "SELECT pg_postmaster_start_time()"), "live never restarted");
                assertEquals(liveSums, ScratchCluster.checksums(sc.psql(), "app"), "live's data unchanged");
            } finally {
                if (done != null) {
                    shell.run(RemoteCommand.of("rm", "-f", "--", catalog.root() + "/journal/" + done.operation() + ".jsonl",
                            BisectStore.path(catalog, done.id())).asRoot());
                }
            }
        }
    }
}
