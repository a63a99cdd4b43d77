package dev.twinshift.upgrade;

/** How pg_upgrade carries the data files into the new cluster. */
public enum UpgradeMethod {
    /** Reflinked files: as fast as --link, and the old cluster stays usable (btrfs, XFS with reflink). */
    CLONE("--clone", "reflinked files (pg_upgrade --clone): seconds whatever the size, old cluster left intact"),
    /** Hard links: fast, but the old cluster must never start again once the new one has. */
    LINK("--link", "hard links (pg_upgrade --link): fast, the old cluster is unusable once the new one starts"),
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
