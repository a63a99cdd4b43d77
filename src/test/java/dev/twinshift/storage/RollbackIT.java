package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rollback of a scratch cluster (never the lab's shared 13/main), its undo, and its failures. */
class RollbackIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "rollback-it");

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    /** Tables of a scratch cluster to roll back (shared with the ZFS rollback test). */
    static void fill(ScratchCluster sc) throws Exception {
        sc.sql("postgres", "CREATE TABLE accounts(id int PRIMARY KEY, owner text, balance numeric)");
        sc.sql("postgres", "INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 20000) g");
        sc.sql("postgres", "CREATE TABLE events(id bigserial PRIMARY KEY, what text)");
        sc.sql("postgres", "INSERT INTO events(what) SELECT 'e' || g FROM generate_series(1, 5000) g");
    }

    static void changeMore(ScratchCluster sc) throws Exception {
        sc.sql("postgres", "UPDATE accounts SET balance = balance + 1 WHERE id % 7 = 0");
        sc.sql("postgres", "DELETE FROM events WHERE id % 3 = 0");
        sc.sql("postgres", "INSERT INTO events(what) SELECT 'later' || g FROM generate_series(1, 1000) g");
        sc.sql("postgres", "CREATE TABLE created_later AS SELECT g FROM generate_series(1, 10) g");
    }

    @Test
    void rollbackThenUndo() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "itrb")) {
            fill(sc);
            List<String> atSnapshot = ScratchCluster.checksums(sc.psql(), "postgres");
            SnapshotRecord snap = new SnapshotService(shell, ME, Progress.NONE).create(sc.cluster(), Reason.MANUAL, "good");
            changeMore(sc);
            List<String> later = ScratchCluster.checksums(sc.psql(), "postgres");
            assertNotEquals(atSnapshot, later);

            List<String> log = new ArrayList<>();
            RollbackService rb = new RollbackService(shell, ME, log::add);
            PgCluster c = sc.cluster();
            assertTrue(rb.preview(c, snap).contains("discards every change"), rb.preview(c, snap));
            RollbackResult r = rb.rollback(c, snap.id());
            assertEquals(snap.id(), r.restored().id());
            assertEquals(Reason.PRE_ROLLBACK, r.safety().reason());
            assertFalse(r.safety().online(), "the safety snapshot is taken with the cluster stopped");
            assertTrue(sc.cluster().running(), "the cluster runs again after the rollback");
            assertEquals(atSnapshot, ScratchCluster.checksums(sc.psql(), "postgres"));
            assertEquals("0", sc.psql().value("postgres", "SELECT count(*) FROM pg_class WHERE relname = 'created_later'"));
            assertEquals("postgres:postgres 700", shell.check(RemoteCommand.of("stat", "-c", "%U:%G %a", sc.path())
                    .asRoot()).stdout().strip(), "ownership and mode of PGDATA are kept");
            assertEquals("256", shell.check(RemoteCommand.of("stat", "-c", "%i", sc.path()).asRoot()).stdout().strip(),
                    "PGDATA is a subvolume again");
            Catalog cat = new SnapshotService(shell, ME, Progress.NONE).volumeOf(sc.cluster()).catalog();
            assertEquals("", shell.check(RemoteCommand.of("find", cat.replacedDir(), "-maxdepth", "1", "-name",
                    sc.name() + "-*").asRoot()).stdout(), "the set-aside volume is removed once the rollback worked");

            // Undo: back to the state just before the rollback.
            RollbackResult undo = rb.rollback(sc.cluster(), r.safety().id());
            assertEquals(later, ScratchCluster.checksums(sc.psql(), "postgres"));
            assertTrue(sc.cluster().running());
            assertEquals(Reason.PRE_ROLLBACK, undo.safety().reason());
            // Writes keep working on the restored cluster.
            sc.sql("postgres", "INSERT INTO events(what) VALUES ('after undo')");
        }
    }

    @Test
    void missingSnapshotLeavesTheClusterUntouched() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "itrbmiss")) {
            fill(sc);
            List<String> before = ScratchCluster.checksums(sc.psql(), "postgres");
            String pidBefore = sc.psql().value("postgres", "SELECT pg_postmaster_start_time()");
            RollbackService rb = new RollbackService(shell, ME, Progress.NONE);
            RefusedException e = assertThrows(RefusedException.class,
                    () -> rb.rollback(sc.cluster(), "20000101T000000Z-nosuch"));
            assertTrue(e.getMessage().contains("no snapshot 20000101T000000Z-nosuch"), e.getMessage());
            assertTrue(e.getMessage().contains("was not touched"), e.getMessage());
            assertEquals(pidBefore, sc.psql().value("postgres", "SELECT pg_postmaster_start_time()"),
                    "the cluster was not even restarted");
            assertEquals(before, ScratchCluster.checksums(sc.psql(), "postgres"));
        }
    }

    @Test
    void clusterThatFailsToStartFromTheSnapshotIsPutBack() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "itrbfail")) {
            fill(sc);
            SnapshotRecord snap = new SnapshotService(shell, ME, Progress.NONE).create(sc.cluster(), Reason.MANUAL, "broken");
            // Break the snapshot: without pg_control no server can start from it.
            shell.check(RemoteCommand.of("btrfs", "property", "set", "-ts", snap.location(), "ro", "false").asRoot());
            shell.check(RemoteCommand.of("rm", snap.location() + "/global/pg_control").asRoot());
            shell.check(RemoteCommand.of("btrfs", "property", "set", "-ts", snap.location(), "ro", "true").asRoot());
            changeMore(sc);
            List<String> current = ScratchCluster.checksums(sc.psql(), "postgres");

            List<String> log = new ArrayList<>();
            RollbackService rb = new RollbackService(shell, ME, log::add);
            Exception e = assertThrows(Exception.class, () -> rb.rollback(sc.cluster(), snap.id()));
            assertTrue(log.stream().anyMatch(l -> l.startsWith("rollback failed")), log.toString());
            assertTrue(sc.cluster().running(), "the previous state runs again: " + e.getMessage());
            assertEquals(current, ScratchCluster.checksums(sc.psql(), "postgres"));
            Catalog cat = new SnapshotService(shell, ME, Progress.NONE).volumeOf(sc.cluster()).catalog();
            assertEquals("", shell.check(RemoteCommand.of("find", cat.replacedDir(), "-maxdepth", "1", "-name",
                    sc.name() + "-*").asRoot()).stdout(), "nothing half-made is left in " + cat.replacedDir());
            sc.psql().exec("postgres", "INSERT INTO events(what) VALUES ('still writable')", Duration.ofMinutes(1));
        }
    }
}
