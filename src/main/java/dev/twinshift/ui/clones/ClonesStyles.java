package dev.twinshift.ui.clones;

/** CSS class and pseudo-class names of the cluster view and its clone tree, styled by clones.css. */
public final class ClonesStyles {
    private ClonesStyles() {}

    /** A table row of a rollback's safety snapshot, one link of the undo chain. */
    public static final String UNDO_ROW = "undo-row";
    /** A clone's connection reached through a local tunnel from this workstation. */
    public static final String TUNNEL_OPEN = "tunnel-open";
    /** The brief "Copied" confirmation beside what was copied. */
    public static final String COPIED = "copied";
    /** A clone tree row's icon, coloured by the clone's running state. */
    public static final String TREE_ICON = "tree-icon";
    /** The small copy button inside a clone tree row. */
    public static final String COPY_IN_ROW = "copy-in-row";

    /** Pseudo-class of a clone tree row whose clone the idle-clone rule judges idle. */
    public static final String IDLE = "idle";
    /** Pseudo-class of the clone tree's root row, the live cluster itself. */
    public static final String CLUSTER = "cluster";
}
