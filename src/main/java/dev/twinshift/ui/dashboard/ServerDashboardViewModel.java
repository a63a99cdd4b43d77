package dev.twinshift.ui.dashboard;

import dev.twinshift.inventory.HostFacts;
import dev.twinshift.ssh.ConnectionPool;
import dev.twinshift.ssh.HostKeyPrompt;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ssh.SshConnection;
import dev.twinshift.ssh.SshException;
import dev.twinshift.ssh.SshTarget;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.TaskExecutor;
import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** One server's overview: connect, then what runs there and on which storage. */
public final class ServerDashboardViewModel {

    public enum State { DISCONNECTED, CONNECTING, CONNECTED, FAILED }

    private final ConnectionPool pool;
    private final TaskExecutor tasks;
    private final HostKeyPrompt hostKeys;
    private final PasswordPrompt passwords;
    private final ServerInspector inspector;

    private final ObjectProperty<SshTarget> target = new SimpleObjectProperty<>();
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(State.DISCONNECTED);
    private final ReadOnlyStringWrapper statusText = new ReadOnlyStringWrapper("Not connected");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper hint = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<HostFacts> facts = new ReadOnlyObjectWrapper<>();
    private final ObservableList<ClusterRow> clusters = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper clustersNote = new ReadOnlyStringWrapper("");
    private final dev.twinshift.ui.clones.ClusterViewModel clusterView;
    private final dev.twinshift.ui.timeline.TimelineViewModel timeline;
    private volatile SshConnection connection;
    private final ReadOnlyObjectWrapper<ClusterRow> reselect = new ReadOnlyObjectWrapper<>();
    private boolean replacing;

    public ServerDashboardViewModel(ConnectionPool pool, TaskExecutor tasks, HostKeyPrompt hostKeys,
                                    PasswordPrompt passwords, ServerInspector inspector) {
        this.pool = pool;
        this.tasks = tasks;
        this.hostKeys = hostKeys;
        this.passwords = passwords;
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

    /** Reads the clusters of the connected server again, keeping the shown one shown if it still exists. */
    public void refreshClusters() {
        SshConnection c = connection;
        SshTarget t = target.get();
        if (c == null || t == null || state.get() != State.CONNECTED) {
            return;
        }
        tasks.submit(BackgroundTask.<ServerInspector.Result>of("Read the clusters of " + t.alias() + " again",
                p -> inspector.inspect(c, p::log)).onSuccess(r -> {
                    if (t != target.get() || c != connection) {
                        return;
                    }
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
                }));
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
        SshConnection c = connection;
        if (row == null || row.cluster() == null || c == null || state.get() != State.CONNECTED) {
            clusterView.show(null, null, null);
            return;
        }
        clusterView.show(c, c.target().user(), row.cluster());
    }

    public ObjectProperty<SshTarget> targetProperty() {
        return target;
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
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

    /** Shows another server: its previous results are cleared, its connection stays open in the pool. */
    public void show(SshTarget t) {
        target.set(t);
        state.set(State.DISCONNECTED);
        statusText.set("Not connected");
        error.set("");
        hint.set("");
        facts.set(null);
        clusters.clear();
        clustersNote.set("");
        connection = null;
        clusterView.show(null, null, null);
    }

    public void connect() {
        SshTarget t = target.get();
        if (t == null || state.get() == State.CONNECTING) {
            return;
        }
        state.set(State.CONNECTING);
        statusText.set("Connecting to " + t.display() + (t.jump() == null ? "" : " via " + t.jump().display()) + " ...");
        error.set("");
        hint.set("");
        tasks.submit(BackgroundTask.<Overview>of("Connect " + t.alias(), p -> {
            p.message("Opening SSH session");
            SshConnection c = pool.connect(t, hostKeys, passwords);
            p.log("connected to " + t.display());
            p.message("Reading the system");
            HostFacts f = HostFacts.read(c);
            p.log(f.os() + ", kernel " + f.kernel());
            p.message("Looking for PostgreSQL clusters");
            ServerInspector.Result r = inspector.inspect(c, p::log);
            return new Overview(c, f, r.clusters(), r.note());
        }).onSuccess(o -> {
            if (t != target.get()) {
                return;
            }
            connection = o.connection();
            facts.set(o.facts());
            clusters.setAll(o.clusters());
            clustersNote.set(o.note());
            state.set(State.CONNECTED);
            statusText.set("Connected to " + t.display());
        }).onFailure(ex -> {
            if (t != target.get()) {
                return;
            }
            state.set(State.FAILED);
            statusText.set("Not connected");
            if (ex instanceof SshException se) {
                error.set(se.getMessage());
                hint.set(se.kind().hint());
            } else {
                error.set(ex.getMessage() == null ? ex.toString() : ex.getMessage());
                hint.set("");
            }
        }));
    }

    public void disconnect() {
        SshTarget t = target.get();
        if (t == null) {
            return;
        }
        tasks.submit(BackgroundTask.of("Disconnect " + t.alias(), p -> {
            pool.disconnect(t.alias());
            return t;
        }).onSuccess(x -> show(t)));
    }

    private record Overview(SshConnection connection, HostFacts facts, List<ClusterRow> clusters, String note) { }
}
