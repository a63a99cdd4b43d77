package dev.twinshift.storage;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The server-side lock of a catalog: a directory made with {@code mkdir} (atomic: exactly one
 * console succeeds) holding an owner file. Held for the length of one operation and released in
 * {@link #close()}; a lock left by a console that died is removed with {@link #breakLock}.
 */
public final class CatalogLock implements AutoCloseable {
    /**
     * Locks this thread holds, by server and catalog: an operation made of other operations (an
     * upgrade takes snapshots, makes clones, rolls back) holds the lock once for its whole length, and
     * the services it calls join it instead of being refused by their own caller.
     */
    private static final ThreadLocal<Map<String, CatalogLock>> HELD = ThreadLocal.withInitial(HashMap::new);

    private final Catalog catalog;
    private final LockOwner owner;
    private final boolean nested;
    private boolean released;

    private CatalogLock(Catalog catalog, LockOwner owner, boolean nested) {
        this.catalog = catalog;
        this.owner = owner;
        this.nested = nested;
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
        Instant until = Instant.now().plus(wait);
        while (true) {
            try {
                return tryAcquire(catalog, who, operation);
            } catch (LockedException e) {
                if (Instant.now().isAfter(until)) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    private static CatalogLock tryAcquire(Catalog catalog, Actor who, String operation)
            throws LockedException, SshException, InterruptedException {
        CatalogLock outer = HELD.get().get(key(catalog, who));
        if (outer != null && !outer.released) {
            return new CatalogLock(catalog, outer.owner, true);
        }
        catalog.ensureLayout();
        CommandResult mk = catalog.shell().run(RemoteCommand.of("mkdir", "--", catalog.lockDir()).asRoot());
        for (int i = 0; i < 5 && !mk.ok(); i++) {
            // mkdir's "File exists" is the atomic answer; a look afterwards may already find the lock
            // released by its holder, which is the caller's cue to wait and try again, not an error.
            if (mk.stderr().contains("File exists") || catalog.exists(catalog.lockDir())) {
                Optional<LockOwner> holder = holder(catalog);
                throw new LockedException(catalog.shell().serverName() + " is "
                        + holder.map(LockOwner::describe).orElse("locked (the holder is still writing its name, or died"
                        + " before it could; if this lasts, break the lock)")
                        + " (" + catalog.lockDir() + ")"
                        + Journal.explainHolder(catalog, holder.orElse(null)).map(x -> ": " + x).orElse(""),
                        holder.orElse(null));
            }
            mk = catalog.shell().run(RemoteCommand.of("mkdir", "--", catalog.lockDir()).asRoot());
        }
        // Failed five times for another reason than the lock being held (permissions, a full disk).
        mk.requireSuccess();
        LockOwner me = new LockOwner(UUID.randomUUID().toString(), who, operation, Instant.now());
        try {
            catalog.writeJson(ownerFile(catalog), me);
        } catch (SshException | RuntimeException e) {
            catalog.shell().run(RemoteCommand.of("rm", "-rf", "--", catalog.lockDir()).asRoot());
            throw e;
        }
        CatalogLock lock = new CatalogLock(catalog, me, false);
        HELD.get().put(key(catalog, who), lock);
        return lock;
    }

    /**
     * Takes over a lock left by a console that died in the middle of {@code operation} (the lock names
     * it), so that this console can resume or roll back that very operation. A lock held for anything
     * else is not taken.
     */
    public static CatalogLock adopt(Catalog catalog, Actor who, String operation)
            throws LockedException, SshException, InterruptedException {
        Optional<LockOwner> holder = holder(catalog);
        if (holder.isPresent() && operation.equals(holder.get().operation())) {
            breakLock(catalog);
        }
        return acquire(catalog, who, operation, Duration.ZERO);
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

    /** Removes the lock whoever holds it: only for a holder known to be gone. */
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
        Optional<LockOwner> now = holder(catalog);
        if (now.isPresent() && now.get().token().equals(owner.token())) {
            catalog.shell().run(RemoteCommand.of("rm", "-rf", "--", catalog.lockDir()).asRoot()).requireSuccess();
        }
    }

    private static String ownerFile(Catalog catalog) {
        return catalog.lockDir() + "/owner.json";
    }
}
