package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twinshift.postgres.WalPosition;
import dev.twinshift.ssh.SshException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * snapshot.sh run here for real, as root, on a real (small, stopped) PostgreSQL cluster made with
 * initdb, through the console's own SnapshotService on this machine as the server: what it writes
 * is what the console reads, and what it refuses leaves nothing behind. Needs root and PostgreSQL's
 * binaries, which every machine that runs the lab has.
 */
class SnapshotScriptTest {
    static final String BIN = "/usr/lib/postgresql/15/bin";
    static Path root;
    static Path volume;
    static Path pgdata;
    Path catalogDir;
    Catalog catalog;
    final List<String> said = new CopyOnWriteArrayList<>();
    final Actor alice = new Actor("tsadmin", "alice \"the dba\"", "lap\\top");
    final List<CatalogLock> opened = new ArrayList<>();

    @BeforeAll
    static void cluster() throws Exception {
        assumeTrue(LocalShell.root(), "runs the server script as root, as the server does");
        assumeTrue(Files.isExecutable(Path.of(BIN, "initdb")), "needs PostgreSQL 15's binaries");
        root = Files.createTempDirectory(Path.of("/var/tmp"), "snapshot-script-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        volume = root.resolve("vol");
        Files.createDirectories(volume);
        pgdata = volume.resolve("data");
        ScriptRun.Result r = ScriptRun.run(Map.of(), List.of("sh", "-c", "chown postgres \"$1\" && runuser -u postgres -- \"$2/initdb\""
                + " -A trust -D \"$1/data\" > /dev/null", "sh", volume.toString(), BIN));
        assertEquals(0, r.exit(), r.toString());
    }

    @AfterAll
    static void removeCluster() throws Exception {
        if (root != null) {
            ScriptRun.run(Map.of(), List.of("rm", "-rf", "--", root.toString()));
        }
    }

    @BeforeEach
    void freshCatalog() throws Exception {
        catalogDir = root.resolve(".twinshift");
        catalog = new Catalog(new LocalShell(), root.toString());
    }

    @AfterEach
    void dropCatalog() throws Exception {
        for (CatalogLock l : opened) {
            l.close();
        }
        ScriptRun.run(Map.of(), List.of("rm", "-rf", "--", catalogDir.toString()));
    }

    SnapshotService.Take take(StorageMethod m, Reason reason, String label) {
        return new SnapshotService.Take(catalog, m, volume.toString(), "vol", "15/test", "15", pgdata.toString(), "postgres",
                BIN, null, reason, label, null, "data");
    }

    SnapshotService service() {
        return new SnapshotService(new LocalShell(), alice, said::add);
    }

    WalPosition controlData() throws Exception {
        ScriptRun.Result r = ScriptRun.run(Map.of("LC_ALL", "C"), List.of(BIN + "/pg_controldata", "-D", pgdata.toString()));
        return WalPosition.fromControlData(r.stdout());
    }

    /** snapshot.sh directly, with the argument list the console sends. */
    ScriptRun.Result script(Map<String, String> env, SnapshotService.Take t, String token) throws Exception {
        ServerScripts.install(catalog, ServerScripts.ALL);
        return ScriptRun.run(env, SnapshotService.takeArguments(t, alice, token));
    }

    @Test
    void theSidecarTheScriptWritesIsTheRecordTheConsoleWouldHaveWritten() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        SnapshotRecord rec = service().take(take(StorageMethod.PLAIN_COPY, Reason.MANUAL, "before-change"));
        WalPosition wal = controlData();
        String name = Catalog.snapshotName(rec.createdAt(), "before-change");
        SnapshotRecord expected = new SnapshotRecord("vol/" + name, name, "vol", rec.createdAt(), alice, Reason.MANUAL,
                "before-change", "15/test", "15", wal.lsn(), wal.timeline(), volume.toString(), null, false,
                StorageMethod.PLAIN_COPY, catalog.snapshotPath("vol", name), false, "data");
        assertEquals(expected, rec);
        assertFalse(rec.createdAt().isBefore(before) || rec.createdAt().isAfter(Instant.now()), rec.createdAt().toString());
        // Byte for byte what Jackson writes, so that nothing tells a scripted sidecar from any other.
        assertEquals(Json.mapper().writeValueAsString(rec) + "\n",
                Files.readString(catalogDir.resolve("snapshots/vol/" + name + ".json")));
        assertTrue(Files.isRegularFile(catalogDir.resolve("snapshots/vol/" + name + "/data/global/pg_control")),
                "the copy holds the cluster");
        assertTrue(said.stream().anyMatch(l -> l.equals("snapshot vol/" + name + " taken at WAL " + wal.lsn() + " timeline "
                + wal.timeline())), said.toString());
        assertEquals(List.of(rec), catalog.snapshots());
    }

