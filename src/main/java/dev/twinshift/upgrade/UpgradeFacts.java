package dev.twinshift.upgrade;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.storage.StorageMethod;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the planner needs to know about a server and a cluster, read beforehand (read-only).
 *
 * @param installedVersions   majors with a complete server installation (pg_upgrade included)
 * @param existingClusters    every cluster id on the server (VERSION/NAME)
 * @param takenPorts          ports of every cluster and every listening socket
 * @param storage             the copy method of the old PGDATA's volume
 * @param dataDirIsSubvolume  the old PGDATA is a btrfs subvolume
 * @param freeBytes           free space on the filesystem of the old PGDATA
 * @param pathsTaken          candidate new data directories that already exist
 * @param brokenClusters      existing clusters (VERSION/NAME) among the new cluster's candidate names
 *                            whose entry is broken, with why: a plan says so when it steps around one
 * @param installUser         the old cluster's bootstrap superuser (the role with oid 10), null when unknown
 */
public record UpgradeFacts(PgCluster cluster, List<String> installedVersions, Set<String> existingClusters,
                           Set<Integer> takenPorts, StorageMethod storage, boolean dataDirIsSubvolume,
                           String filesystem, long freeBytes, String encoding, String lcCollate, String lcCtype,
                           boolean dataChecksums, Set<String> pathsTaken, int cpus,
                           Map<String, String> brokenClusters, String installUser) {

    public UpgradeFacts {
        brokenClusters = brokenClusters == null ? Map.of() : Map.copyOf(brokenClusters);
    }

    public UpgradeFacts(PgCluster cluster, List<String> installedVersions, Set<String> existingClusters,
                        Set<Integer> takenPorts, StorageMethod storage, boolean dataDirIsSubvolume,
                        String filesystem, long freeBytes, String encoding, String lcCollate, String lcCtype,
                        boolean dataChecksums, Set<String> pathsTaken, int cpus) {
        this(cluster, installedVersions, existingClusters, takenPorts, storage, dataDirIsSubvolume, filesystem,
                freeBytes, encoding, lcCollate, lcCtype, dataChecksums, pathsTaken, cpus, Map.of(), null);
    }
}
