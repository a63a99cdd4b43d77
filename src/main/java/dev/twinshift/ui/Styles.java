package dev.twinshift.ui;

import dev.twinshift.ui.connections.ConnectionState;
import java.util.List;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.feather.Feather;

/** CSS class names used by the views, in one place (no inline styles). */
public final class Styles {
    private Styles() {}

    public static final String APP_STYLESHEET = "/dev/twinshift/ui/twinshift.css";

    public static final String STATUS_OK = "status-ok";
    public static final String STATUS_BUSY = "status-busy";
    public static final String STATUS_ERROR = "status-error";
    public static final String STATUS_IDLE = "status-idle";
    public static final List<String> STATE_CLASSES = List.of(STATUS_OK, STATUS_BUSY, STATUS_ERROR, STATUS_IDLE);
    public static final String EMPTY_STATE = "empty-state";

    public static final String SERVER_CELL = "server-cell";
    public static final String SERVER_CELL_LAB = "server-lab";
    public static final String SERVER_NAME = "server-name";
    public static final String SERVER_ADDRESS = "server-address";
    public static final String SERVER_ICON = "server-icon";
    public static final String CLUSTER_CELL = "cluster-cell";
    public static final String CLUSTER_NAME = "cluster-name";
    public static final String CLUSTER_ICON = "cluster-icon";
    /** A connection's (or a cluster's) state beside its name: icon and word, coloured by a STATUS_ class. */
    public static final String CONNECTION_STATE = "connection-state";

    public static final String STATUS_BAR = "status-bar";
    public static final String STATUS_BAR_SERVER = "status-bar-server";
    public static final String STATUS_BAR_SUMMARY = "status-bar-summary";

    /** The cost lines of a confirmation: what is lost, who is cut off, for how long. */
    public static final String CONFIRMATION_COST = "confirmation-cost";

    /** A cluster view's table row of a rollback's safety snapshot, one link of the undo chain. */
    public static final String UNDO_ROW = "undo-row";
    /** A clone's connection reached through a local tunnel from this workstation. */
    public static final String TUNNEL_OPEN = "tunnel-open";
    /** The brief "Copied" confirmation beside what was copied. */
    public static final String COPIED = "copied";

    /** The STATUS_ class that colours a connection state. */
    public static String stateClass(ConnectionState s) {
        return switch (s) {
            case CONNECTED -> STATUS_OK;
            case CONNECTING -> STATUS_BUSY;
            case FAILED -> STATUS_ERROR;
            case DISCONNECTED -> STATUS_IDLE;
        };
    }

    /** The icon beside a connection state; each state has its own shape, not only its own colour. */
    public static Ikon stateIcon(ConnectionState s) {
        return switch (s) {
            case CONNECTED -> Feather.CHECK_CIRCLE;
            case CONNECTING -> Feather.LOADER;
            case FAILED -> Feather.ALERT_TRIANGLE;
            case DISCONNECTED -> Feather.CIRCLE;
        };
    }
}
