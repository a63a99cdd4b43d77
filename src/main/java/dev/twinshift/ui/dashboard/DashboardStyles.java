package dev.twinshift.ui.dashboard;

/** CSS class names of the server dashboard's cluster table, styled by dashboard.css. */
public final class DashboardStyles {
    private DashboardStyles() {}

    /** The dashboard's stylesheet. */
    public static final String STYLESHEET = "/dev/twinshift/ui/dashboard/dashboard.css";

    /** A cluster row with at least one warning. */
    public static final String ROW_WARNING = "cluster-warning";
    /** The warnings cell of a cluster row when it shows any. */
    public static final String WARNING_CELL = "cluster-warning-cell";
}
