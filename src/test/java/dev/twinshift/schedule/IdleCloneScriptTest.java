package dev.twinshift.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The idle-clone rule as the server runs it: the real schedule.sh with /bin/sh on a local catalog, its clock set
 * with TWINSHIFT_NOW. Clones here are stopped plain copies (a running server is the lab test's, IdleClonesIT);
 * a "running" one is a process whose working directory is the clone's data, as postmaster.pid is checked.
 */
class IdleCloneScriptTest {
    @TempDir
    Path dir;

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    static Map<String, IdleClone> byName(List<IdleClone> all) {
        return all.stream().collect(Collectors.toMap(IdleClone::name, Function.identity()));
    }

    static List<IdleClone> dryRun(LocalCatalog cat, Instant now, String... extra) throws Exception {
        List<String> a = new java.util.ArrayList<>(List.of("idle", cat.root.toString(), "--dry-run"));
        a.addAll(List.of(extra));
        LocalCatalog.Result r = cat.run(now, a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return IdleCloneService.parse(r.out());
    }

    @Test
    void aStoppedCloneIsDestroyedOnlyWhenTheDestroyPolicyIsDueAndEverythingElseIsLeftAlone() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        SnapshotRecord snap = cat.snapshot(T0.minus(Duration.ofHours(1)), Reason.MANUAL, false);
        cat.clone("old", snap.id(), T0);
        cat.clone("kept", snap.id(), T0);
        cat.clone("parent", snap.id(), T0);
        cat.snapshotOfClone("parent", T0.plus(Duration.ofHours(2)));
        cat.clone("bg202612010900-twin", snap.id(), T0);
        cat.clone("bisect-20261201T100000Z-p3", snap.id(), T0);
        cat.clone("recent", snap.id(), T0.plus(Duration.ofDays(3)));
        Files.writeString(cat.root.resolve("clones/kept.protected"), "{\"by\": \"tsadmin (alice@laptop)\", \"at\": \"2026-12-02T09:00:00Z\"}\n");
        // The console's start (or a client the hourly run saw) counts as use: "used" was last active on day 2.
        cat.clone("used", snap.id(), T0);
        Files.writeString(cat.root.resolve("clones/used.activity"), "2026-12-03T10:00:00Z\n");

        // The default policy marks and never acts: nothing is due, ever.
        for (IdleClone c : dryRun(cat, T0.plus(Duration.ofDays(60)))) {
            assertFalse(c.due(), c.toString());
        }

        cat.idleConf("# stop the forgotten ones\nidle-mark=24h\nidle-action=destroy\nidle-after=3d\n");
        Instant day4 = T0.plus(Duration.ofDays(4));
        Map<String, IdleClone> v = byName(dryRun(cat, day4));
        assertEquals(IdleClone.Verdict.DESTROY_DUE, v.get("old").verdict());
        assertEquals("no connection since 2026-12-01 10:00 UTC (4 d); policy destroys after 3 d; it can be made again from"
                + " snapshot " + snap.id() + " (losing only the writes made in the clone)", v.get("old").reason());
        assertEquals(Duration.ofDays(4), v.get("old").idleFor());
        assertEquals(T0, v.get("old").lastActiveAt());
        assertFalse(v.get("old").running());
        assertNull(v.get("old").connections());
        assertEquals(IdleClone.Verdict.PROTECTED, v.get("kept").verdict());
        assertTrue(v.get("kept").protectedClone());
        assertTrue(v.get("kept").reason().startsWith("protected by tsadmin (alice@laptop) since 2026-12-02T09:00:00Z"),
                v.get("kept").reason());
        assertEquals(IdleClone.Verdict.STOPPED, v.get("parent").verdict());
        assertTrue(v.get("parent").reason().contains("snapshots of its own (clone_parent/"), v.get("parent").reason());
        assertEquals(IdleClone.Verdict.PROTECTED, v.get("bg202612010900-twin").verdict());
        assertFalse(v.get("bg202612010900-twin").protectedClone(), "skipped as an operation's, not marked");
        assertTrue(v.get("bg202612010900-twin").reason().contains("blue/green"));
        assertEquals(IdleClone.Verdict.PROTECTED, v.get("bisect-20261201T100000Z-p3").verdict());
        assertTrue(v.get("bisect-20261201T100000Z-p3").reason().contains("bisect"));
        assertEquals(IdleClone.Verdict.STOPPED, v.get("recent").verdict(), "made a day ago: " + v.get("recent"));
        assertEquals(IdleClone.Verdict.STOPPED, v.get("used").verdict(), "active a day ago: " + v.get("used"));
        assertEquals(Instant.parse("2026-12-03T10:00:00Z"), v.get("used").lastActiveAt());

        List<String> before = cat.tree();
        dryRun(cat, day4);
        assertEquals(before, cat.tree(), "a dry run of stopped clones changes nothing");

        LocalCatalog.Result r = cat.run(day4, "idle", cat.root.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("destroyed clone old: " + v.get("old").reason()), r.out().lines().toList());
        assertFalse(Files.exists(cat.root.resolve("clones/old")), "its data is gone");
        assertFalse(Files.exists(cat.root.resolve("clones/old.json")), "and its sidecar");
        assertTrue(Files.exists(cat.root.resolve(snap.location().substring(cat.root.toString().length() + 1))), "its snapshot stays");
        for (String other : List.of("kept", "parent", "bg202612010900-twin", "bisect-20261201T100000Z-p3", "recent", "used")) {
            assertTrue(Files.exists(cat.root.resolve("clones/" + other + ".json")) && Files.isDirectory(cat.root.resolve("clones/" + other)),
                    other + " is untouched");
        }
        String log = cat.read("schedule/clones.log");
        assertTrue(log.contains("2026-12-05T10:00:00Z destroying clone old (made from snapshot " + snap.id()
                + " by tsadmin (alice@laptop)"), log);
        assertTrue(log.contains("it can be made again from " + snap.id() + ", losing only the writes made in the clone"), log);
        assertTrue(log.indexOf("destroying clone old") < log.indexOf("destroyed clone old"), "recorded before it is done: " + log);
        String status = cat.read("schedule/clones.status.json");
        assertTrue(status.contains("\"lastOutcome\": \"ok\"") && status.contains("destroyed clone old"), status);

        // Two days later "used" is due too; "recent" (made on day 3) is not.
        Map<String, IdleClone> later = byName(dryRun(cat, T0.plus(Duration.ofDays(5)).plusSeconds(60)));
        assertEquals(IdleClone.Verdict.DESTROY_DUE, later.get("used").verdict());
        assertEquals(IdleClone.Verdict.STOPPED, later.get("recent").verdict());
    }

    @Test
    void theHourlyRunActsOnIdleClonesAfterTheSnapshotsAndALockHeldByAConsoleIsRecordedNotFatal() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        SnapshotRecord snap = cat.snapshot(T0.minus(Duration.ofHours(1)), Reason.MANUAL, false);
        cat.clone("old", snap.id(), T0);
        cat.idleConf("idle-action=destroy\nidle-after=2d\n");
        Instant day3 = T0.plus(Duration.ofDays(3));
        // Another holder of the lock (lock.sh, as a console's operation holds it): nothing is destroyed, and why is
        // recorded where the console reads it.
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", ". \"$1/bin/lock.sh\"; lock_acquire \"$1\" rehearsal 0 >/dev/null"
                + " && echo held && sleep 120", "sh", cat.root.toString());
        pb.environment().putAll(Map.of("LOCK_ACTOR_SSH", "tsadmin", "LOCK_ACTOR_USER", "alice", "LOCK_ACTOR_HOST", "laptop"));
        pb.redirectErrorStream(true);
        Process holder = pb.start();
        try {
            assertEquals("held", new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine());
        LocalCatalog.Result held = cat.run(day3, "idle", cat.root.toString());
        assertEquals(75, held.code(), held.out() + held.err());
        assertTrue(Files.exists(cat.root.resolve("clones/old.json")), "nothing destroyed while the lock is held");
        assertTrue(cat.read("schedule/clones.status.json").contains("\"lastOutcome\": \"skipped\""));
        assertTrue(cat.read("schedule/clones.log").contains("idle clones skipped: lock held by tsadmin (alice@laptop) for rehearsal"),
                cat.read("schedule/clones.log"));
        // The hourly run has no snapshot schedule to run here: it still looks at the clones, and its exit is the snapshots'.
        LocalCatalog.Result blocked = cat.run(day3, "run", cat.root.toString());
        assertEquals(0, blocked.code(), blocked.err());
        assertTrue(blocked.err().contains("idle clones of " + cat.root + ": exit 75"), blocked.err());
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        deleteLock(cat);
        LocalCatalog.Result run = cat.run(day3, "run", cat.root.toString());
        assertEquals(0, run.code(), run.err());
        assertFalse(Files.exists(cat.root.resolve("clones/old.json")), "the hourly run destroyed it");
        assertFalse(Files.exists(cat.root.resolve("clones/old")));
        assertTrue(cat.read("schedule/clones.status.json").contains("\"lastOutcome\": \"ok\""));
        assertTrue(cat.sidecars().contains(snap.name()), "the clones.conf is not taken for a volume's schedule");
    }

    /* The holder was killed: its lock is left for a take-over by the same operation, which this test does not run. */
    static void deleteLock(LocalCatalog cat) throws Exception {
        try (var s = Files.walk(cat.root.resolve("lock"))) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aRunningCloneWhoseConnectionsCannotBeCountedIsNeverActedOn() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        SnapshotRecord snap = cat.snapshot(T0.minus(Duration.ofHours(1)), Reason.MANUAL, false);
        cat.clone("busy", snap.id(), T0);
        cat.idleConf("idle-action=stop\nidle-after=1d\n");
        Path data = cat.root.resolve("clones/busy");
        // A process whose working directory is the clone's data: to the script's check, its postmaster runs. No
        // server answers on the port, so the connections cannot be counted.
        Process p = new ProcessBuilder("sleep", "120").directory(data.toFile()).start();
        try {
            Files.writeString(data.resolve("postmaster.pid"), p.pid() + "\n" + data + "\n1700000000\n1\n" + dir + "\n");
            IdleClone c = dryRun(cat, T0.plus(Duration.ofDays(30))).get(0);
            assertTrue(c.running());
            assertNull(c.connections());
            assertEquals(IdleClone.Verdict.ACTIVE, c.verdict());
            assertTrue(c.reason().startsWith("running, but its connections could not be counted"), c.reason());
            LocalCatalog.Result r = cat.run(T0.plus(Duration.ofDays(30)), "idle", cat.root.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals("", r.out());
            assertTrue(p.isAlive(), "not stopped");
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theScriptAndTheConsoleReadAndRefuseTheSamePolicies() throws Exception {
        LocalCatalog cat = new LocalCatalog(dir);
        for (String ok : List.of("idle-action=stop", "idle-mark=90m idle-action=destroy idle-after=2d", "idle-after=1w",
                "idle-mark=6h,idle-after=6h", "idle-mark=48h idle-after=30d idle-action=off")) {
            List<String> a = List.of("idle", cat.root.toString(), "--dry-run", "--policy", ok);
            LocalCatalog.Result r = cat.run(T0, a.toArray(String[]::new));
            assertEquals(0, r.code(), ok + ": " + r.err());
            String text = IdleClonePolicy.parse(ok).text();
            assertTrue(r.out().contains("\"text\": \"" + text + "\""), ok + " -> " + r.out());
        }
        for (String bad : List.of("idle-action=kill", "idle-mark=0h", "idle-mark=010h", "idle-after=30m", "idle-mark=3d idle-after=2d",
                "idle-mark=24h idle-mark=2h", "idle-wait=3d", "idle-after=3d;reboot", "idle-after=", "idle-after=3x",
                "idle-after=1234567h")) {
            LocalCatalog.Result r = cat.run(T0, "idle", cat.root.toString(), "--dry-run", "--policy", bad);
            assertNotEquals(0, r.code(), bad + " accepted by the script");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdleClonePolicy.parse(bad), bad);
            assertFalse(e.getMessage().isBlank());
        }
        // A file others may write is refused, never read.
        cat.idleConf("idle-action=destroy\nidle-after=1h\n");
        Files.setPosixFilePermissions(cat.root.resolve("schedule/clones.conf"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        LocalCatalog.Result r = cat.run(T0, "idle", cat.root.toString(), "--dry-run");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("may be written by others"), r.err());
    }
}
