package dev.twinshift.storage;

/** An operation was refused before it changed anything; the message says why and what to do. */
public final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public RefusedException(String message) {
        super(message);
    }
}
