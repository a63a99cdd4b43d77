package dev.twinshift.ui.clones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Reason;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.StorageMethod;
import dev.twinshift.ui.tasks.ManualTaskExecutor;
import dev.twinshift.ui.tasks.TaskCancel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The cluster view's tasks act on what was shown when they were asked for, and busy stays on while
 * any of them runs. Tasks are held by a manual executor and run when the test says; the "server"
 * records each command and answers none, so a test sees which cluster a task acted on.
 */
class ClusterViewModelTest {

    /** Records every command; every command fails, as on a server that is gone. */
    static final class RecordingShell implements RemoteShell {
        final String name;
        final List<List<String>> commands = new CopyOnWriteArrayList<>();

        RecordingShell(String name) {
            this.name = name;
        }

        @Override
        public String serverName() {
            return name;
        }

        @Override
        public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException {
            commands.add(command.argv());
            throw new SshException(SshException.Kind.COMMAND_FAILED, "no server in this test");
        }

        boolean mentioned(String text) {
            return commands.stream().anyMatch(argv -> argv.stream().anyMatch(a -> a.contains(text)));
        }
    }

    static PgCluster cluster(String name, int port) {
        return new PgCluster("13", name, port, true, "online", "postgres", "/srv/data/13/" + name,
                "/etc/postgresql/13/" + name, "/var/run/postgresql", null, "/srv/data/13/" + name + "/pg_wal", List.of(),
                1_000_000L, PgCluster.Manager.POSTGRESQL_COMMON);
    }

    static SnapshotRecord snapshot(String id) {
        return new SnapshotRecord(id, id, "13-alpha", Instant.EPOCH, null, Reason.MANUAL, null, "13/alpha", "13", "0/1000000",
                1, "/srv/data/13/alpha", null, false, StorageMethod.BTRFS_SUBVOLUME, "/srv/data/.twinshift/snapshots/" + id, true);
    }

    @Test
    void busyStaysOnUntilTheLastOfTwoOverlappingOperationsEnds() {
        ManualTaskExecutor tasks = new ManualTaskExecutor();
        ClusterViewModel m = new ClusterViewModel(tasks);
        m.show(new RecordingShell("db1"), "tsadmin", cluster("alpha", 5433));
        tasks.run(0);
        assertFalse(m.busyProperty().get());

        m.snapshotNow("first");
        m.delete(snapshot("20261125T140000Z"));
        assertEquals(2, tasks.pending().size());
        assertTrue(m.busyProperty().get());

        tasks.run(0);
        assertTrue(m.busyProperty().get(), "the delete still runs: its destructive buttons must stay disabled");
        tasks.run(0);
        assertFalse(m.busyProperty().get(), "both ended");
    }

    @Test
    void aCancelledReadEndsItsShareOfBusyToo() {
        ManualTaskExecutor tasks = new ManualTaskExecutor();
        ClusterViewModel m = new ClusterViewModel(tasks);
        m.show(new RecordingShell("db1"), "tsadmin", cluster("alpha", 5433));
        m.snapshotNow(null);
        tasks.cancel(0);
        assertTrue(m.busyProperty().get(), "the snapshot is still under way");
        tasks.run(0);
        assertFalse(m.busyProperty().get());
    }

    @Test
    void aTaskActsOnTheClusterAndServerShownWhenItWasAskedFor() {
        ManualTaskExecutor tasks = new ManualTaskExecutor();
        ClusterViewModel m = new ClusterViewModel(tasks);
        RecordingShell first = new RecordingShell("db1");
        RecordingShell second = new RecordingShell("db2");
        m.show(first, "tsadmin", cluster("alpha", 5433));
        tasks.run(0);
        first.commands.clear();

        m.snapshotNow("before-change");
        // The administrator picks another cluster, on another server, before the pool runs the task.
        m.show(second, "tsadmin", cluster("beta", 5434));
        tasks.run(0);

        assertTrue(first.mentioned("/srv/data/13/alpha"), "the snapshot went to alpha on db1: " + first.commands);
        assertFalse(first.mentioned("/srv/data/13/beta"), "nothing of beta on db1: " + first.commands);
        second.commands.clear();
        tasks.run(0);
        assertTrue(second.mentioned("/srv/data/13/beta"), "beta's own listing read db2: " + second.commands);
    }

