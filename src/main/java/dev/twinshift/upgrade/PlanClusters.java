package dev.twinshift.upgrade;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;

/**
 * The plan's old and new cluster as the server lists them now, for the cutover and its rollback. They
 * are looked up without measuring their size: most lookups fall inside the downtime.
 */
final class PlanClusters {
    private final RemoteShell shell;

    PlanClusters(RemoteShell shell) {
        this.shell = shell;
    }

    PgCluster old(UpgradePlan plan) throws SshException, InterruptedException {
        return new ClusterDiscovery(shell).locate(plan.oldId());
    }

    boolean newExists(UpgradePlan plan) throws SshException, InterruptedException {
        return new ClusterDiscovery(shell).listed(plan.newId()).isPresent();
    }

    PgCluster newOne(UpgradePlan plan) throws SshException, InterruptedException {
        return new ClusterDiscovery(shell).locate(plan.newId());
    }

    /** The cluster as pg_lsclusters lists it, without where its files are: enough to start or stop it. */
    PgCluster listed(String id) throws UpgradeException, SshException, InterruptedException {
        return new ClusterDiscovery(shell).listed(id)
                .orElseThrow(() -> new UpgradeException("no cluster " + id + " on " + shell.serverName()));
    }
}
