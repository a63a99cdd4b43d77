package dev.twinshift.ui.dashboard;

import dev.twinshift.inventory.HostFacts;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.ssh.SshTarget;
import dev.twinshift.ui.connections.ClusterNode;
import dev.twinshift.ui.connections.ConnectionState;
import dev.twinshift.ui.connections.ServerConnection;
import dev.twinshift.ui.connections.ServerConnections;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.TaskExecutor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The shown server's overview: connect, then what runs there and on which storage. Connection state
 * lives per server in {@link ServerConnections}; what was read on each connected server is kept
 * too, so showing a server again shows it as it is, connected or not.
 */
public final class ServerDashboardViewModel {

    private final ServerConnections connections;
    private final TaskExecutor tasks;
    private final ServerInspector inspector;

    private final ObjectProperty<SshTarget> target = new SimpleObjectProperty<>();
    private final ReadOnlyObjectWrapper<ConnectionState> state = new ReadOnlyObjectWrapper<>(ConnectionState.DISCONNECTED);
    private final ReadOnlyStringWrapper statusText = new ReadOnlyStringWrapper(ConnectionState.DISCONNECTED.label());
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper hint = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<HostFacts> facts = new ReadOnlyObjectWrapper<>();
    private final ObservableList<ClusterRow> clusters = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper clustersNote = new ReadOnlyStringWrapper("");
    private final dev.twinshift.ui.clones.ClusterViewModel clusterView;
    private final dev.twinshift.ui.timeline.TimelineViewModel timeline;
    private final ReadOnlyObjectWrapper<ClusterRow> reselect = new ReadOnlyObjectWrapper<>();
    /** What was read on each connected server, by name. */
    private final Map<String, Overview> overviews = new HashMap<>();
    private boolean replacing;

    public ServerDashboardViewModel(ServerConnections connections, TaskExecutor tasks, ServerInspector inspector) {
        this.connections = connections;
        this.tasks = tasks;
        this.inspector = inspector;
        this.clusterView = new dev.twinshift.ui.clones.ClusterViewModel(tasks);
        clusterView.setOnClustersChanged(this::refreshClusters);
        this.timeline = new dev.twinshift.ui.timeline.TimelineViewModel(clusterView, tasks);
    }

    /**
     * A row to select again after the clusters were read anew (the table drops its selection when its
     * rows are replaced); null when the shown cluster is gone.
     */
    public ReadOnlyObjectProperty<ClusterRow> reselectProperty() {
        return reselect.getReadOnlyProperty();
    }

    /** Reads the clusters of the shown server again, keeping the shown cluster shown if it still exists. */
    public void refreshClusters() {
        SshTarget t = target.get();
        if (t != null) {
            refresh(t);
        }
    }

    /**
     * Reads a connected server's clusters again; a session found closed meanwhile is reported as
     * such instead of failing a read.
     */
    public void refresh(SshTarget t) {
        ServerConnection conn = connections.of(t.alias());
        RemoteShell shell = conn.shell();
        if (conn.state() != ConnectionState.CONNECTED || shell == null) {
            return;
        }
        tasks.submit(BackgroundTask.<ServerInspector.Result>of("Read the clusters of " + t.alias() + " again", p -> {
            if (!connections.isOpen(t.alias())) {
                throw new SshException(SshException.Kind.CONNECTION_LOST, "the session to " + t.alias() + " is closed");
            }
            return inspector.inspect(shell, p::log);
        }).onSuccess(r -> {
            if (conn.shell() != shell) {
                return;
            }
            Overview before = overviews.get(t.alias());
            Overview now = new Overview(shell, before == null ? null : before.facts(), r.clusters(), r.note());
            overviews.put(t.alias(), now);
            connections.clustersRead(t.alias(), nodes(t.alias(), r.clusters()));
            if (isShown(t.alias())) {
                String shown = clusterView.cluster() == null ? null : clusterView.cluster().id();
                replacing = true;
                try {
                    clusters.setAll(r.clusters());
                } finally {
                    replacing = false;
                }
                clustersNote.set(r.note());
                ClusterRow same = shown == null ? null
                        : r.clusters().stream().filter(row -> row.id().equals(shown)).findFirst().orElse(null);
                reselect.set(null);
                if (same != null) {
                    reselect.set(same);
                } else if (shown != null) {
                    clusterView.show(null, null, null);
                }
            }
        }).onFailure(ex -> dropIfLost(t.alias(), shell, ex)));
    }

    /** Shows a cluster of the shown server, as choosing its row does; nothing when it is not listed. */
    public void showCluster(String id) {
        clusters.stream().filter(r -> r.id().equals(id)).findFirst().ifPresent(row -> {
            reselect.set(null);
            reselect.set(row);
        });
    }

    /** The chosen cluster's snapshots and clones. */
    public dev.twinshift.ui.clones.ClusterViewModel clusterView() {
        return clusterView;
    }

    /** The shown cluster's snapshots on a time axis, with the schedule editor; same snapshots and actions as {@link #clusterView()}. */
    public dev.twinshift.ui.timeline.TimelineViewModel timeline() {
        return timeline;
    }

    /** Shows a cluster's snapshots and clones over the open connection; null hides them. */
    public void selectCluster(ClusterRow row) {
        if (row == null && replacing) {
            return;
        }
        SshTarget t = target.get();
        RemoteShell shell = t == null ? null : connections.of(t.alias()).shell();
        if (row == null || row.cluster() == null || shell == null) {
            clusterView.show(null, null, null);
            return;
        }
        clusterView.show(shell, t.user(), row.cluster());
    }

