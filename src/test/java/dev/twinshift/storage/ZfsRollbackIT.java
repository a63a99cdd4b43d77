package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rollback of a cluster whose PGDATA is a ZFS dataset: on a scratch dataset and cluster of its own in
 * the lab pool (never the shared 15/zfs), with its undo, the snapshots around it, and a failure.
 */
class ZfsRollbackIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "zfs-rollback-it");

    @BeforeAll
    static void lab() {
        Lab lab = Lab.require();
        Assumptions.assumeTrue(lab.descriptor().has("zfsPool"), "the lab has no ZFS pool");
        shell = LabShell.admin(lab);
    }

    private static void changeSome(ScratchCluster sc) throws Exception {
        sc.sql("postgres", "UPDATE accounts SET owner = owner || '!' WHERE id % 11 = 0");
        sc.sql("postgres", "INSERT INTO events(what) SELECT 'next' || g FROM generate_series(1, 300) g");
    }

    private static String zfsGet(String props, String dataset) throws Exception {
        return shell.check(RemoteCommand.of("zfs", "get", "-H", "-o", "value,source", props, dataset).asRoot())
                .stdout().strip();
    }

    /** The scratch dataset's set-aside datasets, as zfs lists them. */
    private static List<String> asides(ScratchCluster sc) throws Exception {
        var r = shell.run(RemoteCommand.of("zfs", "list", "-H", "-o", "name", "-t", "filesystem", "-r",
                ScratchCluster.ZFS_POOL + "/twinshift/replaced").asRoot());
        return r.stdout().lines().filter(l -> l.startsWith(ScratchCluster.ZFS_POOL + "/twinshift/replaced/" + sc.name() + "-"))
                .toList();
    }

    private static Set<String> zfsSnapshots() throws Exception {
        return shell.check(RemoteCommand.of("zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-r",
                ScratchCluster.ZFS_POOL).asRoot()).stdout().lines().map(String::strip).collect(Collectors.toSet());
    }

    /** Every snapshot of the scratch cluster is listed with a location zfs knows. */
    private static List<SnapshotRecord> assertSnapshotsResolve(ScratchCluster sc, List<SnapshotRecord> expected)
            throws Exception {
        List<SnapshotRecord> listed = new SnapshotService(shell, ME, Progress.NONE).list(sc.cluster());
        Set<String> ids = listed.stream().map(SnapshotRecord::id).collect(Collectors.toSet());
        for (SnapshotRecord e : expected) {
            assertTrue(ids.contains(e.id()), e.id() + " is still listed: " + ids);
        }
        Set<String> onDisk = zfsSnapshots();
        for (SnapshotRecord s : listed) {
            assertTrue(onDisk.contains(s.location()), "the sidecar of " + s.id() + " points at " + s.location()
                    + ", which zfs has");
        }
        return listed;
    }

    /** A clone of the snapshot starts and holds exactly the snapshot's rows. */
    private static void assertClonesTo(Catalog cat, SnapshotRecord snap, List<String> expected, String cloneName)
            throws Exception {
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        try {
            clones.create(cat, snap.id(), cloneName);
            CloneRecord c = clones.start(cat, cloneName);
            Psql p = new CloneServer(shell).psql(clones.spec(cat, c));
            assertEquals(expected, ScratchCluster.checksums(p, "postgres"), "a clone of " + snap.id());
        } finally {
            if (cat.clone(cloneName).isPresent()) {
                clones.destroy(cat, cloneName);
            }
        }
    }

    @Test
    void rollbackThenUndoKeepsEverySnapshot() throws Exception {
        try (ScratchCluster sc = ScratchCluster.createZfs(shell, "15", "zrb", true)) {
            SnapshotService snaps = new SnapshotService(shell, ME, Progress.NONE);
            // Properties set on the dataset itself stay with it, though a clone would inherit them from its parent.
            shell.check(RemoteCommand.of("zfs", "set", "compression=on", sc.dataset()).asRoot());
            shell.check(RemoteCommand.of("zfs", "set", "dev.twinshift:note=scratch", sc.dataset()).asRoot());
            RollbackIT.fill(sc);
            List<String> atEarly = ScratchCluster.checksums(sc.psql(), "postgres");
            SnapshotRecord early = snaps.create(sc.cluster(), Reason.MANUAL, "early");
            changeSome(sc);
            List<String> atSnapshot = ScratchCluster.checksums(sc.psql(), "postgres");
            SnapshotRecord good = snaps.create(sc.cluster(), Reason.MANUAL, "good");
            assertEquals(sc.dataset() + "@" + good.name(), good.location());
            RollbackIT.changeMore(sc);
            List<String> later = ScratchCluster.checksums(sc.psql(), "postgres");
            assertNotEquals(atSnapshot, later);
            SnapshotRecord afterGood = snaps.create(sc.cluster(), Reason.MANUAL, "after-good");

            List<String> log = new ArrayList<>();
            RollbackService rb = new RollbackService(shell, ME, log::add);
            PgCluster c = sc.cluster();
            RollbackResult r = rb.rollback(c, good.id());
            assertEquals(good.id(), r.restored().id());
            assertEquals(Reason.PRE_ROLLBACK, r.safety().reason());
            assertFalse(r.safety().online(), "the safety snapshot is taken with the cluster stopped");
            assertTrue(sc.cluster().running(), "the cluster runs again after the rollback: " + log);
            assertEquals(atSnapshot, ScratchCluster.checksums(sc.psql(), "postgres"));
            assertEquals("0", sc.psql().value("postgres", "SELECT count(*) FROM pg_class WHERE relname = 'created_later'"));
            assertEquals("postgres:postgres 700", shell.check(RemoteCommand.of("stat", "-c", "%U:%G %a", sc.path())
                    .asRoot()).stdout().strip(), "ownership and mode of PGDATA are kept");
            assertEquals(sc.path() + "\tlocal", zfsGet("mountpoint", sc.dataset()),
                    "the dataset keeps its name and its own mount point");
            assertEquals("on\tlocal", zfsGet("compression", sc.dataset()));
            assertEquals("scratch\tlocal", zfsGet("dev.twinshift:note", sc.dataset()));
            assertEquals(1, asides(sc).size(), "the previous dataset is kept aside: " + asides(sc));
            String aside = asides(sc).get(0);
            assertEquals("none\tlocal", zfsGet("mountpoint", aside), "the set-aside dataset is not mounted");
            assertEquals(aside + "@" + r.safety().name(), r.safety().location(),
                    "the safety snapshot stays with the previous state, and its sidecar says where");

            // Every snapshot is still listed and clones: the ones before the target on the live dataset,
            // the later ones (and the safety one) on the dataset set aside.
            List<SnapshotRecord> listed = assertSnapshotsResolve(sc, List.of(early, good, afterGood, r.safety()));
            assertEquals(sc.dataset() + "@" + early.name(),
                    listed.stream().filter(s -> s.id().equals(early.id())).findFirst().orElseThrow().location());
            Catalog cat = snaps.volumeOf(sc.cluster()).catalog();
            assertClonesTo(cat, early, atEarly, sc.name() + "-e");
            assertClonesTo(cat, afterGood, later, sc.name() + "-a");

            // The restored cluster is writable, and that write is what the undo discards.
            sc.sql("postgres", "INSERT INTO events(what) VALUES ('after rollback')");

            // Undo: back to the state just before the rollback.
            RollbackResult undo = rb.rollback(sc.cluster(), r.safety().id());
            assertTrue(sc.cluster().running());
            assertEquals(later, ScratchCluster.checksums(sc.psql(), "postgres"));
            assertEquals(Reason.PRE_ROLLBACK, undo.safety().reason());
            assertEquals(sc.path() + "\tlocal", zfsGet("mountpoint", sc.dataset()));
            assertEquals("postgres:postgres 700", shell.check(RemoteCommand.of("stat", "-c", "%U:%G %a", sc.path())
                    .asRoot()).stdout().strip());
            List<String> asidesNow = asides(sc);
            assertEquals(1, asidesNow.size(), "the first set-aside dataset, emptied by the undo, is removed: " + asidesNow);
            assertNotEquals(aside, asidesNow.get(0));
            assertEquals(asidesNow.get(0) + "@" + undo.safety().name(), undo.safety().location(),
                    "the second one holds the undo's safety snapshot");
            List<SnapshotRecord> after = assertSnapshotsResolve(sc, List.of(early, good, afterGood, r.safety(),
                    undo.safety()));
            for (SnapshotRecord s : List.of(early, good, afterGood, r.safety())) {
                assertEquals(sc.dataset() + "@" + s.name(), after.stream().filter(x -> x.id().equals(s.id()))
                        .findFirst().orElseThrow().location(), "after the undo the live dataset holds " + s.id() + " again");
            }
            assertClonesTo(cat, good, atSnapshot, sc.name() + "-g");
            assertClonesTo(cat, early, atEarly, sc.name() + "-e2");
            sc.sql("postgres", "INSERT INTO events(what) VALUES ('after undo')");

            assertEquals(3, log.stream().filter(l -> l.startsWith("promote ")).count(),
                    "one promotion for the rollback, two for the undo (over the set-aside dataset, then over the live"
                            + " one): " + log);
            assertTrue(log.stream().anyMatch(l -> l.startsWith("removed " + aside)), log.toString());
            // The rollback in between can itself be brought back from its safety snapshot.
            List<String> beforeRedo = ScratchCluster.checksums(sc.psql(), "postgres");
            RollbackResult redo = rb.rollback(sc.cluster(), undo.safety().id());
            assertEquals("1", sc.psql().value("postgres", "SELECT count(*) FROM events WHERE what = 'after rollback'"));
            assertNotEquals(beforeRedo, ScratchCluster.checksums(sc.psql(), "postgres"));
            assertSnapshotsResolve(sc, List.of(early, good, afterGood, r.safety(), undo.safety(), redo.safety()));

            // The target is where the set-aside dataset starts from: it goes only after what is kept there.
            String lastAside = asides(sc).get(0);
            RefusedException held = assertThrows(RefusedException.class, () -> snaps.delete(cat, good.id()));
            assertTrue(held.getMessage().contains(lastAside) && held.getMessage().contains(afterGood.id())
                    && held.getMessage().contains(r.safety().id()) && held.getMessage().contains(redo.safety().id()),
                    held.getMessage());
            // A snapshot that moved is deleted where it is now; with the last one the set-aside dataset goes.
            snaps.delete(cat, afterGood.id());
            assertTrue(zfsSnapshots().stream().noneMatch(s -> s.endsWith("@" + afterGood.name())));
            snaps.delete(cat, r.safety().id());
            assertEquals(List.of(lastAside), asides(sc));
            snaps.delete(cat, redo.safety().id());
            assertEquals(List.of(), asides(sc), "the emptied set-aside dataset is removed");
            snaps.delete(cat, good.id());
            assertEquals(List.of(early.id(), undo.safety().id()), snaps.list(sc.cluster()).stream().map(SnapshotRecord::id)
                    .toList());
            assertEquals("1", sc.psql().value("postgres", "SELECT count(*) FROM events WHERE what = 'after rollback'"),
                    "the cluster is untouched by the deletes");
        }
    }

    @Test
    void failedStartPutsTheDatasetBack() throws Exception {
        try (ScratchCluster sc = ScratchCluster.createZfs(shell, "15", "zrbf", false)) {
            assertEquals(sc.path() + "\tinherited from " + ScratchCluster.ZFS_POOL, zfsGet("mountpoint", sc.dataset()));
            RollbackIT.fill(sc);
            SnapshotService snaps = new SnapshotService(shell, ME, Progress.NONE);
            SnapshotRecord early = snaps.create(sc.cluster(), Reason.MANUAL, "early");
            // A snapshot no server starts from: it preloads a library that does not exist. (A file that
            // does not parse would do too, but pg_lsclusters then fails for every cluster on the server.)
            String auto = sc.path() + "/postgresql.auto.conf";
            shell.check(RemoteCommand.of("cp", "-p", auto, auto + ".good").asRoot());
            shell.check(RemoteCommand.of("sh", "-c", "echo \"shared_preload_libraries = 'twinshift_absent'\" >> \"$1\"", "sh", auto).asRoot());
            SnapshotRecord broken = snaps.create(sc.cluster(), Reason.MANUAL, "broken");
            shell.check(RemoteCommand.of("mv", auto + ".good", auto).asRoot());
            RollbackIT.changeMore(sc);
            List<String> current = ScratchCluster.checksums(sc.psql(), "postgres");
            String startedAt = sc.psql().value("postgres", "SELECT pg_postmaster_start_time()");

            List<String> log = new ArrayList<>();
            RollbackService rb = new RollbackService(shell, ME, log::add);

            // A dataset inside PGDATA's is not in its snapshots: refused before anything is touched.
            String inner = sc.dataset() + "/inner";
            shell.check(RemoteCommand.of("zfs", "create", inner).asRoot());
            try {
                RefusedException nested = assertThrows(RefusedException.class, () -> rb.rollback(sc.cluster(), early.id()));
                assertTrue(nested.getMessage().contains(inner) && nested.getMessage().contains("was not touched"),
                        nested.getMessage());
                assertEquals(startedAt, sc.psql().value("postgres", "SELECT pg_postmaster_start_time()"),
                        "the cluster was not even restarted");
            } finally {
                // zfs-fuse calls a dataset busy for a moment after it was mounted.
                shell.check(RemoteCommand.of("sh", "-c", "for i in $(seq 30); do zfs destroy \"$1\" 2>/dev/null && exit 0;"
                        + " sleep 1; done; zfs destroy \"$1\"", "sh", inner).asRoot());
            }

            Exception e = assertThrows(Exception.class, () -> rb.rollback(sc.cluster(), broken.id()));
            assertTrue(log.stream().anyMatch(l -> l.startsWith("rollback failed")), log.toString());
            assertEquals(0, e.getSuppressed().length, "putting back worked: " + List.of(e.getSuppressed()));
            assertTrue(sc.cluster().running(), "the previous state runs again: " + e.getMessage());
            assertNotEquals(startedAt, sc.psql().value("postgres", "SELECT pg_postmaster_start_time()"));
            assertEquals(current, ScratchCluster.checksums(sc.psql(), "postgres"));
            assertEquals(sc.path() + "\tinherited from " + ScratchCluster.ZFS_POOL, zfsGet("mountpoint", sc.dataset()),
                    "the dataset inherits its mount point again");
            assertEquals("-\t-", zfsGet("origin", sc.dataset()), "the promotion was undone");
            assertEquals(List.of(), asides(sc), "nothing half-made is left");
            List<SnapshotRecord> listed = assertSnapshotsResolve(sc, List.of(early, broken));
            assertEquals(3, listed.size(), "early, broken and the safety snapshot of the attempt: " + listed);
            for (SnapshotRecord s : listed) {
                assertEquals(sc.dataset() + "@" + s.name(), s.location());
            }
            sc.psql().exec("postgres", "INSERT INTO events(what) VALUES ('still writable')", Duration.ofMinutes(1));

            // The inherited mount point also survives a rollback that works.
            rb.rollback(sc.cluster(), early.id());
            assertEquals(sc.path() + "\tinherited from " + ScratchCluster.ZFS_POOL, zfsGet("mountpoint", sc.dataset()));
            assertTrue(sc.cluster().running());
            assertEquals("0", sc.psql().value("postgres", "SELECT count(*) FROM pg_class WHERE relname = 'created_later'"));
        }
    }
}
