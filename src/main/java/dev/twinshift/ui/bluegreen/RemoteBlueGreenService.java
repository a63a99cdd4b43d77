package dev.twinshift.ui.bluegreen;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.RefusedException;
import dev.twinshift.upgrade.BlueGreen;
import dev.twinshift.upgrade.BlueGreenPreflight;
import dev.twinshift.upgrade.BlueGreenStatus;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.Upgrades;
import java.util.Optional;

/** The blue/green engine on a server, over the console's SSH connection. */
public final class RemoteBlueGreenService implements BlueGreenService {
    private final RemoteShell shell;
    private final Actor actor;
    private final PgCluster cluster;

    public RemoteBlueGreenService(RemoteShell shell, Actor actor, PgCluster cluster) {
        this.shell = shell;
        this.actor = actor;
        this.cluster = cluster;
    }

    @Override
    public String clusterId() {
        return cluster.id();
    }

    private BlueGreen engine(UpgradeListener listener) {
        return new BlueGreen(shell, actor, listener);
    }

    private Catalog catalog() throws Exception {
        return ClusterVolume.resolve(shell, cluster).catalog();
    }

    @Override
    public UpgradePlan plan() throws Exception {
        UpgradePlanner.Result r = new Upgrades(shell).plan(new ClusterDiscovery(shell).find(cluster.id()), null, null);
        if (!r.ok()) {
            throw new RefusedException("cannot upgrade " + cluster.id() + ": " + String.join("; ", r.refusals()));
        }
        return r.plan();
    }

    @Override
    public BlueGreenPreflight.Result preflight(UpgradePlan plan, BlueGreen.Pooler pooler) throws Exception {
        Psql blue = Psql.forCluster(shell, new ClusterDiscovery(shell).find(plan.oldId()));
        return BlueGreenPreflight.run(shell, blue, plan, pooler);
    }

    @Override
    public String prepare(UpgradePlan plan, BlueGreen.Pooler pooler, BlueGreenPreflight.Result preflight,
                          UpgradeListener listener) throws Exception {
        return engine(listener).prepare(plan, pooler, preflight);
    }

    @Override
    public Optional<String> current() throws Exception {
        return engine(null).current(catalog(), cluster.id());
    }

    @Override
    public BlueGreenStatus status(String operation) throws Exception {
        return engine(null).status(catalog(), operation);
    }

    @Override
    public BlueGreen.SwitchResult switchTo(String operation, boolean toGreen, UpgradeListener listener) throws Exception {
        BlueGreen bg = engine(listener);
        Catalog cat = catalog();
        return toGreen ? bg.switchover(cat, operation, null) : bg.switchBack(cat, operation, null);
    }

    @Override
    public String finish(String operation, UpgradeListener listener) throws Exception {
        return engine(listener).finish(catalog(), operation);
    }

    @Override
    public String abandon(String operation, UpgradeListener listener) throws Exception {
        return engine(listener).abandon(catalog(), operation);
    }
}
