package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A clone of a cluster that archives its WAL must not write into that archive: the archive
 * settings come from ALTER SYSTEM (postgresql.auto.conf), the hardest place for a clone to escape.
 */
class CloneArchiveSafetyIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "archive-safety-it");

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    @Test
    void cloneOfArchivingClusterLeavesTheArchiveAlone() throws Exception {
        String archive = "/var/tmp/twinshift-it-archive-" + UUID.randomUUID().toString().substring(0, 6);
        shell.check(RemoteCommand.of("install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0700", archive).asRoot());
        String cloneName = null;
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        Catalog cat = null;
        try (ScratchCluster prod = ScratchCluster.create(shell, "13", "itarch")) {
            try {
                prod.sql("postgres", "ALTER SYSTEM SET archive_mode = on");
                // No "test ! -f" guard: a clone that archived would overwrite production's files or add its own.
                prod.sql("postgres", "ALTER SYSTEM SET archive_command = 'cp %p " + archive + "/%f'");
                prod.pgctlcluster("restart");
                Psql pp = prod.psql();
                pp.exec("postgres", "CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g", Duration.ofMinutes(1));
                String seg = pp.value("postgres", "SELECT pg_walfile_name(pg_current_wal_lsn())");
                pp.exec("postgres", "SELECT pg_switch_wal()", Duration.ofMinutes(1));
                // The archive works: the segment shows up there.
                waitFor(() -> shell.run(RemoteCommand.of("test", "-f", archive + "/" + seg).asRoot()).ok(), 60);

                SnapshotService snaps = new SnapshotService(shell, ME, Progress.NONE);
                SnapshotRecord snap = snaps.create(prod.cluster(), Reason.MANUAL, "archiving");
                cat = snaps.volumeOf(prod.cluster()).catalog();
                // Production goes quiet, so anything new in the archive from now on came from the clone.
                prod.pgctlcluster("stop");
                String before = listing(archive);

                cloneName = "it-arch-" + UUID.randomUUID().toString().substring(0, 6);
                clones.create(cat, snap.id(), cloneName);
                CloneRecord c = clones.start(cat, cloneName);
                Psql cp = new CloneServer(shell).psql(clones.spec(cat, c));
                assertEquals("off", cp.value("postgres", "SHOW archive_mode"));
                String cmd = cp.value("postgres", "SHOW archive_command");
                assertTrue(cmd.isEmpty() || cmd.equals("(disabled)"), cmd);
                cp.exec("postgres", "INSERT INTO t SELECT g FROM generate_series(1, 100000) g", Duration.ofMinutes(1));
                for (int i = 0; i < 3; i++) {
                    cp.exec("postgres", "SELECT pg_switch_wal()", Duration.ofMinutes(1));
                    cp.exec("postgres", "INSERT INTO t VALUES (1)", Duration.ofMinutes(1));
                }
                cp.exec("postgres", "CHECKPOINT", Duration.ofMinutes(1));
                Thread.sleep(5000);
                assertEquals(before, listing(archive), "the clone wrote into production's WAL archive");
                // The archive settings were really there for the clone to obey: the auto.conf it inherited has them.
                String auto = shell.check(RemoteCommand.of("cat", c.dataDirectory() + "/postgresql.auto.conf").asRoot()).stdout();
                assertTrue(auto.contains("archive_command = 'cp %p " + archive), auto);
                assertTrue(auto.indexOf("archive_mode = 'off'") > auto.indexOf("archive_mode = 'on'"), auto);
            } finally {
                if (cloneName != null && cat != null && cat.clone(cloneName).isPresent()) {
                    clones.destroy(cat, cloneName);
                }
            }
        } finally {
            shell.run(RemoteCommand.of("rm", "-rf", "--", archive).asRoot());
        }
    }

    private static String listing(String dir) throws Exception {
        return shell.check(RemoteCommand.of("sh", "-c", "cd \"$1\" && ls -l --time-style=+%s && md5sum ./*", "sh", dir)
                .asRoot()).stdout();
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check c, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!c.ok()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + seconds + " s");
            }
            Thread.sleep(250);
        }
    }
}
