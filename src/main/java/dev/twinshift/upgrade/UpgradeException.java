package dev.twinshift.upgrade;

/** An upgrade step failed or cannot run; the message says what happened and what to do. */
public class UpgradeException extends Exception {
    public UpgradeException(String message) {
        super(message);
    }

    public UpgradeException(String message, Throwable cause) {
        super(message, cause);
    }
}
