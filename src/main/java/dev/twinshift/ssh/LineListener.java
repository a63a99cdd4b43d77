package dev.twinshift.ssh;

/** Receives a command's output line by line, as it arrives, on the reader's thread. */
@FunctionalInterface
public interface LineListener {
    enum Stream { STDOUT, STDERR }

    void onLine(Stream stream, String line);

    LineListener IGNORE = (s, l) -> { };
}
