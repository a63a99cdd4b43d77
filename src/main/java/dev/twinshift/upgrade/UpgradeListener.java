package dev.twinshift.upgrade;

/** Receives an upgrade's step changes and the live log of its commands, on the worker's thread. */
public interface UpgradeListener {
    /** A step starts, ends or fails; {@code message} says what happened in a sentence. */
    void step(String step, String state, String message);

    /** A line of a command's output (pg_upgrade, vacuumdb, ...). */
    void log(String line);

    UpgradeListener NONE = new UpgradeListener() {
        @Override
        public void step(String step, String state, String message) {
        }

        @Override
        public void log(String line) {
        }
    };
}
