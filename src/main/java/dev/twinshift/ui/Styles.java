package dev.twinshift.ui;

/** CSS class names used by the views, in one place (no inline styles). */
public final class Styles {
    private Styles() {}

    public static final String APP_STYLESHEET = "/dev/twinshift/ui/twinshift.css";

    public static final String STATUS_OK = "status-ok";
    public static final String STATUS_BUSY = "status-busy";
    public static final String STATUS_ERROR = "status-error";
    public static final String STATUS_IDLE = "status-idle";
    public static final String EMPTY_STATE = "empty-state";
    public static final String SERVER_CELL_LAB = "server-lab";
}
