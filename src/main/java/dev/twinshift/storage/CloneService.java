package dev.twinshift.storage;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.SocketDirectories;
import dev.twinshift.postgres.ListeningPorts;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Makes writable clones of snapshots, runs them as their own servers, and removes them. */
public final class CloneService {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(10);

    private final RemoteShell shell;
    private final Actor actor;
    private final Progress progress;
    private final CloneServer server;
    private final SpaceGuard guard;

    public CloneService(RemoteShell shell, Actor actor, Progress progress) {
        this.shell = shell;
        this.actor = actor;
        this.progress = progress == null ? Progress.NONE : progress;
        this.server = new CloneServer(shell);
        this.guard = new SpaceGuard(shell);
    }

    /** A writable clone of the snapshot, not started. */
    public CloneRecord create(Catalog catalog, String snapshotIdOrName, String name)
            throws RefusedException, LockedException, SshException, InterruptedException {
        Names.requireValid("clone name", name);
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, "create clone " + name, progress)) {
            SnapshotRecord snap = catalog.snapshot(snapshotIdOrName).orElseThrow(() -> new IllegalArgumentException(
                    "no snapshot " + snapshotIdOrName + " in " + catalog.root()));
            StorageDriver d = StorageDrivers.forMethod(snap.method(), shell);
            String from = d.currentLocation(snap);
            String location = d.cloneLocation(catalog, from, name);
            if (d.exists(location) || catalog.exists(catalog.cloneSidecar(name))) {
                throw new RefusedException("a clone named " + name + " already exists in " + catalog.clonesDir());
            }
            String owner;
            String configDir;
            if (snap.parent() != null && snap.parent().startsWith("clone:")) {
                CloneRecord parent = catalog.clone(snap.parent().substring("clone:".length())).orElse(null);
                owner = parent == null ? "postgres" : parent.owner();
                configDir = parent == null ? null : parent.sourceConfigDirectory();
            } else {
                Optional<PgCluster> src = new ClusterDiscovery(shell).listClusters().stream()
                        .filter(c -> c.id().equals(snap.cluster())).findFirst();
                owner = src.map(PgCluster::owner).orElse("postgres");
                configDir = src.map(PgCluster::configDirectory).orElse(null);
            }
            if (configDir != null && !catalog.exists(configDir + "/postgresql.conf")) {
                configDir = null;
            }
            SpaceGuard.Standing space = guard.requireAboveFloor(catalog, "create clone " + name, snap.cluster());
            progress.step("clone " + from + " -> " + location + " (" + d.method().label() + "); " + space.describe());
            d.cloneOf(from, location);
            limit(d, location, space);
            CloneRecord rec = new CloneRecord(name, Instant.now(), actor, snap.id(), snap.cluster(), snap.pgVersion(),
                    owner, d.method(), location, snap.dataDirectoryIn(d.mountPathOf(location)), configDir, null, null);
            try {
                catalog.writeJson(catalog.cloneSidecar(name), rec);
            } catch (SshException | RuntimeException e) {
                removeAfter(d, location, e);
                throw e;
            }
            return rec;
        }
    }

    /** Removes a clone made half-way after {@code cause}; what stops that is added to the cause. */
    private static void removeAfter(StorageDriver d, String location, Exception cause) throws InterruptedException {
        try {
            d.delete(location);
        } catch (SshException | RuntimeException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    /*
     * The storage's own limit, where it has one, is a backstop for a clone nobody watches: set halfway
     * into the floor, so that the watcher, which acts at the floor, normally stops the clone first.
     */
    private void limit(StorageDriver d, String location, SpaceGuard.Standing space) throws SshException, InterruptedException {
        try {
            String set = d.limitClone(location, space.headroomBytes() + space.floorBytes() / 2);
            if (set != null) {
                progress.step("limit the clone: " + set);
            }
        } catch (SshException | RuntimeException e) {
            removeAfter(d, location, e);
            throw e;
        }
    }

    /** Why the server's space watcher stopped each clone it stopped (cleared by the next start). */
    public Map<String, String> stopReasons(Catalog catalog) throws SshException, InterruptedException {
        return guard.stopReasons(catalog);
    }

    public SpaceGuard spaceGuard() {
        return guard;
    }

    public CloneRecord require(Catalog catalog, String name) throws SshException, InterruptedException {
        Names.requireValid("clone name", name);
        return catalog.clone(name).orElseThrow(() -> new IllegalArgumentException("no clone " + name + " in "
                + catalog.clonesDir()));
    }

    public List<CloneRecord> list(Catalog catalog) throws SshException, InterruptedException {
        return catalog.clones();
    }

    /** How the clone runs (or would run) with the port it was last given. */
    public CloneServer.Spec spec(Catalog catalog, CloneRecord c) {
        int port = c.port() == null ? 0 : c.port();
        String run = catalog.cloneRunDir(c.name());
        String sock = c.socketDirectory() != null ? c.socketDirectory() : CloneServer.socketDirectoryFor(run, port);
        if (sock == null) {
            sock = run; // not configured yet: nothing connects to it before configureHeld gives it one
        }
        return new CloneServer.Spec(c.name(), c.pgVersion(), c.owner(), c.dataDirectory(), run,
                c.sourceConfigDirectory(), port, sock);
    }

    public boolean isRunning(Catalog catalog, CloneRecord c) throws SshException, InterruptedException {
        return server.isRunning(spec(catalog, c));
    }

    /** Starts the clone on a free port; returns the record with its port and socket directory. */
    public CloneRecord start(Catalog catalog, String name)
            throws RefusedException, LockedException, SshException, InterruptedException {
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, "start clone " + name, progress)) {
            CloneRecord c = require(catalog, name);
            if (c.port() != null && server.isRunning(spec(catalog, c))) {
                progress.step("clone " + name + " already runs on port " + c.port());
                guard.ensureWatcher(catalog);
                recordActivity(catalog, name);
                return c;
            }
            SpaceGuard.Standing space = guard.requireAboveFloor(catalog, "start clone " + name, c.cluster());
            CloneRecord withPort = configureHeld(catalog, c);
            CloneServer.Spec spec = spec(catalog, withPort);
            progress.step("start clone " + name + " with " + spec.binDir() + "/pg_ctl; " + space.describe());
            guard.register(catalog, spec);
            try {
                server.start(spec, START_TIMEOUT);
            } catch (SshException e) {
                if (e.getMessage() == null || !e.getMessage().contains("Address already in use")) {
                    throw e;
                }
                // Another server took the port between the choice and the start (a clone of another filesystem's
                // catalog, which this one does not know of): choose again, now that the port is seen listening.
                progress.step("port " + withPort.port() + " was taken by another server meanwhile; choosing another");
                withPort = configureHeld(catalog, withPort);
                spec = spec(catalog, withPort);
                guard.register(catalog, spec);
                server.start(spec, START_TIMEOUT);
            }
            try {
                // Started with every clone, so that it watches even when no console is connected.
                guard.ensureWatcher(catalog);
            } catch (SshException | RuntimeException e) {
                try {
                    server.stop(spec);
                } catch (SshException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            try {
                server.neutralizeReplication(spec);
                List<CloneServer.PreparedTransaction> rolledBack = server.rollBackPreparedTransactions(spec);
                if (!rolledBack.isEmpty()) {
                    progress.step("clone " + name + ": rolled back " + rolledBack.size() + " prepared transaction(s)"
                            + " carried over from the snapshot, which would hold their locks forever here: "
                            + String.join("; ", rolledBack.stream().map(p -> "'" + p.gid() + "' in " + p.database()
                            + " (owner " + p.owner() + ", prepared " + p.prepared() + ")").toList())
                            + "; the live cluster keeps its own");
                }
            } catch (SshException | RuntimeException e) {
                try {
                    server.stop(spec);
                } catch (SshException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            recordActivity(catalog, name);
            progress.step("clone " + name + " accepts connections: " + spec.connectionString("postgres"));
            return withPort;
        }
    }

    /* A start is use: the server's idle-clone rule (schedule.sh idle) must not find a clone just started idle. */
    private void recordActivity(Catalog catalog, String name) throws InterruptedException {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        try {
            shell.run(RemoteCommand.of("sh", "-c", "printf '%s\\n' \"$2\" > \"$1.tmp\" && mv -f -- \"$1.tmp\" \"$1\"", "sh",
                    catalog.cloneActivityFile(name), now).asRoot()).requireSuccess();
        } catch (SshException e) {
            // The clone runs; only the idle mark is late (its next client is seen by the hourly run).
            progress.step("clone " + name + ": could not record its start for the idle-clone rule: " + e.getMessage());
        }
    }

    /**
     * Gives the clone a free port and writes its configuration without starting it: for a tool that
     * starts the server itself (pg_upgrade starts both clusters it works on).
     */
    public CloneRecord configure(Catalog catalog, String name) throws LockedException, SshException, InterruptedException {
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, "configure clone " + name, progress)) {
            return configureHeld(catalog, require(catalog, name));
        }
    }

    private CloneRecord configureHeld(Catalog catalog, CloneRecord c) throws SshException, InterruptedException {
        int port = choosePort(catalog, c);
        String run = catalog.cloneRunDir(c.name());
        String sock = CloneServer.socketDirectoryFor(run, port);
        if (c.socketDirectory() != null && !c.socketDirectory().equals(sock)) {
            SocketDirectories.remove(shell, c.socketDirectory());
        }
        if (sock == null) {
            // A new private directory for each start: a reboot may have emptied /tmp since the last one.
            sock = SocketDirectories.make(shell, "clone", c.owner());
        }
        CloneRecord withPort = c.withRuntime(port, sock);
        CloneServer.Spec spec = spec(catalog, withPort);
        progress.step("configure clone " + c.name() + ": port " + port + ", socket " + spec.socketDirectory()
                + ", archiving and replication off");
        server.prepare(spec);
        catalog.writeJson(catalog.cloneSidecar(c.name()), withPort);
        return withPort;
    }

    /** Records a clone made by other means than a snapshot (a new-version cluster made by initdb beside one). */
    public void register(Catalog catalog, CloneRecord record) throws LockedException, SshException, InterruptedException {
        Names.requireValid("clone name", record.name());
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, "register clone " + record.name(), progress)) {
            if (catalog.exists(catalog.cloneSidecar(record.name()))) {
                throw new IllegalStateException("a clone named " + record.name() + " already exists in " + catalog.clonesDir());
            }
            catalog.writeJson(catalog.cloneSidecar(record.name()), record);
        }
    }

    private int choosePort(Catalog catalog, CloneRecord c) throws SshException, InterruptedException {
        Set<Integer> reserved = new HashSet<>();
        for (CloneRecord other : catalog.clones()) {
            if (!other.name().equals(c.name()) && other.port() != null) {
                reserved.add(other.port());
            }
        }
        for (PgCluster pc : new ClusterDiscovery(shell).listClusters()) {
            reserved.add(pc.port());
        }
        Set<Integer> listening = ListeningPorts.listening(shell);
        if (c.port() != null && !listening.contains(c.port()) && !reserved.contains(c.port())) {
            return c.port();
        }
        return ListeningPorts.pickFree(listening, reserved);
    }

    public void stop(Catalog catalog, String name) throws LockedException, SshException, InterruptedException {
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, "stop clone " + name, progress)) {
            CloneRecord c = require(catalog, name);
            stopIfRunning(catalog, c);
        }
    }

    private void stopIfRunning(Catalog catalog, CloneRecord c) throws SshException, InterruptedException {
        if (c.port() != null && server.isRunning(spec(catalog, c))) {
            progress.step("stop clone " + c.name());
            server.stop(spec(catalog, c));
        }
    }

    /** Stops the clone if it runs and removes its data, config and sidecar. Its snapshots stay. */
    public void destroy(Catalog catalog, String name) throws LockedException, SshException, InterruptedException {
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, "destroy clone " + name, progress)) {
            CloneRecord c = require(catalog, name);
            if (c.method() == StorageMethod.ZFS_DATASET) {
                // A ZFS snapshot lives inside its dataset: the destroy would fail half-way, after the stop.
                List<String> own = catalog.snapshots().stream().filter(s -> ("clone:" + name).equals(s.parent()))
                        .map(SnapshotRecord::id).toList();
                if (!own.isEmpty()) {
                    throw new IllegalStateException("clone " + name + " has " + own.size() + " snapshot(s) of its own ("
                            + String.join(", ", own) + "); on ZFS they live inside the clone: delete them first"
                            + " (and any clone made from them), then destroy the clone");
                }
            }
            stopIfRunning(catalog, c);
            StorageDriver d = StorageDrivers.forMethod(c.method(), shell);
            progress.step("destroy clone " + name + " (" + c.location() + ")");
            if (d.exists(c.location())) {
                d.delete(c.location());
            }
            String run = catalog.cloneRunDir(name);
            StorageDriver.requireInCatalog(run);
            shell.run(RemoteCommand.of("rm", "-rf", "--", run).asRoot()).requireSuccess();
            SocketDirectories.remove(shell, c.socketDirectory());
            guard.unregister(catalog, name);
            // A later clone of the same name starts with neither this one's activity nor its protection.
            shell.run(RemoteCommand.of("rm", "-f", "--", catalog.cloneActivityFile(name), catalog.cloneProtectionFile(name))
                    .asRoot()).requireSuccess();
            catalog.remove(catalog.cloneSidecar(name));
        }
    }
}
