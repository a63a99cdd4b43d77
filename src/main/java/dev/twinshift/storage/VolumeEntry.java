package dev.twinshift.storage;

import java.time.Instant;

/** A snapshot or clone as the storage itself lists it (the catalog's sidecars say the rest). */
public record VolumeEntry(String location, Instant createdAt, boolean readOnly) {
}
