package dev.twinshift.bisect;

/** What one probe of one snapshot found. */
public enum Verdict {
    /** The check passed on this snapshot. */
    GOOD,
    /** The check failed on this snapshot. */
    BAD,
    /** This snapshot cannot be judged (its clone did not start, or the command said so with exit 125); the search steps around it. */
    SKIPPED,
    /** The check itself is broken (an SQL error, a command that cannot run): never taken as BAD, it stops the search. */
    ERROR;

    /** The verdict with GOOD and BAD swapped: for a search whose oldest end is the bad one. */
    public Verdict swapped() {
        return this == GOOD ? BAD : this == BAD ? GOOD : this;
    }
}
