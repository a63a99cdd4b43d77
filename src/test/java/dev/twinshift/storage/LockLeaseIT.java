package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.SshConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two consoles, each on its own SSH connection, on a scratch catalog of the lab's btrfs: the lease
 * keeps a working holder's lock from being taken over, and frees the lock of one that stopped.
 */
class LockLeaseIT {
    /* Short, so that an expiry is seen within seconds; 8 renewals' worth, so that a loaded machine still renews in time. */
    static final Duration LEASE = Duration.ofSeconds(8);
    static SshConnection consoleA;
    static SshConnection consoleB;
    static final String DIR = "/srv/twinshift-lab/btrfs/.twinshift/it-lease-" + UUID.randomUUID().toString().substring(0, 8);
    static final Actor ALICE = new Actor("tsadmin", "alice", "laptop");
    static final Actor BOB = new Actor("tsadmin", "bob", "desk");

    @BeforeAll
    static void lab() {
        Lab lab = Lab.require();
        consoleA = LabShell.fresh(lab.admin());
        consoleB = LabShell.fresh(lab.admin());
        System.setProperty(CatalogLock.LEASE_PROPERTY, LEASE.toString());
        System.setProperty(CatalogLock.RENEW_PROPERTY, "PT1S");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        System.clearProperty(CatalogLock.LEASE_PROPERTY);
        System.clearProperty(CatalogLock.RENEW_PROPERTY);
        if (consoleB != null) {
            consoleB.run(RemoteCommand.of("rm", "-rf", "--", DIR).asRoot());
            consoleB.close();
        }
        if (consoleA != null) {
            consoleA.close();
        }
    }

    static Catalog on(SshConnection console, String sub) {
        return new Catalog(console, DIR + "/" + sub);
    }

    /** Waits (bounded, generously) until the owner file says what {@code until} wants. */
    static LockOwner awaitOwner(Catalog cat, java.util.function.Predicate<LockOwner> until, String what) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            LockOwner o = CatalogLock.holder(cat).orElse(null);
            if (o != null && until.test(o)) {
                return o;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("within 60 s: " + what + "; owner now " + CatalogLock.holder(cat));
    }

    @Test
    void aHolderThatKeepsRenewingIsNotTakenOver() throws Exception {
        Catalog a = on(consoleA, "a");
        Catalog b = on(consoleB, "a");
        try (CatalogLock held = CatalogLock.acquire(a, ALICE, "upgrade X")) {
            Instant firstUntil = held.owner().lease().validUntil();
            // Past the lease it was taken with: only renewals keep it.
            LockOwner renewed = awaitOwner(b, o -> o.lease().renewed().isAfter(firstUntil), "the lease renewed past its first end");
            LockedException e = assertThrows(LockedException.class, () -> CatalogLock.adopt(b, BOB, "upgrade X"));
            String m = e.getMessage();
            assertTrue(m.contains("locked by tsadmin (alice@laptop) since " + held.owner().since() + " for upgrade X"), m);
            assertTrue(m.contains("pid " + ProcessHandle.current().pid() + " on " + renewed.lease().host()), m);
            assertTrue(m.contains("lease renewed ") && m.contains("valid until "), m);
            assertTrue(m.contains("Wait for it to finish"), m);
            assertEquals(held.owner().token(), CatalogLock.holder(b).orElseThrow().token(), "A still holds it");
            assertTrue(held.stillHeld());
        }
        assertFalse(a.exists(a.lockDir()));
    }

    @Test
    void aHolderThatStoppedRenewingIsTakenOverOnceItsLeaseRanOut() throws Exception {
        Catalog a = on(consoleA, "b");
        Catalog b = on(consoleB, "b");
        CatalogLock frozen = CatalogLock.acquire(a, ALICE, "upgrade Y");
        try {
            frozen.stopRenewingForTest();
            assertThrows(LockedException.class, () -> CatalogLock.adopt(b, BOB, "upgrade Y"),
                    "while its lease holds, even a silent holder keeps the lock");
            awaitOwner(b, o -> !CatalogLock.judge(o).alive(), "the frozen holder's lease ran out");
            try (CatalogLock taken = CatalogLock.adopt(b, BOB, "upgrade Y")) {
                assertEquals("bob", CatalogLock.holder(b).orElseThrow().who().workstationUser());
                assertFalse(frozen.stillHeld(), "the old holder knows its lease ran out");
                assertThrows(LockedException.class, frozen::requireHeld);
                // It wakes up and renews: the lock taken over is not overwritten, and it learns it lost it.
                frozen.renewOnce();
                assertEquals(taken.owner().token(), CatalogLock.holder(b).orElseThrow().token());
                LockedException lost = assertThrows(LockedException.class, frozen::requireHeld);
                assertTrue(lost.getMessage().contains("another console took it over"), lost.getMessage());
                frozen.close();
                assertEquals(taken.owner().token(), CatalogLock.holder(b).orElseThrow().token(),
                        "the old holder's release leaves the new holder's lock alone");
                assertTrue(taken.stillHeld());
            }
        } finally {
            frozen.close();
        }
        assertFalse(b.exists(b.lockDir()));
    }

