package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's lock.sh run here with /bin/sh against the console's reading of the same protocol:
 * what one writes the other judges, waits for and takes over exactly as it would its own.
 */
class LockScriptTest {
    @TempDir
    Path dir;
    Path catalog;
    String lockSh;
    Process holder;

    @BeforeEach
    void scripts() throws Exception {
        catalog = dir.resolve(".twinshift");
        Files.createDirectories(catalog);
        lockSh = ScriptRun.installInto(catalog, List.of("lock.sh")).resolve("lock.sh").toString();
    }

    @AfterEach
    void stopHolder() {
        if (holder != null) {
            holder.destroyForcibly();
        }
    }

    LockOwner owner() throws Exception {
        return Json.mapper().readValue(Files.readString(catalog.resolve("lock/owner.json")), LockOwner.class);
    }

    /** A shell job that takes the lock and keeps it until killed; returns once it holds it. */
    Process shellHolder(String operation, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", ". \"$1\"; lock_acquire \"$2\" \"$3\" 0 || exit $?;"
                + " echo \"acquired $$ $LOCK_TOKEN\"; exec sleep 600", "sh", lockSh, catalog.toString(), operation);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        assertTrue(line != null && line.startsWith("acquired " + p.pid() + " "), "the holder says " + line);
        return p;
    }

    @Test
    void aShellHolderIsReadByTheConsoleAsTheScheduledJobOnThisHostWithALiveLease() throws Exception {
        holder = shellHolder("scheduled snapshot of 13/main", Map.of());
        LockOwner o = owner();
        assertEquals(Actor.schedule(LockLiveness.thisMachine().host()), o.who(), "root, schedule, this host");
        assertEquals("scheduled snapshot of 13/main", o.operation());
        assertEquals(holder.pid(), o.lease().pid(), "the lease names the job's own process");
        assertEquals(LockLiveness.thisMachine().bootId(), o.lease().bootId());
        assertEquals(Duration.ofSeconds(30), Duration.between(o.lease().renewed(), o.lease().validUntil()));
        assertTrue(o.describe().startsWith("locked by the scheduled snapshot job on " + o.who().workstationHost() + " since "),
                o.describe());
        LockLiveness.Verdict v = CatalogLock.judge(o);
        assertTrue(v.alive(), v.reason());
        assertTrue(v.reason().contains("its process " + holder.pid() + " runs on this host"), v.reason());
    }

    @Test
    void theLeaseIsRenewedWhileTheHolderLivesAndTheLockGoesWithItsRelease() throws Exception {
        ScriptRun.Result r = ScriptRun.sh(Map.of("TWINSHIFT_LOCK_LEASE", "6", "TWINSHIFT_LOCK_RENEW", "1"),
                ". \"$1\"; lock_acquire \"$2\" op 0 || exit 9; first=$(grep validUntil \"$2/lock/owner.json\");"
                        + " sleep 3; again=$(grep validUntil \"$2/lock/owner.json\");"
                        + " [ \"$first\" != \"$again\" ] || { echo 'not renewed'; exit 8; };"
                        + " renewer=$LOCK_RENEWER; lock_release || exit 7; sleep 1.5;"
                        + " ! kill -0 \"$renewer\" 2>/dev/null || { echo 'renewer still runs'; exit 6; };"
                        + " [ ! -e \"$2/lock\" ] || { echo 'lock left'; exit 5; }; echo ok",
                lockSh, catalog.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("ok\n", r.stdout());
    }

    @Test
    void aSecondJobWaitsItsTimeThenSaysWhoHoldsTheLock() throws Exception {
        holder = shellHolder("scheduled snapshot of 13/main", Map.of());
        long start = System.nanoTime();
        ScriptRun.Result r = ScriptRun.sh(Map.of(), ". \"$1\"; lock_acquire \"$2\" other 2", lockSh, catalog.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 2000, "it waited");
        assertEquals("held by the scheduled snapshot job on " + owner().who().workstationHost()
                + " for scheduled snapshot of 13/main since " + owner().since() + "\n", r.stdout());
        assertTrue(r.stderr().contains("waiting for the lock (0 s of 2 s): held by the scheduled snapshot job"), r.stderr());
    }

    @Test
    void aKilledShellHolderIsGoneForTheConsoleAndTakenOverByTheNextRunOfItsOperation() throws Exception {
        holder = shellHolder("scheduled snapshot of 13/main", Map.of());
        LockOwner first = owner();
        holder.destroyForcibly().waitFor();
        LockLiveness.Verdict v = CatalogLock.judge(owner());
        assertFalse(v.alive(), v.reason());
        assertTrue(v.reason().contains("its process " + first.lease().pid() + " no longer runs"), v.reason());
        // Another operation does not take the dead job's lock, and is told at once why not.
        ScriptRun.Result other = ScriptRun.sh(Map.of(), ". \"$1\"; lock_acquire \"$2\" \"upgrade 13 to 15\" 20", lockSh,
                catalog.toString());
        assertEquals(1, other.exit(), other.toString());
        assertTrue(other.stderr().contains("its holder is gone (its process " + first.lease().pid() + " no longer runs"),
                other.stderr());
        assertEquals(first.token(), owner().token());
        // The next run of the same job does.
        ScriptRun.Result next = ScriptRun.sh(Map.of(), ". \"$1\"; lock_acquire \"$2\" \"scheduled snapshot of 13/main\" 0"
                + " || exit $?; echo \"$LOCK_TOKEN\"; lock_release", lockSh, catalog.toString());
        assertEquals(0, next.exit(), next.toString());
        assertTrue(next.stderr().contains("taking over the lock"), next.stderr());
        assertNotEquals(first.token(), next.stdout().strip());
        assertFalse(Files.exists(catalog.resolve("lock")));
    }

    @Test
    void aConsoleHolderIsJudgedByTheShellAsTheConsoleJudgesIt() throws Exception {
        LockLiveness.Local here = LockLiveness.thisMachine();
        Instant now = Instant.now();
        ProcessHandle self = ProcessHandle.current();
        // This very JVM holds it: alive, whatever the operation.
        writeOwner(new LockOwner(UUID.randomUUID().toString(), new Actor("tsadmin", "alice", "laptop"), "upgrade X", now,
                new LockOwner.Lease(here.host(), self.pid(), self.info().startInstant().orElse(null), here.bootId(), now,
                        now.plus(Duration.ofSeconds(30)))));
        ScriptRun.Result alive = ScriptRun.sh(Map.of(), ". \"$1\"; lock_acquire \"$2\" \"upgrade X\" 1", lockSh,
                catalog.toString());
        assertEquals(1, alive.exit(), alive.toString());
        assertEquals("held by tsadmin (alice@laptop) for upgrade X since " + now + "\n", alive.stdout());

        // A console whose process ended on this machine, with an hour of lease left: gone, taken over for its operation.
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        LockOwner dead = new LockOwner(UUID.randomUUID().toString(), new Actor("tsadmin", "bob", "desk"), "upgrade Y", now,
                new LockOwner.Lease(here.host(), p.pid(), null, here.bootId(), now, now.plus(Duration.ofHours(1))));
        writeOwner(dead);
        ScriptRun.Result taken = ScriptRun.sh(Map.of(), ". \"$1\"; lock_acquire \"$2\" \"upgrade Y\" 0 || exit $?;"
                + " echo \"$LOCK_TOKEN\"", lockSh, catalog.toString());
        assertEquals(0, taken.exit(), taken.toString());
        assertEquals(taken.stdout().strip(), owner().token());

        // The same on another host with its lease still running: nothing proves it gone.
        Files.walk(catalog.resolve("lock")).sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        writeOwner(new LockOwner(UUID.randomUUID().toString(), new Actor("tsadmin", "bob", "desk"), "upgrade Y", now,
                new LockOwner.Lease("elsewhere", p.pid(), null, "other-boot", now, now.plus(Duration.ofHours(1)))));
        ScriptRun.Result elsewhere = ScriptRun.sh(Map.of(), ". \"$1\"; lock_acquire \"$2\" \"upgrade Y\" 0", lockSh,
                catalog.toString());
        assertEquals(1, elsewhere.exit(), elsewhere.toString());
    }

    @Test
    void aLateReleaseLeavesTheLockOfTheHolderThatTookOverAlone() throws Exception {
        ScriptRun.Result r = ScriptRun.sh(Map.of(), ". \"$1\"; lock_acquire \"$2\" op 0 || exit 9;"
                        + " sed -i \"s/$LOCK_TOKEN/someone-else/\" \"$2/lock/owner.json\"; lock_release || exit 8;"
                        + " grep -q someone-else \"$2/lock/owner.json\" && echo kept",
                lockSh, catalog.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("kept\n", r.stdout());
    }

    @Test
    void everyStringIsEscapedSoThatJsonReadsItBack() throws Exception {
        String nasty = "a \"quoted\" \\ back\tslash\u0001\u001f ünïcode € line\nbreak";
        ScriptRun.Result r = ScriptRun.sh(Map.of(), ". \"$1\"; printf '\"%s\"' \"$(json_str \"$2\")\"", lockSh, nasty);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(nasty, Json.mapper().readValue(r.stdout(), String.class));
        assertEquals(Json.mapper().writeValueAsString(nasty), r.stdout(), "the same bytes as Jackson writes");
    }

    void writeOwner(LockOwner o) throws Exception {
        Files.createDirectories(catalog.resolve("lock"));
        Files.writeString(catalog.resolve("lock/owner.json"), Json.mapper().writeValueAsString(o) + "\n");
    }
}
