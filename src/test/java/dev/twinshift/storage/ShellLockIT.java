package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lock held on the server by its own shell job (lock.sh, as the scheduled snapshot takes it),
 * seen from a console over SSH: named as the job, waited for while it works, and taken over once the
 * job is killed. On a scratch catalog of the lab's btrfs.
 */
class ShellLockIT {
    static RemoteShell shell;
    static final String DIR = ScratchCluster.BTRFS + "/it-shell-lock-" + UUID.randomUUID().toString().substring(0, 8);
    static final Actor BOB = new Actor("tsadmin", "bob", "desk");
    static final String JOB = "scheduled snapshot of 13/main";

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (shell != null) {
            shell.run(RemoteCommand.of("sh", "-c", "for p in \"$1\"/*/.twinshift/holder.pid; do [ -f \"$p\" ] && kill -9 \"$(cat \"$p\")\";"
                    + " done; rm -rf -- \"$1\"; exit 0", "sh", DIR).asRoot());
        }
    }

    /**
     * Starts, detached on the server, a shell job that takes the lock for {@code operation}, holds it
     * {@code seconds} and releases it; returns its pid once it holds the lock.
     */
    static long shellHolder(Catalog cat, String operation, int seconds) throws Exception {
        ServerScripts.install(cat, List.of("lock.sh"));
        String pid = shell.check(RemoteCommand.of("sh", "-c", "setsid sh -c '. \"$1/lock.sh\"; lock_acquire \"$2\" \"$3\" 0"
                        + " || exit 1; echo $$ > \"$2/holder.pid\"; sleep \"$4\"; lock_release' job \"$1\" \"$2\" \"$3\" \"$4\""
                        + " < /dev/null > /dev/null 2>&1 & i=0; while [ ! -s \"$2/holder.pid\" ] && [ $i -lt 100 ]; do"
                        + " sleep 0.1; i=$((i + 1)); done; cat \"$2/holder.pid\"", "sh", ServerScripts.binDir(cat), cat.root(),
                operation, Integer.toString(seconds)).asRoot()).stdout().strip();
        return Long.parseLong(pid);
    }

    @Test
    void theConsoleNamesTheShellJobWaitsForItAndTakesItsLockOverOnceItIsKilled() throws Exception {
        Catalog cat = new Catalog(shell, DIR + "/a");
        cat.ensureLayout();
        long job = shellHolder(cat, JOB, 600);
        String host = shell.check(RemoteCommand.of("uname", "-n")).stdout().strip();

        List<String> said = new CopyOnWriteArrayList<>();
        LockedException held = assertThrows(LockedException.class,
                () -> CatalogLock.acquire(cat, BOB, "snapshot of 13/main", Duration.ofSeconds(2), said::add));
        String m = held.getMessage();
        assertTrue(m.contains("is locked by the scheduled snapshot job on " + host + " since "), m);
        assertTrue(m.contains(" for " + JOB), m);
        assertTrue(m.contains("holder pid " + job + " on " + host + ", alive: "), m);
        assertTrue(said.stream().anyMatch(l -> l.startsWith("waiting for the lock") && l.contains("scheduled snapshot job")),
                said.toString());
        assertEquals(Actor.schedule(host), held.owner().orElseThrow().who());

        // Alive, the job keeps its lock from a take-over too.
        assertThrows(LockedException.class, () -> CatalogLock.adopt(cat, BOB, JOB));

        shell.check(RemoteCommand.of("kill", "-9", Long.toString(job)).asRoot());
        // The console runs on the server's own host here, so the ended process proves the job gone at once;
        // from another workstation the lease (30 s) would have to run out first.
        long end = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        LockLiveness.Verdict v = CatalogLock.judge(CatalogLock.holder(cat).orElseThrow());
        while (v.alive() && System.nanoTime() < end) {
            Thread.sleep(200);
            v = CatalogLock.judge(CatalogLock.holder(cat).orElseThrow());
        }
        assertFalse(v.alive(), v.reason());
        assertTrue(v.reason().contains("its process " + job + " no longer runs"), v.reason());
        try (CatalogLock taken = CatalogLock.adopt(cat, BOB, JOB)) {
            assertEquals("bob", CatalogLock.holder(cat).orElseThrow().who().workstationUser());
            Thread.sleep(1500);
            assertEquals(taken.owner().token(), CatalogLock.holder(cat).orElseThrow().token(),
                    "the dead job's renewer does not write over the new holder's lock");
        }
        assertFalse(cat.exists(cat.lockDir()));
    }

    @Test
    void aConsoleWaitsForAShortShellJobAndGetsTheLockWhenItEnds() throws Exception {
        Catalog cat = new Catalog(shell, DIR + "/b");
        cat.ensureLayout();
        shellHolder(cat, JOB, 3);
        List<String> said = new CopyOnWriteArrayList<>();
        try (CatalogLock lock = CatalogLock.acquire(cat, BOB, "snapshot of 13/main", Duration.ofSeconds(30), said::add)) {
            assertEquals(lock.owner().token(), CatalogLock.holder(cat).orElseThrow().token());
        }
        assertTrue(said.stream().anyMatch(l -> l.startsWith("got the lock of ")), said.toString());
    }

    @Test
    void aShellJobWaitsForTheConsoleAndSaysWhoHoldsIt() throws Exception {
        Catalog cat = new Catalog(shell, DIR + "/c");
        cat.ensureLayout();
        ServerScripts.install(cat, List.of("lock.sh"));
        try (CatalogLock lock = CatalogLock.acquire(cat, BOB, "upgrade 13/main")) {
            var r = shell.run(RemoteCommand.of("sh", "-c", ". \"$1/lock.sh\"; lock_acquire \"$2\" \"$3\" 2", "sh",
                    ServerScripts.binDir(cat), cat.root(), JOB).asRoot());
            assertEquals(1, r.exitCode(), r.stderr());
            assertEquals("held by tsadmin (bob@desk) for upgrade 13/main since " + lock.owner().since(), r.stdout().strip());
        }
    }
}
