package dev.twinshift.storage;

/** Receives a line for each step of an operation, for a log view or a terminal. */
@FunctionalInterface
public interface Progress {
    void step(String message);

    Progress NONE = m -> { };
}
