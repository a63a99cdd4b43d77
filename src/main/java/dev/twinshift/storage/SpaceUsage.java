package dev.twinshift.storage;

/**
 * Space a snapshot or clone takes.
 *
 * @param referencedBytes all data it sees, shared or not
 * @param exclusiveBytes  data only it holds: what deleting it frees
 */
public record SpaceUsage(long referencedBytes, long exclusiveBytes) {
}
