package dev.twinshift.storage;

import java.util.Optional;

/** Another operation holds the catalog lock. */
public final class LockedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient LockOwner owner;

    public LockedException(String message, LockOwner owner) {
        super(message);
        this.owner = owner;
    }

    /** The holder, when it had written its owner file. */
    public Optional<LockOwner> owner() {
        return Optional.ofNullable(owner);
    }
}
