package dev.twinshift.storage;

import java.time.Instant;

/**
 * Who holds a catalog lock, for what, since when. The token tells the holder its own lock apart.
 *
 * @param lease how another console can tell whether the holder still runs; null in owner files
 *              written before leases existed (they count as expired once older than a lease)
 */
public record LockOwner(String token, Actor who, String operation, Instant since, Lease lease) {

    /**
     * The holder's proof of life, renewed while it holds the lock.
     *
     * @param host         the holder's workstation host name
     * @param pid          the holder's process id on that host
     * @param processStart when that process started, so that a recycled pid is not taken for the holder
     * @param bootId       the host's boot id (Linux), so that a reboot proves the holder gone; null elsewhere
     * @param renewed      when the holder last renewed the lease (its own clock)
     * @param validUntil   until when the lease holds unless renewed again
     */
    public record Lease(String host, Long pid, Instant processStart, String bootId, Instant renewed, Instant validUntil) {

        Lease renewedAt(Instant now, java.time.Duration length) {
            return new Lease(host, pid, processStart, bootId, now, now.plus(length));
        }
    }

    public LockOwner(String token, Actor who, String operation, Instant since) {
        this(token, who, operation, since, null);
    }

    LockOwner withLease(Lease l) {
        return new LockOwner(token, who, operation, since, l);
    }

    public String describe() {
        return "locked by " + (who == null ? "an unknown holder" : who.display()) + " since " + since
                + " for " + operation;
    }
}