    public ObjectProperty<SshTarget> targetProperty() {
        return target;
    }

    public ReadOnlyObjectProperty<ConnectionState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusTextProperty() {
        return statusText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty hintProperty() {
        return hint.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<HostFacts> factsProperty() {
        return facts.getReadOnlyProperty();
    }

    public ObservableList<ClusterRow> clusters() {
        return clusters;
    }

    public ReadOnlyStringProperty clustersNoteProperty() {
        return clustersNote.getReadOnlyProperty();
    }

    /**
     * Shows another server as it stands: connected with what was read there, or not connected. A
     * session that looks open is checked in the background, and shown closed if it dropped meanwhile.
     */
    public void show(SshTarget t) {
        state.unbind();
        statusText.unbind();
        error.unbind();
        hint.unbind();
        target.set(t);
        clusterView.show(null, null, null);
        if (t == null) {
            state.set(ConnectionState.DISCONNECTED);
            statusText.set(ConnectionState.DISCONNECTED.label());
            error.set("");
            hint.set("");
            showOverview(null);
            return;
        }
        ServerConnection conn = connections.of(t.alias());
        state.bind(conn.stateProperty());
        statusText.bind(conn.statusProperty());
        error.bind(conn.errorProperty());
        hint.bind(conn.hintProperty());
        showOverview(conn.state() == ConnectionState.CONNECTED ? overviews.get(t.alias()) : null);
        if (conn.state() == ConnectionState.CONNECTED) {
            RemoteShell shell = conn.shell();
            tasks.submit(BackgroundTask.of("Check the connection to " + t.alias(), p -> connections.isOpen(t.alias()))
                    .onSuccess(open -> {
                        if (!open && conn.shell() == shell) {
                            lost(t.alias());
                        }
                    }));
        }
    }

    private void showOverview(Overview o) {
        facts.set(o == null ? null : o.facts());
        clusters.setAll(o == null ? List.of() : o.clusters());
        clustersNote.set(o == null ? "" : o.note());
    }

    /** Connects the shown server. */
    public void connect() {
        SshTarget t = target.get();
        if (t != null) {
            connect(t);
        }
    }

    /** Connects a server, shown or not, and reads what runs there; it stays connected when another is shown. */
    public void connect(SshTarget t) {
        ConnectionState now = connections.of(t.alias()).state();
        if (now == ConnectionState.CONNECTING || now == ConnectionState.CONNECTED) {
            return;
        }
        connections.connecting(t);
        tasks.submit(BackgroundTask.<Overview>of("Connect " + t.alias(), p -> {
            p.message("Opening SSH session");
            RemoteShell c = connections.open(t);
            p.log("connected to " + t.display());
            p.message("Reading the system");
            HostFacts f = HostFacts.read(c);
            p.log(f.os() + ", kernel " + f.kernel());
            p.message("Looking for PostgreSQL clusters");
            ServerInspector.Result r = inspector.inspect(c, p::log);
            return new Overview(c, f, r.clusters(), r.note());
        }).onSuccess(o -> {
            if (connections.of(t.alias()).state() != ConnectionState.CONNECTING) {
                return;
            }
            overviews.put(t.alias(), o);
            connections.connected(t, o.shell());
            connections.clustersRead(t.alias(), nodes(t.alias(), o.clusters()));
            if (isShown(t.alias())) {
                showOverview(o);
            }
        }).onFailure(ex -> {
            overviews.remove(t.alias());
            connections.failed(t.alias(), ex);
            if (isShown(t.alias())) {
                showOverview(null);
            }
        }));
    }

    /** Disconnects the shown server. */
    public void disconnect() {
        SshTarget t = target.get();
        if (t != null) {
            disconnect(t.alias());
        }
    }

    public void disconnect(String name) {
        tasks.submit(BackgroundTask.of("Disconnect " + name, p -> {
            connections.close(name);
            return name;
        }).onSuccess(x -> {
            overviews.remove(name);
            connections.disconnected(name);
            if (isShown(name)) {
                clusterView.show(null, null, null);
                showOverview(null);
            }
        }));
    }

    /** A removed server: its session is closed and its state forgotten. */
    public void forget(String name) {
        overviews.remove(name);
        connections.forget(name);
        tasks.submit(BackgroundTask.of("Disconnect " + name, p -> {
            connections.close(name);
            return name;
        }));
    }

    private void dropIfLost(String name, RemoteShell shell, Throwable ex) {
        if (ex instanceof SshException se && se.kind() == SshException.Kind.CONNECTION_LOST
                && connections.of(name).shell() == shell) {
            lost(name);
        }
    }

    private void lost(String name) {
        overviews.remove(name);
        connections.lost(name);
        if (isShown(name)) {
            clusterView.show(null, null, null);
            showOverview(null);
        }
    }

    private boolean isShown(String name) {
        return target.get() != null && target.get().alias().equals(name);
    }

    private static List<ClusterNode> nodes(String server, List<ClusterRow> rows) {
        return rows.stream().map(r -> new ClusterNode(server, r.id(), r.port(), r.status())).toList();
    }

    private record Overview(RemoteShell shell, HostFacts facts, List<ClusterRow> clusters, String note) { }
}
