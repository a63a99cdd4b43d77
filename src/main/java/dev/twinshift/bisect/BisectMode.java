package dev.twinshift.bisect;

/** How the snapshots of a range are visited. */
public enum BisectMode {
    /** Binary (k-ary with parallel probes) search: assumes good ... good bad ... bad. */
    BINARY,
    /** Every snapshot, oldest first: for checks that are not monotonic; every change of verdict is listed. */
    SCAN_ALL
}
