package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A clone shares its filesystem with the live cluster: it may never take the space live needs. Each
 * test fills a small btrfs of its own (a loop file mounted under /srv/twinshift-lab, removed at the
 * end), so that filling it cannot touch the lab's shared volumes.
 */
class SpaceFloorIT {
    static final long MIB = 1024L * 1024;
    static final Actor ME = new Actor("tsadmin", "it", "space-floor-it");
    static RemoteShell shell;

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    /** A btrfs of its own (mixed data and metadata, as small ones are, so a full disk is full for everything). */
    static final class ScratchFs implements AutoCloseable {
        final String mount;
        final String image;

        private ScratchFs(String id) {
            mount = "/srv/twinshift-lab/itspace-" + id;
            image = "/var/lib/twinshift-lab/itspace-" + id + ".img";
        }

        static ScratchFs create(long bytes) throws Exception {
            ScratchFs fs = new ScratchFs(UUID.randomUUID().toString().substring(0, 6));
            try {
                shell.check(RemoteCommand.of("truncate", "-s", Long.toString(bytes), fs.image).asRoot());
                shell.check(RemoteCommand.of("mkfs.btrfs", "-q", "-M", fs.image).asRoot());
                shell.check(RemoteCommand.of("mkdir", "-p", fs.mount).asRoot());
                shell.check(RemoteCommand.of("mount", "-o", "loop", fs.image, fs.mount).asRoot());
                return fs;
            } catch (Exception e) {
                fs.close();
                throw e;
            }
        }

        String fill() {
            return mount + "/fill";
        }

        /** Leaves about {@code left} bytes free (what df says once everything written is allocated). */
        void fillUntil(long left) throws Exception {
            shell.check(RemoteCommand.of("sync", "-f", mount).asRoot());
            long avail = free();
            assertTrue(avail > left, "the scratch filesystem has only " + avail + " bytes free");
            shell.check(RemoteCommand.of("fallocate", "-l", Long.toString(avail - left), fill()).asRoot());
            shell.check(RemoteCommand.of("sync", "-f", mount).asRoot());
        }

        /** Fills it completely: dd writes until the filesystem says no more. */
        void fillUp() throws Exception {
            CommandResult r = shell.run(RemoteCommand.of("dd", "if=/dev/zero", "of=" + fill(), "bs=1M").asRoot(),
                    Duration.ofMinutes(5));
            assertTrue(r.stderr().contains("No space left on device"), r.stderr());
            shell.run(RemoteCommand.of("sync", "-f", mount).asRoot());
        }

        long free() throws Exception {
            String out = shell.check(RemoteCommand.of("df", "-B1", "--output=avail", mount).asRoot()).stdout();
            return Long.parseLong(out.strip().split("\n")[1].strip());
        }

        void unfill() throws Exception {
            shell.run(RemoteCommand.of("rm", "-f", "--", fill()).asRoot());
        }

        @Override
        public void close() throws Exception {
            // The filler first, whatever else fails: other engineers share this machine.
            unfill();
            // The watcher of this catalog holds files open there: it ends by itself once no clone runs
            // (the tests destroy theirs); one a failed test left behind is stopped by its process id.
            Catalog cat = new Catalog(shell, mount);
            Instant until = Instant.now().plusSeconds(20);
            while (watcherPids(cat).length > 0 && Instant.now().isBefore(until)) {
                Thread.sleep(250);
            }
            for (String pid : watcherPids(cat)) {
                shell.run(RemoteCommand.of("kill", pid).asRoot());
            }
            // A process that just ended may hold the filesystem for a moment longer.
            for (int i = 0; i < 20 && !shell.run(RemoteCommand.of("umount", mount).asRoot(), Duration.ofMinutes(1)).ok()
                    && shell.run(RemoteCommand.of("mountpoint", "-q", mount).asRoot()).ok(); i++) {
                Thread.sleep(500);
            }
            shell.run(RemoteCommand.of("rmdir", mount).asRoot());
            shell.run(RemoteCommand.of("rm", "-f", "--", image).asRoot());
        }
    }

