package dev.twinshift.storage;

/** Why a snapshot was taken. */
public enum Reason {
    MANUAL, SCHEDULED, PRE_UPGRADE, PRE_ROLLBACK, REHEARSAL;

    /** The way back from an upgrade is pinned from the start: no retention policy may remove it. */
    public boolean pinnedWhenTaken() {
        return this == PRE_UPGRADE;
    }
}
