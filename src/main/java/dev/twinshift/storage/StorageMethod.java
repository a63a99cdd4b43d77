package dev.twinshift.storage;

/** How a volume can be copied, best first. */
public enum StorageMethod {
    BTRFS_SUBVOLUME("btrfs subvolume snapshot", "btrfs", true, true),
    ZFS_DATASET("ZFS snapshot and clone", "ZFS", true, true),
    REFLINK("reflink copy (cp --reflink=always)", "reflink", false, true),
    PLAIN_COPY("plain copy (cp -a), the slow baseline", "copy", false, false);

    private final String label;
    private final String shortLabel;
    private final boolean atomic;
    private final boolean copyOnWrite;

    StorageMethod(String label, String shortLabel, boolean atomic, boolean copyOnWrite) {
        this.label = label;
        this.shortLabel = shortLabel;
        this.atomic = atomic;
        this.copyOnWrite = copyOnWrite;
    }

    public String label() {
        return label;
    }

    /** One word for a narrow column, where the label goes in the tooltip. */
    public String shortLabel() {
        return shortLabel;
    }

    /**
     * Whether a snapshot is one atomic point in time, so that a running cluster whose PGDATA and
     * pg_wal are on the volume is captured crash-consistent.
     */
    public boolean atomic() {
        return atomic;
    }

    /** Whether a copy shares blocks with its source (instant, no extra space until written). */
    public boolean copyOnWrite() {
        return copyOnWrite;
    }
}
