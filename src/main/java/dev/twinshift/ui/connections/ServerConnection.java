package dev.twinshift.ui.connections;

import dev.twinshift.ssh.RemoteShell;
import java.util.List;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * One server's connection as the console knows it, kept for as long as the console runs, whichever
 * server is shown. Changed on the FX thread only, through {@link ServerConnections}.
 */
public final class ServerConnection {
    private final String name;
    private final ReadOnlyObjectWrapper<ConnectionState> state = new ReadOnlyObjectWrapper<>(ConnectionState.DISCONNECTED);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(ConnectionState.DISCONNECTED.label());
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper hint = new ReadOnlyStringWrapper("");
    private final ObservableList<ClusterNode> clusters = FXCollections.observableArrayList();
    private final ObservableList<ClusterNode> clustersView = FXCollections.unmodifiableObservableList(clusters);
    private RemoteShell shell;

    ServerConnection(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public ReadOnlyObjectProperty<ConnectionState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ConnectionState state() {
        return state.get();
    }

    /** The sentence the server's page shows: "Connected to dba@db1", "Connecting to ...", "Not connected". */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** Why the last attempt failed or the session dropped; empty otherwise. */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** What to do about {@link #errorProperty()}. */
    public ReadOnlyStringProperty hintProperty() {
        return hint.getReadOnlyProperty();
    }

    /** The clusters last read on this server; empty while not connected. */
    public ObservableList<ClusterNode> clusters() {
        return clustersView;
    }

    /** The open session, or null unless {@link ConnectionState#CONNECTED}. */
    public RemoteShell shell() {
        return shell;
    }

    void set(ConnectionState s, String statusText, String errorText, String hintText, RemoteShell open) {
        shell = s == ConnectionState.CONNECTED ? open : null;
        if (s != ConnectionState.CONNECTED) {
            clusters.clear();
        }
        error.set(errorText);
        hint.set(hintText);
        status.set(statusText);
        state.set(s);
    }

    void setClusters(List<ClusterNode> nodes) {
        clusters.setAll(nodes);
    }
}