    @Test
    void changesRefuseCancelAndReadsMayBeInterrupted() {
        ManualTaskExecutor tasks = new ManualTaskExecutor();
        ClusterViewModel m = new ClusterViewModel(tasks);
        m.show(new RecordingShell("db1"), "tsadmin", cluster("alpha", 5433));
        m.snapshotNow(null);
        TaskCancel.Offer read = tasks.pending().get(0).cancelPolicy().offer();
        TaskCancel.Offer change = tasks.pending().get(1).cancelPolicy().offer();
        assertEquals(TaskCancel.Offer.Kind.CANCEL, read.kind());
        assertEquals(TaskCancel.Offer.Kind.REFUSED, change.kind());
        assertTrue(change.text().contains("runs to its end"), change.text());
    }

    /** A server that forwards ports: each tunnel is a record of what was asked. */
    static final class ForwardingShell extends RecordingShellBase implements dev.twinshift.ssh.PortForwarding {
        final List<FakeTunnel> opened = new CopyOnWriteArrayList<>();

        @Override
        public dev.twinshift.ssh.Tunnel openTunnel(String host, int remotePort, int preferred) {
            FakeTunnel t = new FakeTunnel(preferred + 1000, host, remotePort);
            opened.add(t);
            return t;
        }
    }

    static class RecordingShellBase implements RemoteShell {
        @Override
        public String serverName() {
            return "db1";
        }

        @Override
        public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException {
            throw new SshException(SshException.Kind.COMMAND_FAILED, "no server in this test");
        }
    }

    static final class FakeTunnel implements dev.twinshift.ssh.Tunnel {
        final int local;
        final String host;
        final int port;
        volatile boolean open = true;

        FakeTunnel(int local, String host, int port) {
            this.local = local;
            this.host = host;
            this.port = port;
        }

        public int localPort() { return local; }
        public String remoteHost() { return host; }
        public int remotePort() { return port; }
        public boolean isOpen() { return open; }
        public void close() { open = false; }
    }

    @Test
    void aTunnelGivesAUrlForTheWorkstationAndClosesWhenTheCloneStopsOrGoes() {
        ManualTaskExecutor tasks = new ManualTaskExecutor();
        ClusterViewModel m = new ClusterViewModel(tasks);
        ForwardingShell server = new ForwardingShell();
        m.show(server, "tsadmin", cluster("alpha", 5433));
        tasks.cancel(0);
        var clone = dev.twinshift.ui.timeline.TimelineFixtures.clone("rehearsal", snapshot("20261125T140000Z"), true);
        m.applyListing(List.of(), List.of(clone));
        assertTrue(m.canTunnel());
        List<String> urls = new ArrayList<>();
        m.openTunnel(clone, urls::add);
        tasks.run(0);
        FakeTunnel t = server.opened.get(0);
        assertEquals("localhost", t.host, "the forward reaches the clone where it listens: the server's loopback");
        assertEquals(54321, t.port);
        assertEquals(List.of("postgresql://postgres@localhost:55321/postgres"), urls);
        assertEquals(urls.get(0), m.tunnelUrl(clone));
        assertTrue(m.messageProperty().get().contains(urls.get(0)), m.messageProperty().get());

        m.openTunnel(clone, urls::add);
        assertTrue(tasks.pending().isEmpty(), "an open tunnel is reused");

        // Stopped from another console: the next listing shows it stopped, and the tunnel closes.
        m.applyListing(List.of(), List.of(new CloneItem(clone.record(), false, "")));
        assertFalse(t.open);
        assertEquals(null, m.tunnelUrl(clone));

        m.applyListing(List.of(), List.of(clone));
        m.openTunnel(clone, urls::add);
        tasks.run(0);
        FakeTunnel second = server.opened.get(1);
        m.destroyClone(clone);
        assertFalse(second.open, "destroying the clone closes its tunnel at once");
    }

    @Test
    void aServerThatCannotForwardOffersNoTunnel() {
        ManualTaskExecutor tasks = new ManualTaskExecutor();
        ClusterViewModel m = new ClusterViewModel(tasks);
        m.show(new RecordingShell("db1"), "tsadmin", cluster("alpha", 5433));
        assertFalse(m.canTunnel());
    }
}