    @Test
    void aHolderThatLostItsConnectionKnowsItOnceItsLeaseRanOut() throws Exception {
        SshConnection cut = LabShell.fresh(Lab.require().admin());
        Catalog b = on(consoleB, "f");
        CatalogLock orphan = CatalogLock.acquire(new Catalog(cut, DIR + "/f"), ALICE, "upgrade V");
        try {
            cut.close();
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (orphan.stillHeld() && System.nanoTime() < end) {
                Thread.sleep(200);
            }
            LockedException e = assertThrows(LockedException.class, orphan::requireHeld);
            assertTrue(e.getMessage().contains("its lease could not be renewed") && e.getMessage().contains("failures in a row"),
                    e.getMessage());
            // What it left on the server is free for the other console now, and for nobody before.
            LockOwner left = awaitOwner(b, o -> !CatalogLock.judge(o).alive(), "the orphan's lease ran out");
            assertEquals(orphan.owner().token(), left.token());
            assertEquals(orphan.owner().token(), CatalogLock.breakIfGone(b).orElseThrow().token());
        } finally {
            try {
                orphan.close();
            } catch (dev.twinshift.ssh.SshException expected) {
                // its connection is closed: nothing it can release
            }
            CatalogLock.breakLock(b);
        }
        assertFalse(b.exists(b.lockDir()));
    }

    @Test
    void aHolderWhoseProcessEndedOnThisMachineIsTakenOverAtOnce() throws Exception {
        Catalog b = on(consoleB, "c");
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        LockLiveness.Local here = LockLiveness.thisMachine();
        Instant now = Instant.now();
        LockOwner dead = new LockOwner(UUID.randomUUID().toString(), ALICE, "upgrade Z", now,
                new LockOwner.Lease(here.host(), p.pid(), null, here.bootId(), now, now.plus(Duration.ofHours(1))));
        writeOwner(b, dead);
        try (CatalogLock taken = CatalogLock.adopt(b, BOB, "upgrade Z")) {
            assertEquals(taken.owner().token(), CatalogLock.holder(b).orElseThrow().token());
        }
        // The same holder on another host: an hour of lease left, nothing proves it gone.
        writeOwner(b, new LockOwner(UUID.randomUUID().toString(), ALICE, "upgrade Z", now,
                new LockOwner.Lease("elsewhere", p.pid(), null, "other-boot", now, now.plus(Duration.ofHours(1)))));
        try {
            LockedException e = assertThrows(LockedException.class, () -> CatalogLock.adopt(b, BOB, "upgrade Z"));
            assertTrue(e.getMessage().contains("pid " + p.pid() + " on elsewhere"), e.getMessage());
            LockedException e2 = assertThrows(LockedException.class, () -> CatalogLock.breakIfGone(b));
            assertTrue(e2.getMessage().startsWith("refused: "), e2.getMessage());
        } finally {
            CatalogLock.breakLock(b);
        }
        assertFalse(b.exists(b.lockDir()));
    }

    @Test
    void anOwnerFileWithoutLeaseIsTakenOverOnlyOnceOlderThanALease() throws Exception {
        Catalog b = on(consoleB, "d");
        writeOwner(b, new LockOwner("old", ALICE, "upgrade W", Instant.now()));
        try {
            assertThrows(LockedException.class, () -> CatalogLock.adopt(b, BOB, "upgrade W"));
        } finally {
            CatalogLock.breakLock(b);
        }
        writeOwner(b, new LockOwner("old", ALICE, "upgrade W", Instant.now().minus(LEASE).minusSeconds(1)));
        // Another operation is not let in (the dead one's state is for its resume or rollback), and is told why.
        LockedException other = assertThrows(LockedException.class,
                () -> CatalogLock.acquire(b, BOB, "snapshot of 13/main", Duration.ofMinutes(5)));
        assertTrue(other.getMessage().contains("gone: it was taken ") && other.getMessage().contains("lock break --yes"),
                other.getMessage());
        try (CatalogLock taken = CatalogLock.adopt(b, BOB, "upgrade W")) {
            assertEquals("bob", CatalogLock.holder(b).orElseThrow().who().workstationUser());
        }
        assertFalse(b.exists(b.lockDir()));
    }

    @Test
    void aWaitingConsoleSaysWhoHoldsTheLock() throws Exception {
        Catalog a = on(consoleA, "e");
        Catalog b = on(consoleB, "e");
        List<String> said = new CopyOnWriteArrayList<>();
        try (CatalogLock held = CatalogLock.acquire(a, ALICE, "snapshot of 13/main")) {
            assertThrows(LockedException.class,
                    () -> CatalogLock.acquire(b, BOB, "start clone t", Duration.ofSeconds(2), said::add));
        }
        assertFalse(said.isEmpty(), "the wait was not silent");
        String first = said.get(0);
        assertTrue(first.startsWith("waiting for the lock ("), first);
        assertTrue(first.contains("locked by tsadmin (alice@laptop) since ") && first.contains("for snapshot of 13/main"), first);
        assertTrue(first.contains("holder pid " + ProcessHandle.current().pid()) && first.contains("lease renewed"), first);
        assertTrue(said.size() <= 2, "said once, then every few seconds, not on every try: " + said);
    }

    static void writeOwner(Catalog cat, LockOwner o) throws Exception {
        cat.ensureLayout();
        cat.shell().run(RemoteCommand.of("mkdir", "--", cat.lockDir()).asRoot()).requireSuccess();
        cat.writeJson(cat.lockDir() + "/owner.json", o);
    }
}
