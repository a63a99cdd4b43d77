package dev.twinshift.storage;

/** Why a snapshot was taken. */
public enum Reason {
    MANUAL, SCHEDULED, PRE_UPGRADE, PRE_ROLLBACK, REHEARSAL
}
