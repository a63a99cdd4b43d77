package dev.twinshift.storage;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.SshException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server-side lock of a catalog: a directory made with {@code mkdir} (atomic: exactly one
 * console succeeds) holding an owner file. Held for the length of one operation and released in
 * {@link #close()}.
 *
 * <p>The owner file carries a lease: the holder's host, pid and boot id, when it last renewed the
 * lease and until when it holds. The holder renews it in the background for as long as it holds the
 * lock; another console takes the lock over ({@link #adopt}, {@link #breakIfGone}) only once
 * {@link LockLiveness} finds the holder gone, never from a console that is still working.
 *
 * <p>Renewal, release and take-over change the owner file only under a {@code flock} on the server
 * and only if it is still the one they expect, so that a late renewal never overwrites the lock of
 * the console that took over, and a late release never removes it.
 */
public final class CatalogLock implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CatalogLock.class.getName());

    /**
     * How long a lease holds without renewal. Long enough that a holder whose connection stalls
     * for a while, or that misses two renewals (a slow sudo, a GC pause, an SSH re-key), keeps its
     * lock; short enough that the lock of a console that died is free for a resume or rollback
     * within half a minute. Overridden by the system property {@value #LEASE_PROPERTY} (an ISO-8601
     * duration such as {@code PT3S}, or seconds), for tests.
     */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** How often the holder renews: three chances within one lease. Property {@value #RENEW_PROPERTY}. */
    public static final Duration DEFAULT_RENEW = Duration.ofSeconds(10);
    public static final String LEASE_PROPERTY = "twinshift.lock.lease";
    public static final String RENEW_PROPERTY = "twinshift.lock.renew";
    /** How often a waiting console says again who holds the lock. */
    static final Duration WAIT_REPORT_EVERY = Duration.ofSeconds(5);

    /*
     * $1 the lock directory, $2 renew | release | break, $3 the holder's token (renew, release).
     * renew: the new owner file on stdin; break: the owner file as judged, on stdin (removed only if
     * unchanged, i.e. not renewed since). Exit 3: the lock is not (or no longer) the expected one.
     * Without flock(1) (it is in util-linux, on every Linux) the check and the change still run
     * back to back on the server, microseconds apart, instead of under the guard.
     */
    private static final String GUARDED = """
            dir=$1; mode=$2; token=$3
            exec 9>>"$dir.guard" || exit 4
            if command -v flock >/dev/null 2>&1; then
              flock -w 20 9 || { echo "cannot lock $dir.guard within 20 s" >&2; exit 5; }
            fi
            case $mode in
              renew)
                grep -q -F -e "$token" -- "$dir/owner.json" 2>/dev/null || exit 3
                cat > "$dir/owner.json.renew" || exit 1
                mv -f -- "$dir/owner.json.renew" "$dir/owner.json" ;;
              release)
                grep -q -F -e "$token" -- "$dir/owner.json" 2>/dev/null || exit 3
                rm -rf -- "$dir" ;;
              break)
                cmp -s - "$dir/owner.json" || exit 3
                rm -rf -- "$dir" ;;
              *) exit 2 ;;
            esac""";

    /**
     * Locks this thread holds, by server and catalog: an operation made of other operations (an
     * upgrade takes snapshots, makes clones, rolls back) holds the lock once for its whole length, and
     * the services it calls join it instead of being refused by their own caller.
     */
    private static final ThreadLocal<Map<String, CatalogLock>> HELD = ThreadLocal.withInitial(HashMap::new);

    private final Catalog catalog;
    private final LockOwner owner;
    private final boolean nested;
    private final CatalogLock outer;
    private final Duration lease;
    private volatile boolean released;
    /** The lock was found taken by another console, or released by force: never held again. */
    private volatile boolean lost;
    /** System.nanoTime() until which the last lease written holds (by this machine's clock). */
    private volatile long heldUntilNanos;
    private volatile int failedRenewals;
    private ScheduledExecutorService renewer;

    private CatalogLock(Catalog catalog, LockOwner owner, CatalogLock outer, Duration lease, long heldUntilNanos) {
        this.catalog = catalog;
        this.owner = owner;
        this.nested = outer != null;
        this.outer = outer;
        this.lease = lease;
        this.heldUntilNanos = heldUntilNanos;
    }

    static Duration leaseLength() {
        return duration(LEASE_PROPERTY, DEFAULT_LEASE);
    }

    static Duration renewPeriod() {
        Duration r = duration(RENEW_PROPERTY, DEFAULT_RENEW);
        Duration l = leaseLength();
        // A renewal period as long as the lease would let it lapse between two renewals.
        return r.compareTo(l) < 0 ? r : l.dividedBy(3);
    }

    private static Duration duration(String property, Duration otherwise) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        try {
            Duration d = v.strip().matches("\\d+") ? Duration.ofSeconds(Long.parseLong(v.strip())) : Duration.parse(v.strip());
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("not positive");
            }
            return d;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the system property " + property + "=" + v
                    + " is not a duration: give seconds or an ISO-8601 duration such as PT30S", e);
        }
    }

    private static String key(Catalog catalog, Actor who) {
        return catalog.shell().serverName() + "|" + catalog.root() + "|" + who;
    }

    /**
     * How long an operation waits for another one to finish before it is refused: most operations
     * (a snapshot, starting a clone) hold the lock for seconds, and a second console should simply
     * queue behind them; an upgrade holds it for minutes, and the caller is then told who holds it.
     */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(20);

    public static CatalogLock acquire(Catalog catalog, Actor who, String operation)
            throws LockedException, SshException, InterruptedException {
        return acquire(catalog, who, operation, DEFAULT_WAIT);
    }

    public static CatalogLock acquire(Catalog catalog, Actor who, String operation, Duration wait)
            throws LockedException, SshException, InterruptedException {
        return acquire(catalog, who, operation, wait, Progress.NONE);
    }

    /** Waits up to {@link #DEFAULT_WAIT}, telling {@code waiting} who holds the lock meanwhile. */
    public static CatalogLock acquire(Catalog catalog, Actor who, String operation, Progress waiting)
            throws LockedException, SshException, InterruptedException {
        return acquire(catalog, who, operation, DEFAULT_WAIT, waiting);
    }

    /**
     * Takes the lock, waiting up to {@code wait} for its holder to release it. While it waits it says
     * who holds it through {@code waiting}: at once, then every few seconds, so that a console that
     * seems to hang tells why.
     */
    public static CatalogLock acquire(Catalog catalog, Actor who, String operation, Duration wait, Progress waiting)
            throws LockedException, SshException, InterruptedException {
        Progress say = waiting == null ? Progress.NONE : waiting;
        long start = System.nanoTime();
        long lastReport = 0;
        boolean reported = false;
        while (true) {
            try {
                CatalogLock lock = tryAcquire(catalog, who, operation);
                if (reported) {
                    say.step("got the lock of " + catalog.shell().serverName() + " after waiting "
                            + LockLiveness.seconds(Duration.ofNanos(System.nanoTime() - start)));
                }
                return lock;
            } catch (LockedException e) {
                long now = System.nanoTime();
                Duration waited = Duration.ofNanos(now - start);
                // A holder proven gone will never release it: waiting would only delay the answer.
                if (waited.compareTo(wait) >= 0 || e.owner().map(o -> !judge(o).alive()).orElse(false)) {
                    throw e;
                }
                if (!reported || now - lastReport >= WAIT_REPORT_EVERY.toNanos()) {
                    say.step("waiting for the lock (" + LockLiveness.seconds(waited) + " of " + LockLiveness.seconds(wait)
                            + "): " + e.getMessage());
                    reported = true;
                    lastReport = now;
                }
                Thread.sleep(250);
            }
        }
    }

    private static CatalogLock tryAcquire(Catalog catalog, Actor who, String operation)
            throws LockedException, SshException, InterruptedException {
        CatalogLock outer = HELD.get().get(key(catalog, who));
        if (outer != null && !outer.released) {
            return new CatalogLock(catalog, outer.owner, outer, outer.lease, 0);
        }
        catalog.ensureLayout();
        CommandResult mk = catalog.shell().run(RemoteCommand.of("mkdir", "--", catalog.lockDir()).asRoot());
        for (int i = 0; i < 5 && !mk.ok(); i++) {
            // mkdir's "File exists" is the atomic answer; a look afterwards may already find the lock
            // released by its holder, which is the caller's cue to wait and try again, not an error.
            if (mk.stderr().contains("File exists") || catalog.exists(catalog.lockDir())) {
                Optional<LockOwner> holder = holder(catalog);
                throw new LockedException(catalog.shell().serverName() + " is "
                        + holder.map(o -> o.describe() + "; " + leaseState(o)).orElse("locked (the holder is still writing"
                        + " its name, or died before it could; if this lasts, break the lock: lock break --force)")
                        + " (" + catalog.lockDir() + ")"
                        + Journal.explainHolder(catalog, holder.orElse(null)).map(x -> ": " + x).orElse(""),
                        holder.orElse(null));
            }
            mk = catalog.shell().run(RemoteCommand.of("mkdir", "--", catalog.lockDir()).asRoot());
        }
        // Failed five times for another reason than the lock being held (permissions, a full disk).
        mk.requireSuccess();
        Duration lease = leaseLength();
        LockLiveness.Local here = LockLiveness.thisMachine();
        ProcessHandle self = ProcessHandle.current();
        long written = System.nanoTime();
        Instant now = Instant.now();
        LockOwner me = new LockOwner(UUID.randomUUID().toString(), who, operation, now,
                new LockOwner.Lease(here.host(), self.pid(), self.info().startInstant().orElse(null), here.bootId(), now,
                        now.plus(lease)));
        try {
            catalog.writeJson(ownerFile(catalog), me);
        } catch (SshException | RuntimeException e) {
            catalog.shell().run(RemoteCommand.of("rm", "-rf", "--", catalog.lockDir()).asRoot());
            throw e;
        }
        CatalogLock lock = new CatalogLock(catalog, me, null, lease, written + lease.toNanos());
        lock.startRenewing(renewPeriod());
        HELD.get().put(key(catalog, who), lock);
        return lock;
    }

    // ---- the lease --------------------------------------------------------------------------------

    private void startRenewing(Duration every) {
        renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lock lease " + catalog.shell().serverName() + ":" + catalog.lockDir());
            t.setDaemon(true);
            return t;
        });
        renewer.scheduleWithFixedDelay(this::renewOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One renewal; failures are counted and logged, and never end the renewing while the lease may still hold. */
    void renewOnce() {
        if (released || lost) {
            return;
        }
        long sent = System.nanoTime();
        LockOwner renewed = owner.withLease(owner.lease().renewedAt(Instant.now(), lease));
        try {
            CommandResult r = guarded("renew", owner.token(), json(renewed), lease);
            if (r.exitCode() == 3) {
                lost = true;
                LOG.log(System.Logger.Level.ERROR, "the lock of " + catalog.shell().serverName() + " for " + owner.operation()
                        + " was taken by another console (its lease had run out): this console no longer holds it");
                renewer.shutdown();
                return;
            }
            r.requireSuccess();
            heldUntilNanos = sent + lease.toNanos();
            failedRenewals = 0;
        } catch (SshException | RuntimeException e) {
            noteFailedRenewal(e.getMessage());
        } catch (InterruptedException e) {
            // Shut down by close(): nothing to renew any more.
            Thread.currentThread().interrupt();
        }
    }

    private void noteFailedRenewal(String why) {
        int n = ++failedRenewals;
        boolean lapsed = System.nanoTime() - heldUntilNanos >= 0;
        LOG.log(lapsed ? System.Logger.Level.ERROR : System.Logger.Level.WARNING, "renewing the lease of the lock of "
                + catalog.shell().serverName() + " for " + owner.operation() + " failed (" + n + " in a row): " + why
                + (lapsed ? "; the lease has run out, another console may take the lock over" : ""));
    }

    /**
     * Whether this console can still count on the lock: not released, not taken over, and its last
     * lease written still holds. A long operation asks before each step that changes something; after
     * a lost connection it turns false once the lease would let another console take over.
     */
    public boolean stillHeld() {
        if (nested) {
            return !released && outer.stillHeld();
        }
        return !released && !lost && System.nanoTime() - heldUntilNanos < 0;
    }

    /** Throws unless {@link #stillHeld()}, saying why: for long operations between their steps. */
    public void requireHeld() throws LockedException {
        if (!stillHeld()) {
            CatalogLock root = nested ? outer : this;
            throw new LockedException("this console no longer holds the lock of " + catalog.shell().serverName() + " for "
                    + owner.operation() + (root.released ? " (released)" : root.lost ? ": another console took it over"
                    : ": its lease could not be renewed (" + root.failedRenewals + " failures in a row, connection lost?) and"
                    + " has run out") + "; stop here and check `lock show` before going on", owner);
        }
    }

    /** Words for a holder's lease as this console sees it now. */
    static String leaseState(LockOwner o) {
        LockLiveness.Verdict v = judge(o);
        return "holder " + LockLiveness.holderProcess(o) + ", " + (v.alive() ? "alive: " + v.reason()
                : "gone: " + v.reason() + "; its operation was left unfinished: resume or roll it back"
                + " (`upgrade status` or `rollback status` say how), or remove its lock with lock break --yes");
    }

    public static LockLiveness.Verdict judge(LockOwner o) {
        return LockLiveness.judge(o, Instant.now(), leaseLength(), LockLiveness.thisMachine());
    }

    private static byte[] json(LockOwner o) {
        try {
            return (Json.mapper().writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the lock's owner file", e);
        }
    }

    private CommandResult guarded(String mode, String token, byte[] stdin, Duration timeout)
            throws SshException, InterruptedException {
        return guarded(catalog, mode, token, stdin, timeout);
    }

    private static CommandResult guarded(Catalog catalog, String mode, String token, byte[] stdin, Duration timeout)
            throws SshException, InterruptedException {
        ExecOptions o = ExecOptions.defaults().withTimeout(timeout.compareTo(Duration.ofSeconds(30)) < 0
                ? Duration.ofSeconds(30) : timeout);
        if (stdin != null) {
            o = o.withStdin(stdin);
        }
        return catalog.shell().run(RemoteCommand.of("sh", "-c", GUARDED, "lock-" + mode, catalog.lockDir(), mode,
                token == null ? "" : token).asRoot(), o, LineListener.IGNORE);
    }

    /**
     * Takes over a lock left by a console that died in the middle of {@code operation} (the lock names
     * it), so that this console can resume or roll back that very operation. Only a holder proven gone
     * is replaced (see {@link LockLiveness}); a live one is refused with who it is and what to do. A
     * lock held for anything else is not taken.
     */
    public static CatalogLock adopt(Catalog catalog, Actor who, String operation)
            throws LockedException, SshException, InterruptedException {
        CatalogLock outer = HELD.get().get(key(catalog, who));
        if (outer != null && !outer.released) {
            return acquire(catalog, who, operation, Duration.ZERO);
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Read> held = read(catalog);
            if (held.isEmpty() || !operation.equals(held.get().owner().operation())) {
                break;
            }
            LockOwner o = held.get().owner();
            LockLiveness.Verdict v = judge(o);
            if (v.alive()) {
                throw new LockedException(catalog.shell().serverName() + " is " + o.describe() + ", and that console is still "
                        + "working: holder " + LockLiveness.holderProcess(o) + ", " + v.reason() + ". Wait for it to "
                        + "finish, or stop it there; if it is gone without its lease having run out yet, try again after "
                        + (o.lease() == null || o.lease().validUntil() == null ? "a lease's length" : o.lease().validUntil())
                        + " (" + catalog.lockDir() + ")", o);
            }
            LOG.log(System.Logger.Level.INFO, "taking over the lock of " + catalog.shell().serverName() + " for " + operation
                    + " from " + LockLiveness.holderProcess(o) + ": " + v.reason());
            if (breakExactly(catalog, held.get())) {
                break;
            }
            // Renewed or replaced between the look and the break: judge the new owner file.
        }
        return acquire(catalog, who, operation, Duration.ZERO);
    }

    /** An owner file as read: its exact text (a take-over removes it only unchanged) and its content. */
    private record Read(String text, LockOwner owner) {
    }

    private static Optional<Read> read(Catalog catalog) throws SshException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            CommandResult r = catalog.shell().run(RemoteCommand.of("cat", "--", ownerFile(catalog)).asRoot());
            if (r.ok()) {
                try {
                    return Optional.of(new Read(r.stdout(), Json.mapper().readValue(r.stdout(), LockOwner.class)));
                } catch (java.io.IOException e) {
                    return Optional.empty();
                }
            }
            if (!catalog.exists(ownerFile(catalog))) {
                return Optional.empty();
            }
            // Gone when read, there again when looked for: released and taken anew in between.
            if (attempt == 2) {
                r.requireSuccess();
            }
        }
    }

    private static boolean breakExactly(Catalog catalog, Read held) throws SshException, InterruptedException {
        CommandResult r = guarded(catalog, "break", null, held.text().getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        if (r.exitCode() == 3) {
            return false;
        }
        r.requireSuccess();
        return true;
    }

    /**
     * Removes the lock only if its holder is proven gone ({@link LockLiveness}); otherwise refuses,
     * saying who holds it and why it counts as alive. Returns the holder removed, empty if there was
     * no lock.
     */
    public static Optional<LockOwner> breakIfGone(Catalog catalog) throws LockedException, SshException, InterruptedException {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Read> held = read(catalog);
            if (held.isEmpty()) {
                if (catalog.exists(catalog.lockDir())) {
                    throw new LockedException(catalog.shell().serverName() + " is locked by a holder that wrote no owner file"
                            + " (still writing it, or it died before it could): nothing proves it gone; if it has lasted,"
                            + " break it with --force (" + catalog.lockDir() + ")", null);
                }
                return Optional.empty();
            }
            LockOwner o = held.get().owner();
            LockLiveness.Verdict v = judge(o);
            if (v.alive()) {
                throw new LockedException("refused: " + catalog.shell().serverName() + " is " + o.describe()
                        + ", and that console is still working: holder " + LockLiveness.holderProcess(o) + ", " + v.reason()
                        + ". Breaking it would let two consoles drive the cluster at once. Wait for it, or stop it there;"
                        + " break a live holder only with --force, and only if you know it is gone (" + catalog.lockDir() + ")",
                        o);
            }
            if (breakExactly(catalog, held.get())) {
                return Optional.of(o);
            }
        }
        throw new LockedException("the lock of " + catalog.shell().serverName() + " changed three times while it was being"
                + " broken: its holder is active; look again with lock show (" + catalog.lockDir() + ")", holder(catalog).orElse(null));
    }

    public static Optional<LockOwner> holder(Catalog catalog) throws SshException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return catalog.readJson(ownerFile(catalog), LockOwner.class);
            } catch (IllegalStateException e) {
                return Optional.empty();
            } catch (SshException e) {
                // Gone when read, there again when looked for: released and taken by the next console
                // in between (the lock, unlike a sidecar, is removed and made anew). Read the new one.
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }

    /**
     * Removes the lock whoever holds it, alive or not: for {@code lock break --force} and for tests
     * cleaning up after themselves. Anything else uses {@link #adopt} or {@link #breakIfGone}.
     */
    public static Optional<LockOwner> breakLock(Catalog catalog) throws SshException, InterruptedException {
        Optional<LockOwner> was = holder(catalog);
        catalog.shell().run(RemoteCommand.of("rm", "-rf", "--", catalog.lockDir()).asRoot()).requireSuccess();
        return was;
    }

    public LockOwner owner() {
        return owner;
    }

    /** Releases the lock if it is still this one (it may have been broken meanwhile). */
    @Override
    public void close() throws SshException, InterruptedException {
        if (released) {
            return;
        }
        released = true;
        if (nested) {
            return;
        }
        HELD.get().remove(key(catalog, owner.who()), this);
        renewer.shutdown();
        // A renewal under way finishes first, so that it cannot write the owner file after its removal.
        if (!renewer.awaitTermination(1, TimeUnit.MINUTES)) {
            LOG.log(System.Logger.Level.WARNING, "a lease renewal of " + catalog.lockDir() + " did not end within a minute");
        }
        CommandResult r = guarded("release", owner.token(), null, Duration.ofSeconds(30));
        if (r.exitCode() != 3) {
            r.requireSuccess();
        }
    }

    /** Stops renewing without releasing, as a console that froze or lost its connection would: for tests. */
    void stopRenewingForTest() {
        renewer.shutdownNow();
    }

    private static String ownerFile(Catalog catalog) {
        return catalog.lockDir() + "/owner.json";
    }
}