    @Test
    void scriptsAreInstalledRootOwnedAndOnlyWhenTheyChanged() throws Exception {
        assertEquals(ServerScripts.ALL, ServerScripts.install(catalog, ServerScripts.ALL));
        Path script = catalogDir.resolve("bin/snapshot.sh");
        assertEquals(ServerScripts.text("snapshot.sh"), Files.readString(script));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(script)));
        assertEquals("root", Files.getOwner(script).getName());
        assertEquals(List.of(), ServerScripts.install(catalog, ServerScripts.ALL), "nothing changed, nothing written");
        Files.writeString(script, "echo tampered\n");
        assertEquals(List.of("snapshot.sh"), ServerScripts.install(catalog, ServerScripts.ALL));
        assertEquals(ServerScripts.text("snapshot.sh"), Files.readString(script));
        try (var files = Files.list(catalogDir.resolve("bin"))) {
            assertEquals(List.of("lock.sh", "schedule.sh", "snapshot.sh"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file left");
        }
    }

    @Test
    void aNameTakenAlreadyAtTheGivenTimeIsRefusedAndAPreUpgradeSnapshotIsPinned() throws Exception {
        Map<String, String> at = Map.of("TWINSHIFT_NOW", "2026-12-02T01:00:00Z");
        ScriptRun.Result first = script(at, take(StorageMethod.PLAIN_COPY, Reason.PRE_UPGRADE, "pre-upgrade"), token());
        assertEquals(0, first.exit(), first.toString());
        Path sidecar = catalogDir.resolve("snapshots/vol/20261202T010000Z-pre-upgrade.json");
        assertEquals("sidecar " + sidecar + "\n", first.stdout(), "one line on stdout");
        SnapshotRecord rec = Json.mapper().readValue(Files.readString(sidecar), SnapshotRecord.class);
        assertTrue(rec.pinned(), "the way back from an upgrade is pinned from the start");
        assertEquals(Instant.parse("2026-12-02T01:00:00Z"), rec.createdAt());

        ScriptRun.Result again = script(at, take(StorageMethod.PLAIN_COPY, Reason.PRE_UPGRADE, "pre-upgrade"), token());
        assertEquals(65, again.exit(), again.toString());
        assertTrue(again.stderr().contains("already exists for TWINSHIFT_NOW=2026-12-02T01:00:00Z"), again.stderr());
        assertEquals("", again.stdout());
        assertEquals(List.of(rec), catalog.snapshots());
    }

    @Test
    void aCopyOfARunningClusterIsRefusedAndAFailedSnapshotLeavesNothing() throws Exception {
        ScriptRun.Result start = ScriptRun.run(Map.of(), List.of("runuser", "-u", "postgres", "--", BIN + "/pg_ctl", "-D",
                pgdata.toString(), "-w", "-l", volume.resolve("log").toString(), "-o",
                "-p 54391 -k " + volume + " -c listen_addresses=''", "start"));
        assertEquals(0, start.exit(), start.toString());
        try {
            RefusedException refused = assertThrows(RefusedException.class,
                    () -> service().take(take(StorageMethod.REFLINK, Reason.MANUAL, null)));
            assertEquals("cannot snapshot 15/test: 15/test is running and reflink copy (cp --reflink=always) is not an atomic"
                    + " snapshot, so the copy would not be consistent: stop the cluster first", refused.getMessage());
            // An atomic method checkpoints the running cluster first; here the volume is no btrfs, and btrfs says so.
            SshException failed = assertThrows(SshException.class,
                    () -> service().take(take(StorageMethod.BTRFS_SUBVOLUME, Reason.MANUAL, null)));
            assertTrue(failed.getMessage().contains("Not a Btrfs filesystem"), failed.getMessage());
            assertTrue(said.stream().anyMatch(l -> l.equals("CHECKPOINT on 15/test (port 54391)")), said.toString());
            try (var left = Files.list(catalogDir.resolve("snapshots/vol"))) {
                assertEquals(List.of(), left.toList());
            }
            assertFalse(Files.exists(catalogDir.resolve("lock")), "the lock is released");
        } finally {
            ScriptRun.run(Map.of(), List.of("runuser", "-u", "postgres", "--", BIN + "/pg_ctl", "-D", pgdata.toString(),
                    "-m", "fast", "-w", "stop"));
        }
    }

    @Test
    void aSnapshotWhoseSidecarCannotBeWrittenIsRemoved() throws Exception {
        Files.createDirectories(catalogDir.resolve("snapshots/vol/20261202T020000Z.json.tmp"));
        ScriptRun.Result r = script(Map.of("TWINSHIFT_NOW", "2026-12-02T02:00:00Z"),
                take(StorageMethod.PLAIN_COPY, Reason.SCHEDULED, null), token());
        assertTrue(r.exit() != 0 && r.exit() != 65 && r.exit() != 75, r.toString());
        assertTrue(r.stderr().contains("removing " + catalogDir.resolve("snapshots/vol/20261202T020000Z")), r.stderr());
        assertFalse(Files.exists(catalogDir.resolve("snapshots/vol/20261202T020000Z")), "no snapshot without its sidecar");
    }

    @Test
    void withoutTheLockItWaitsAndSaysWhoHoldsIt() throws Exception {
        Files.createDirectories(catalogDir);
        ServerScripts.install(catalog, ServerScripts.ALL);
        try (CatalogLock held = CatalogLock.acquire(catalog, new Actor("tsadmin", "bob", "desk"), "upgrade 13/main")) {
            List<String> argv = new ArrayList<>(SnapshotService.takeArguments(take(StorageMethod.PLAIN_COPY, Reason.SCHEDULED,
                    null), Actor.schedule("db1"), "unused"));
            argv.subList(argv.indexOf("--lock-held"), argv.size()).clear();
            ScriptRun.Result r = ScriptRun.run(Map.of("TWINSHIFT_LOCK_WAIT", "1"), argv);
            assertEquals(75, r.exit(), r.toString());
            assertEquals("held by tsadmin (bob@desk) for upgrade 13/main since " + held.owner().since() + "\n", r.stdout());

            ScriptRun.Result stale = ScriptRun.run(Map.of(), SnapshotService.takeArguments(
                    take(StorageMethod.PLAIN_COPY, Reason.MANUAL, null), alice, "a-token-that-is-not-held"));
            assertEquals(75, stale.exit(), stale.toString());
            assertTrue(stale.stderr().contains("not held with the token given"), stale.stderr());
        }
        assertEquals(List.of(), catalog.snapshots(), "nothing taken");
    }

    @Test
    void aBadLabelIsRefusedBeforeAnythingHappens() throws Exception {
        ScriptRun.Result r = script(Map.of(), take(StorageMethod.PLAIN_COPY, Reason.MANUAL, "../escape"), token());
        assertEquals(64, r.exit(), r.toString());
        assertTrue(r.stderr().contains("is not a valid snapshot label"), r.stderr());
    }

    /** A lock held for the script, as the console holds it. */
    String token() throws Exception {
        Files.createDirectories(catalogDir);
        CatalogLock l = CatalogLock.acquire(catalog, alice, "test");
        opened.add(l);
        return l.owner().token();
    }
}
