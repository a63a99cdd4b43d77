package dev.twinshift.upgrade;

/**
 * How pg_upgrade carries the data files into the new cluster. Not --link: after it the old cluster
 * must never start again, and the way back of every upgrade is the old cluster.
 */
public enum UpgradeMethod {
    /** Reflinked files: as fast as --link, and the old cluster stays usable (btrfs, XFS with reflink). */
    CLONE("--clone", "reflinked files (pg_upgrade --clone): seconds whatever the size, old cluster left intact"),
    /** Full copy: time and space grow with the size. */
    COPY("--copy", "full copy (pg_upgrade --copy): time and space grow with the data");

    private final String flag;
    private final String label;

    UpgradeMethod(String flag, String label) {
        this.flag = flag;
        this.label = label;
    }

    public String flag() {
        return flag;
    }

    public String label() {
        return label;
    }
}
