package dev.twinshift.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Decides whether the holder of a catalog lock may still be working, from its owner file, the time
 * and what this console can see of its own machine. A lock is taken over only on a verdict of gone:
 * the lease ran out, or the holder ran on this very machine and provably ended (its process is not
 * there in the same boot, or the machine rebooted since).
 */
public final class LockLiveness {

    /** Whether a process with this pid, started at {@code started} (null: unknown), runs on this host. */
    @FunctionalInterface
    public interface Processes {
        boolean running(long pid, Instant started);
    }

    /** What this console knows of its own machine. */
    public record Local(String host, String bootId, Processes processes) {
    }

    /** The decision and the words for it ("lease renewed 4 s ago, valid until …"). */
    public record Verdict(boolean alive, String reason) {
    }

    private LockLiveness() {}

    public static Verdict judge(LockOwner owner, Instant now, Duration leaseLength, Local local) {
        LockOwner.Lease l = owner.lease();
        if (l == null) {
            if (owner.since() == null) {
                return new Verdict(true, "its owner file has neither a lease nor a time, so nothing proves it gone");
            }
            Duration age = Duration.between(owner.since(), now);
            return age.compareTo(leaseLength) > 0
                    ? new Verdict(false, "it was taken " + ago(age) + " by a console that renews no lease (older than a "
                            + seconds(leaseLength) + " lease)")
                    : new Verdict(true, "it was taken " + ago(age) + " by a console that renews no lease; it counts as "
                            + "held until " + owner.since().plus(leaseLength));
        }
        String renewed = l.renewed() == null ? "never renewed" : "lease renewed " + ago(Duration.between(l.renewed(), now));
        boolean sameHost = l.host() != null && local.host() != null
                && l.host().toLowerCase(Locale.ROOT).equals(local.host().toLowerCase(Locale.ROOT));
        if (sameHost && l.bootId() != null && local.bootId() != null) {
            if (!l.bootId().equals(local.bootId())) {
                return new Verdict(false, "its host " + l.host() + " has rebooted since (boot id " + l.bootId() + ", now "
                        + local.bootId() + "); " + renewed);
            }
            if (l.pid() != null && !local.processes().running(l.pid(), l.processStart())) {
                return new Verdict(false, "its process " + l.pid() + " no longer runs on " + l.host() + "; " + renewed);
            }
        }
        if (l.validUntil() == null || !now.isBefore(l.validUntil())) {
            return new Verdict(false, renewed + ", expired "
                    + (l.validUntil() == null ? "(no end given)" : ago(Duration.between(l.validUntil(), now))));
        }
        return new Verdict(true, renewed + ", valid until " + l.validUntil()
                + (sameHost && l.pid() != null ? "; its process " + l.pid() + " runs on this host" : ""));
    }

    /** "pid 4711 on laptop" or what is known of it. */
    public static String holderProcess(LockOwner owner) {
        LockOwner.Lease l = owner.lease();
        if (l == null) {
            return "a console without a lease";
        }
        return "pid " + (l.pid() == null ? "?" : l.pid()) + " on " + (l.host() == null ? "an unknown host" : l.host());
    }

    private static volatile Local here;

    /** This machine: its host name, its boot id where Linux tells it, its processes. */
    public static Local thisMachine() {
        Local h = here;
        if (h == null) {
            String boot = null;
            try {
                boot = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/random/boot_id")).strip();
            } catch (java.io.IOException | RuntimeException e) {
                // Not Linux, or /proc hidden: then only the lease can prove a holder gone.
            }
            h = new Local(Actor.local("").workstationHost(), boot == null || boot.isEmpty() ? null : boot,
                    LockLiveness::runningHere);
            here = h;
        }
        return h;
    }

    private static boolean runningHere(long pid, Instant started) {
        java.util.Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive() || zombie(pid)) {
            return false;
        }
        if (started == null) {
            return true;
        }
        // Another process that got the same pid later is not the holder.
        return p.get().info().startInstant()
                .map(s -> Duration.between(s, started).abs().compareTo(Duration.ofSeconds(2)) < 0).orElse(true);
    }

    /* A killed holder whose parent has not reaped it yet still has a pid, but will never renew again. */
    private static boolean zombie(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            int paren = stat.lastIndexOf(')');
            return paren > 0 && paren + 2 < stat.length() && stat.charAt(paren + 2) == 'Z';
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    static String ago(Duration d) {
        // Negative only when the clocks of two consoles disagree.
        return d.isNegative() ? seconds(d.negated()) + " ahead of this clock" : seconds(d) + " ago";
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : (ms / 1000) + " s";
    }
}
