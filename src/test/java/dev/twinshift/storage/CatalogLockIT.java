package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two consoles on one catalog (a scratch one, so the lab's real lock is never touched). */
class CatalogLockIT {
    static RemoteShell shell;
    static final String DIR = "/srv/twinshift-lab/btrfs/.twinshift/it-lock-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (shell != null) {
            shell.run(RemoteCommand.of("rm", "-rf", "--", DIR).asRoot());
        }
    }

    @Test
    void secondConsoleIsToldWhoHoldsTheLock() throws Exception {
        Catalog cat = new Catalog(shell, DIR);
        Actor alice = new Actor("tsadmin", "alice", "laptop");
        Actor bob = new Actor("tsadmin", "bob", "desk");
        try (CatalogLock held = CatalogLock.acquire(cat, alice, "rollback of 13/main")) {
            LockedException e = assertThrows(LockedException.class,
                    () -> CatalogLock.acquire(cat, bob, "snapshot", java.time.Duration.ZERO));
            assertTrue(e.getMessage().contains("locked by tsadmin (alice@laptop) since "), e.getMessage());
            assertTrue(e.getMessage().contains("for rollback of 13/main"), e.getMessage());
            assertEquals("alice", e.owner().orElseThrow().who().workstationUser());
        }
        // Released: the next one gets it.
        try (CatalogLock again = CatalogLock.acquire(cat, bob, "snapshot")) {
            assertEquals("snapshot", CatalogLock.holder(cat).orElseThrow().operation());
        }
        assertFalse(cat.exists(cat.lockDir()));
    }

    @Test
    void staleLockCanBeBrokenAndTheOldHolderDoesNotReleaseTheNewOne() throws Exception {
        Catalog cat = new Catalog(shell, DIR + "/b");
        CatalogLock stale = CatalogLock.acquire(cat, new Actor("tsadmin", "gone", "crashed"), "upgrade");
        assertEquals("gone", CatalogLock.breakLock(cat).orElseThrow().who().workstationUser());
        CatalogLock fresh = CatalogLock.acquire(cat, new Actor("tsadmin", "carol", "pc"), "snapshot");
        stale.close();
        assertEquals("carol", CatalogLock.holder(cat).orElseThrow().who().workstationUser(),
                "closing a broken lock must not remove the one taken since");
        fresh.close();
        assertFalse(cat.exists(cat.lockDir()));
    }

    @Test
    void lockWithoutOwnerFileStillBlocks() throws Exception {
        Catalog cat = new Catalog(shell, DIR + "/c");
        cat.ensureLayout();
        shell.check(RemoteCommand.of("mkdir", cat.lockDir()).asRoot());
        LockedException e = assertThrows(LockedException.class,
                () -> CatalogLock.acquire(cat, new Actor("a", "b", "c"), "x", java.time.Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("break the lock"), e.getMessage());
        CatalogLock.breakLock(cat);
        CatalogLock.acquire(cat, new Actor("a", "b", "c"), "x").close();
    }

    @Test
    void aShortOperationIsWaitedForInsteadOfRefused() throws Exception {
        Catalog cat = new Catalog(shell, DIR + "/d");
        CatalogLock first = CatalogLock.acquire(cat, new Actor("tsadmin", "alice", "laptop"), "snapshot");
        java.util.concurrent.CompletableFuture<Void> release = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(1500);
                first.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long asked = System.nanoTime();
        try (CatalogLock second = CatalogLock.acquire(cat, new Actor("tsadmin", "bob", "desk"), "start clone")) {
            assertTrue(java.time.Duration.ofNanos(System.nanoTime() - asked).toMillis() >= 1000,
                    "the second console waited for the first to finish");
            assertEquals("bob", CatalogLock.holder(cat).orElseThrow().who().workstationUser());
        }
        release.get();
    }
    @Test
    void twoConsolesTakingTurnsQueueWithoutErrorsAndNeverOverlap() throws Exception {
        Catalog cat = new Catalog(shell, DIR + "/e");
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Function<String, java.util.concurrent.Callable<Integer>> console = name -> () -> {
            Actor me = new Actor("tsadmin", name, "pc");
            int turns = 0;
            for (int i = 0; i < 8; i++) {
                try (CatalogLock lock = CatalogLock.acquire(cat, me, "snapshot")) {
                    if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    assertEquals(name, CatalogLock.holder(cat).orElseThrow().who().workstationUser());
                    inside.decrementAndGet();
                    turns++;
                }
            }
            return turns;
        };
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(console.apply("alice"));
            var b = pool.submit(console.apply("bob"));
            // Releases and takes race here on every turn: each must end in a wait, never in an error.
            assertEquals(8, a.get());
            assertEquals(8, b.get());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, overlaps.get());
        assertFalse(cat.exists(cat.lockDir()));
    }
}
