package dev.twinshift.storage;

import java.time.Instant;

/** Who holds a catalog lock, for what, since when. The token tells the holder its own lock apart. */
public record LockOwner(String token, Actor who, String operation, Instant since) {

    public String describe() {
        return "locked by " + (who == null ? "an unknown holder" : who.display()) + " since " + since
                + " for " + operation;
    }
}
