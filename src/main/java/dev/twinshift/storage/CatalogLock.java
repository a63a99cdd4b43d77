package dev.twinshift.storage;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.SshException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The server-side lock of a catalog: a directory made with {@code mkdir} (atomic: exactly one
 * console succeeds) holding an owner file. Held for the length of one operation and released in
 * {@link #close()}; a lock left by a console that died is removed with {@link #breakLock}.
 */
public final class CatalogLock implements AutoCloseable {
    private final Catalog catalog;
    private final LockOwner owner;
    private boolean released;

    private CatalogLock(Catalog catalog, LockOwner owner) {
        this.catalog = catalog;
        this.owner = owner;
    }

    public static CatalogLock acquire(Catalog catalog, Actor who, String operation)
            throws LockedException, SshException, InterruptedException {
        catalog.ensureLayout();
        CommandResult mk = catalog.shell().run(RemoteCommand.of("mkdir", "--", catalog.lockDir()).asRoot());
        if (!mk.ok()) {
            if (catalog.exists(catalog.lockDir())) {
                Optional<LockOwner> holder = holder(catalog);
                throw new LockedException(catalog.shell().serverName() + " is "
                        + holder.map(LockOwner::describe).orElse("locked (the holder is still writing its name, or died"
                        + " before it could; if this lasts, break the lock)")
                        + " (" + catalog.lockDir() + ")", holder.orElse(null));
            }
            mk.requireSuccess();
        }
        LockOwner me = new LockOwner(UUID.randomUUID().toString(), who, operation, Instant.now());
        try {
            catalog.writeJson(ownerFile(catalog), me);
        } catch (SshException | RuntimeException e) {
            catalog.shell().run(RemoteCommand.of("rm", "-rf", "--", catalog.lockDir()).asRoot());
            throw e;
        }
        return new CatalogLock(catalog, me);
    }

    public static Optional<LockOwner> holder(Catalog catalog) throws SshException, InterruptedException {
        try {
            return catalog.readJson(ownerFile(catalog), LockOwner.class);
        } catch (IllegalStateException e) {
            return Optional.empty();
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
        Optional<LockOwner> now = holder(catalog);
        if (now.isPresent() && now.get().token().equals(owner.token())) {
            catalog.shell().run(RemoteCommand.of("rm", "-rf", "--", catalog.lockDir()).asRoot()).requireSuccess();
        }
    }

    private static String ownerFile(Catalog catalog) {
        return catalog.lockDir() + "/owner.json";
    }
}
