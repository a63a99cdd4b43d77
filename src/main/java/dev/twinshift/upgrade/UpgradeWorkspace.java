package dev.twinshift.upgrade;

import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Catalog;

/**
 * Where an upgrade operation keeps its things on the server, and what it is called there: the catalog
 * beside the old cluster, the lock's name while the operation holds it, its folder for detached jobs
 * and reports, and the journal keys naming what it made (a rollback removes only those). The
 * preflight, the rehearsal, the cutover, its rollback and the blue/green path all ask here, so two
 * consoles looking for the same operation look in the same place.
 */
public final class UpgradeWorkspace {
    /** Journaled right after the new data directory exists. */
    static final String MADE_DATA_DIRECTORY = "madeNewDataDirectory";
    /** Journaled right before the new cluster is created. */
    static final String MADE_CLUSTER = "madeNewCluster";

    private UpgradeWorkspace() {}

    /** The catalog the plan's operations are journaled in: on the old cluster's filesystem. */
    public static Catalog catalogOf(RemoteShell shell, UpgradePlan plan) {
        return new Catalog(shell, plan.catalogFilesystem());
    }

    /** The name the catalog lock carries while {@code operation} holds it. */
    static String lockName(String operation) {
        return "upgrade " + operation;
    }

    /** The operation's folder in the catalog: its detached jobs, pg_upgrade's kept logs, its report. */
    static String workDir(Catalog catalog, String operation) {
        return catalog.root() + "/upgrades/" + operation;
    }

    /** {@code name} inside the folder of the plan's own operation. */
    static String workDir(RemoteShell shell, UpgradePlan plan, String name) {
        return workDir(catalogOf(shell, plan), plan.operation()) + "/" + name;
    }
}