    @Test
    void underTheFloorNoCloneIsMadeOrStartedAndTheRefusalGivesTheFigures() throws Exception {
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        try (ScratchFs fs = ScratchFs.create(1024 * MIB);
             ScratchCluster live = ScratchCluster.create(shell, "13", "itfloor", fs.mount, true)) {
            SnapshotService snaps = new SnapshotService(shell, ME, Progress.NONE);
            SnapshotRecord snap = snaps.create(live.cluster(), Reason.MANUAL, "floor");
            Catalog cat = snaps.volumeOf(live.cluster()).catalog();
            String made = "it-floor-a";
            clones.create(cat, snap.id(), made);
            writePolicy(cat, 300 * MIB);
            try {
                fs.fillUntil(150 * MIB);

                RefusedException create = assertThrows(RefusedException.class,
                        () -> clones.create(cat, snap.id(), "it-floor-b"));
                String m = create.getMessage();
                assertTrue(m.startsWith("refusing to create clone it-floor-b: only "), m);
                assertTrue(m.contains(" free on " + fs.mount + ", under the floor of 300.0 MiB (314572800 bytes) kept for"
                        + " the live cluster " + live.id()), m);
                assertTrue(m.contains("same space, which the live cluster needs"), m);
                assertTrue(m.contains(cat.root() + "/space.json"), m);
                assertFalse(cat.exists(cat.clonePath("it-floor-b")), "nothing was made");

                RefusedException start = assertThrows(RefusedException.class, () -> clones.start(cat, made));
                assertTrue(start.getMessage().startsWith("refusing to start clone " + made + ": only "), start.getMessage());
                assertFalse(clones.isRunning(cat, clones.require(cat, made)));
                // The live cluster was never in question.
                assertEquals("1", live.psql().value("postgres", "SELECT 1"));

                // With the space back, the same start goes ahead.
                fs.unfill();
                CloneRecord c = clones.start(cat, made);
                assertTrue(clones.isRunning(cat, c));
            } finally {
                fs.unfill();
                if (cat.clone(made).isPresent()) {
                    clones.destroy(cat, made);
                }
            }
        }
    }

    @Test
    void whereBtrfsQuotasAreOnACloneGetsALimitHalfwayIntoTheFloor() throws Exception {
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        try (ScratchFs fs = ScratchFs.create(1024 * MIB);
             ScratchCluster live = ScratchCluster.create(shell, "13", "itqg", fs.mount, true)) {
            shell.check(RemoteCommand.of("btrfs", "quota", "enable", fs.mount).asRoot());
            SnapshotService snaps = new SnapshotService(shell, ME, Progress.NONE);
            SnapshotRecord snap = snaps.create(live.cluster(), Reason.MANUAL, "qgroup");
            Catalog cat = snaps.volumeOf(live.cluster()).catalog();
            long floor = 300 * MIB;
            writePolicy(cat, floor);
            String name = "it-qgroup";
            try {
                shell.check(RemoteCommand.of("sync", "-f", fs.mount).asRoot());
                long free = fs.free();
                CloneRecord c = clones.create(cat, snap.id(), name);
                String show = shell.check(RemoteCommand.of("btrfs", "qgroup", "show", "-re", "--raw", "-f", c.location())
                        .asRoot()).stdout();
                String[] row = show.strip().split("\n")[2].strip().split("\\s+");
                long maxExcl = Long.parseLong(row[4]);
                // free - floor + floor / 2, with free measured a moment apart
                long expected = free - floor / 2;
                assertTrue(Math.abs(maxExcl - expected) < 32 * MIB, "limit " + maxExcl + ", expected about " + expected
                        + "\n" + show);
            } finally {
                if (cat.clone(name).isPresent()) {
                    clones.destroy(cat, name);
                }
            }
        }
    }

    @Test
    void aWriteOnAFullFilesystemNamesTheCauseAndTheFreeBytes() throws Exception {
        try (ScratchFs fs = ScratchFs.create(256 * MIB)) {
            Catalog cat = new Catalog(shell, fs.mount);
            cat.ensureLayout();
            try {
                fs.fillUp();
                // The sidecar write goes through tee with no output wanted: its error output must come through all the same.
                SshException w = assertThrows(SshException.class,
                        () -> cat.writeJson(cat.clonesDir() + "/x.json", Map.of("payload", "x".repeat(64 * 1024))));
                assertEquals("NO_SPACE", w.kind().name(), w.getMessage());
                assertTrue(w.getMessage().matches("(?s)no space left on " + fs.mount + ": \\d+ bytes free \\(.*"),
                        w.getMessage());
                assertTrue(w.getMessage().contains("No space left on device"), w.getMessage());
                assertTrue(w.explain().contains("destroy clones"), w.explain());

                // Taking the catalog lock, the first thing every command does.
                SshException l = assertThrows(SshException.class, () -> CatalogLock.acquire(cat, ME, "it"));
                assertTrue(l.getMessage().startsWith("no space left on " + fs.mount + ": "), l.getMessage());
            } finally {
                fs.unfill();
            }
        }
    }

