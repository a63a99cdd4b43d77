package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LockLivenessTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final Duration LEASE = Duration.ofSeconds(30);
    static final Actor WHO = new Actor("tsadmin", "alice", "laptop");

    static LockOwner owner(String host, long pid, String boot, Instant renewed) {
        return new LockOwner("t", WHO, "upgrade x", renewed.minusSeconds(600),
                new LockOwner.Lease(host, pid, null, boot, renewed, renewed.plus(LEASE)));
    }

    static LockLiveness.Local here(boolean pidRuns) {
        return new LockLiveness.Local("laptop", "boot-1", (pid, started) -> pidRuns);
    }

    @Test
    void aFreshLeaseOnAnotherHostIsAlive() {
        LockLiveness.Verdict v = LockLiveness.judge(owner("desk", 42, "boot-9", NOW.minusSeconds(4)), NOW, LEASE, here(false));
        assertTrue(v.alive(), v.reason());
        assertTrue(v.reason().contains("lease renewed 4.0 s ago, valid until 2026-01-02T03:04:31Z"), v.reason());
    }

    @Test
    void anExpiredLeaseIsGoneWhereverItsHolderRan() {
        LockLiveness.Verdict v = LockLiveness.judge(owner("desk", 42, "boot-9", NOW.minusSeconds(31)), NOW, LEASE, here(true));
        assertFalse(v.alive());
        assertTrue(v.reason().contains("lease renewed 31 s ago, expired 1.0 s ago"), v.reason());
        assertFalse(LockLiveness.judge(owner("laptop", 42, "boot-1", NOW.minusSeconds(30)), NOW, LEASE, here(true)).alive(),
                "a lease ends at its validUntil, even when its process still runs here");
    }

    @Test
    void onThisHostAndBootAProcessThatEndedIsGoneAtOnce() {
        LockOwner o = owner("LAPTOP", 42, "boot-1", NOW.minusSeconds(1));
        LockLiveness.Verdict v = LockLiveness.judge(o, NOW, LEASE, here(false));
        assertFalse(v.alive());
        assertTrue(v.reason().contains("process 42 no longer runs on LAPTOP"), v.reason());
        assertTrue(LockLiveness.judge(o, NOW, LEASE, here(true)).alive(), "its process runs: alive");
    }

    @Test
    void aRebootOfTheHoldersHostProvesItGone() {
        LockLiveness.Verdict v = LockLiveness.judge(owner("laptop", 42, "boot-0", NOW.minusSeconds(1)), NOW, LEASE, here(true));
        assertFalse(v.alive());
        assertTrue(v.reason().contains("rebooted"), v.reason());
    }

    @Test
    void aPidOnAnotherHostOrWithoutBootIdsProvesNothing() {
        assertTrue(LockLiveness.judge(owner("desk", 42, "boot-1", NOW.minusSeconds(1)), NOW, LEASE, here(false)).alive(),
                "pid 42 not running here says nothing of desk");
        assertTrue(LockLiveness.judge(owner("laptop", 42, null, NOW.minusSeconds(1)), NOW, LEASE, here(false)).alive(),
                "without the holder's boot id, a host of the same name may be another machine");
        assertTrue(LockLiveness.judge(owner("laptop", 42, "boot-1", NOW.minusSeconds(1)), NOW, LEASE,
                new LockLiveness.Local("laptop", null, (p, s) -> false)).alive());
    }

    @Test
    void anOwnerFileWithoutLeaseExpiresAfterALeaseLength() {
        LockOwner young = new LockOwner("t", WHO, "upgrade x", NOW.minusSeconds(10));
        LockOwner old = new LockOwner("t", WHO, "upgrade x", NOW.minusSeconds(31));
        assertTrue(LockLiveness.judge(young, NOW, LEASE, here(false)).alive());
        LockLiveness.Verdict v = LockLiveness.judge(old, NOW, LEASE, here(false));
        assertFalse(v.alive());
        assertTrue(v.reason().contains("renews no lease"), v.reason());
        assertTrue(LockLiveness.judge(new LockOwner("t", WHO, "x", null), NOW, LEASE, here(false)).alive(),
                "no time at all: nothing proves it gone");
    }

    @Test
    void anOldOwnerFileReadsWithoutLease() throws Exception {
        LockOwner o = Json.mapper().readValue("""
                {"token":"t","who":{"sshUser":"a","workstationUser":"b","workstationHost":"c"},"operation":"x",
                 "since":"2026-01-02T03:00:00Z"}""", LockOwner.class);
        assertTrue(o.lease() == null);
        assertFalse(LockLiveness.judge(o, NOW, LEASE, here(false)).alive());
    }
}
