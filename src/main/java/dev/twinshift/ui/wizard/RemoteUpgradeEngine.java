package dev.twinshift.ui.wizard;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.Cutover;
import dev.twinshift.upgrade.CutoverRollback;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.UpgradeState;
import dev.twinshift.upgrade.UpgradeWorkspace;
import dev.twinshift.upgrade.Upgrades;
import java.util.Optional;

/** The upgrade engine on a server, over the console's SSH connection. */
public final class RemoteUpgradeEngine implements UpgradeEngine {
    private final RemoteShell shell;
    private final String sshUser;
    private final PgCluster cluster;
    /** The catalog found when the wizard opened; a journal read later looks there first. */
    private volatile Catalog catalog;

    public RemoteUpgradeEngine(RemoteShell shell, String sshUser, PgCluster cluster) {
        this.shell = shell;
        this.sshUser = sshUser;
        this.cluster = cluster;
    }

    @Override
    public String serverName() {
        return shell.serverName();
    }

    @Override
    public PgCluster cluster() {
        return cluster;
    }

    private Actor actorOf() {
        return Actor.local(sshUser);
    }

    @Override
    public String actor() {
        return actorOf().display();
    }

    @Override
    public Opening open() throws Exception {
        Catalog cat = ClusterVolume.resolve(shell, cluster).catalog();
        catalog = cat;
        Upgrades upgrades = new Upgrades(shell);
        return new Opening(upgrades.unfinished(cat, cluster.id()), upgrades.installedVersions());
    }

    @Override
    public UpgradePlanner.Result plan(String targetVersion, String newName) throws Exception {
        return new Upgrades(shell).plan(cluster, targetVersion, newName);
    }

    @Override
    public Rehearsal.Result preflight(UpgradePlan plan, UpgradeListener listener, CancelRequest cancel) throws Exception {
        return new Rehearsal(shell, actorOf(), listener, cancel).preflight(plan);
    }

    @Override
    public Rehearsal.Result rehearse(UpgradePlan plan, Rehearsal.Options options, UpgradeListener listener,
                                     CancelRequest cancel) throws Exception {
        return new Rehearsal(shell, actorOf(), listener, cancel).rehearse(plan, options);
    }

    @Override
    public UpgradeState cutOver(UpgradePlan plan, Cutover.Options options, UpgradeListener listener, CancelRequest cancel)
            throws Exception {
        return new Cutover(shell, actorOf(), listener, options, cancel).run(plan);
    }

    @Override
    public UpgradeState resume(UpgradeState state, UpgradeListener listener, CancelRequest cancel) throws Exception {
        return new Cutover(shell, actorOf(), listener, null, cancel).resume(catalog(state.plan()), state.operation());
    }

    @Override
    public UpgradeState rollBack(UpgradeState state, UpgradeListener listener) throws Exception {
        return new CutoverRollback(shell, actorOf(), listener).rollback(catalog(state.plan()), state.operation());
    }

    @Override
    public Optional<UpgradeState> journaled(UpgradePlan plan, String operation) throws Exception {
        return new Upgrades(shell).journaled(catalog(plan)).stream().filter(s -> s.operation().equals(operation)).findFirst();
    }

    private Catalog catalog(UpgradePlan plan) {
        Catalog c = catalog;
        return c != null ? c : UpgradeWorkspace.catalogOf(shell, plan);
    }
}