    @Test
    void theWatcherStopsAWritingCloneBeforeTheFloorAndNeverLive() throws Exception {
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        try (ScratchFs fs = ScratchFs.create(1024 * MIB);
             ScratchCluster live = ScratchCluster.create(shell, "13", "itwatch", fs.mount, true)) {
            live.sql("postgres", "CREATE TABLE t (i int)");
            SnapshotService snaps = new SnapshotService(shell, ME, Progress.NONE);
            SnapshotRecord snap = snaps.create(live.cluster(), Reason.MANUAL, "watch");
            Catalog cat = snaps.volumeOf(live.cluster()).catalog();
            long floor = 350 * MIB;
            writePolicy(cat, floor);
            String name = "it-watch";
            try {
                clones.create(cat, snap.id(), name);
                CloneRecord c = clones.start(cat, name);
                // A second start (here of the running clone) finds the watcher there and starts none.
                clones.start(cat, name);
                assertEquals(1, watchers(cat), "one watcher per filesystem");

                // The clone writes far more than the filesystem holds above the floor.
                Psql cp = new CloneServer(shell).psql(clones.spec(cat, c));
                RunningCommand big = shell.start(RemoteCommand.of(clones.spec(cat, c).binDir() + "/psql", "-X", "-h",
                        c.socketDirectory(), "-p", c.port().toString(), "-d", "postgres", "-c",
                        "CREATE TABLE big AS SELECT repeat('x', 1500) AS pad FROM generate_series(1, 2000000)")
                        .asUser(c.owner()), ExecOptions.defaults().withTimeout(Duration.ofMinutes(5)), LineListener.IGNORE);
                try {
                    waitFor(() -> running(clones, cat, name), false, Duration.ofMinutes(4));
                } finally {
                    big.cancel();
                }
                long freeAfter = fs.free();
                // The reason, as `clone list` shows it.
                LabCli.Run list = cli("clone", "list", "--cluster", live.id());
                String reason = "stopped at \\S+: free space \\d+ bytes (below|falling by \\d+ bytes per poll, about to cross)"
                        + " floor " + floor + " bytes on " + fs.mount;
                assertEquals(0, list.code(), list.err());
                assertTrue(list.out().lines().anyMatch(l -> l.startsWith(name + " ") && l.matches(".*" + reason + ".*")),
                        list.out());
                System.out.println("[space] " + list.out().lines().filter(l -> l.startsWith(name + " ")).findFirst()
                        .orElse("") + "; free after the stop: " + freeAfter + " bytes");
                assertTrue(freeAfter > 0, "the clone was stopped before the filesystem was full");
                // Live still runs, answers and writes.
                assertTrue(live.cluster().running());
                live.sql("postgres", "INSERT INTO t SELECT g FROM generate_series(1, 1000) g");
                assertEquals("1000", live.psql().value("postgres", "SELECT count(*) FROM t"));

                // With no clone left running, the watcher ends by itself.
                waitFor(() -> watchers(cat) == 0, true, Duration.ofSeconds(60));
                // What it runs as root comes from a file the clone's owner cannot change.
                String owner = shell.check(RemoteCommand.of("stat", "-c", "%U %a", cat.clonesDir(),
                        cat.clonePath(name) + ".space-watch").asRoot()).stdout();
                assertEquals("root 755\nroot 644\n", owner);
            } finally {
                if (cat.clone(name).isPresent()) {
                    clones.destroy(cat, name);
                }
            }
        }
    }


    static LabCli.Run cli(String... args) {
        return LabCli.run(args);
    }

    /** The catalog's space.json, as an administrator would write it: floor of exactly {@code floor}, 1 s polls. */
    static void writePolicy(Catalog cat, long floor) throws Exception {
        cat.writeJson(cat.root() + "/space.json", Map.of("floorPercent", 0, "floorMinBytes", floor, "pollSeconds", 1));
    }

    static boolean running(CloneService clones, Catalog cat, String name) {
        try {
            return clones.isRunning(cat, clones.require(cat, name));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The watcher processes of this catalog. */
    static int watchers(Catalog cat) {
        return watcherPids(cat).length;
    }

    static String[] watcherPids(Catalog cat) {
        try {
            CommandResult r = shell.run(RemoteCommand.of("pgrep", "-f", "-x", "sh " + cat.root() + "/space-watch.sh loop "
                    + cat.root()).asRoot());
            return r.stdout().isBlank() ? new String[0] : r.stdout().strip().split("\n");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void waitFor(BooleanSupplier cond, boolean want, Duration limit) throws InterruptedException {
        Instant until = Instant.now().plus(limit);
        while (cond.getAsBoolean() != want) {
            if (Instant.now().isAfter(until)) {
                throw new AssertionError("not " + want + " within " + limit);
            }
            Thread.sleep(250);
        }
    }
}
