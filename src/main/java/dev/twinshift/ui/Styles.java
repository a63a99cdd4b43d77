package dev.twinshift.ui;

import dev.twinshift.ui.connections.ConnectionState;
import java.util.List;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.feather.Feather;

/**
 * CSS class names shared by several views, or styled by the application's own stylesheet for the
 * views that have none of their own (the shell, the server tree, the prompts); a view with its own
 * stylesheet keeps its names beside it (LogStyles, TimelineStyles, WizardStyles, ClonesStyles,
 * DashboardStyles, BlueGreenStyles). AtlantaFX's own names come from atlantafx.base.theme.Styles.
 */
public final class Styles {
    private Styles() {}

    /** The application's stylesheet, on top of the AtlantaFX theme. */
    public static final String APP_STYLESHEET = "/dev/twinshift/ui/twinshift.css";

    /** Something that is well: a connected server, a running cluster, a step done. */
    public static final String STATUS_OK = "status-ok";
    /** Something under way: a connection being made, a step running. */
    public static final String STATUS_BUSY = "status-busy";
    /** Something that failed or blocks the way on. */
    public static final String STATUS_ERROR = "status-error";
    /** Something at rest: a server not connected, a cluster stopped, a step not started. */
    public static final String STATUS_IDLE = "status-idle";
    public static final List<String> STATE_CLASSES = List.of(STATUS_OK, STATUS_BUSY, STATUS_ERROR, STATUS_IDLE);
    /** A page's placeholder while it has nothing to show yet. */
    public static final String EMPTY_STATE = "empty-state";
    /** A quieter explanatory line under a form or a list. */
    public static final String NOTICE = "notice";
    /** A form's list of what is wrong with what was typed. */
    public static final String FORM_PROBLEMS = "form-problems";

    /** A server's row in the server tree. */
    public static final String SERVER_CELL = "server-cell";
    /** A server's row in the server tree when the server is the local lab. */
    public static final String SERVER_CELL_LAB = "server-lab";
    /** A server's name in its tree row. */
    public static final String SERVER_NAME = "server-name";
    /** A server's address (or a cluster's port) in its tree row, quieter than the name. */
    public static final String SERVER_ADDRESS = "server-address";
    /** A server's icon in its tree row. */
    public static final String SERVER_ICON = "server-icon";
    /** A cluster's row under its server in the server tree. */
    public static final String CLUSTER_CELL = "cluster-cell";
    /** A cluster's id in its tree row. */
    public static final String CLUSTER_NAME = "cluster-name";
    /** A cluster's icon in its tree row. */
    public static final String CLUSTER_ICON = "cluster-icon";
    /** A connection's (or a cluster's) state beside its name: icon and word, coloured by a STATUS_ class. */
    public static final String CONNECTION_STATE = "connection-state";

    /** The main window's status bar. */
    public static final String STATUS_BAR = "status-bar";
    /** A connected server's name and state in the status bar. */
    public static final String STATUS_BAR_SERVER = "status-bar-server";
    /** The status bar's count of servers and connections. */
    public static final String STATUS_BAR_SUMMARY = "status-bar-summary";
    /** The keyboard shortcuts dialog. */
    public static final String SHORTCUTS = "shortcuts";

    /** An unknown host key's fingerprint, to be compared character by character. */
    public static final String FINGERPRINT = "fingerprint";
    /** A prompt's way out: the unknown host key prompt's Refuse button. */
    public static final String CANCEL = "cancel";

    /** The cost lines of a confirmation: what is lost, who is cut off, for how long. */
    public static final String CONFIRMATION_COST = "confirmation-cost";

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
