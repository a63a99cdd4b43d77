package dev.twinshift.ui.dashboard;

import java.util.List;

/**
 * A cluster as the dashboard table shows it.
 *
 * @param health   what was read about it besides discovery; {@link ClusterHealth#UNKNOWN} when nothing was
 * @param warnings what {@link ClusterWarnings} made of it when it was read
 */
public record ClusterRow(String version, String name, int port, String status, String dataDirectory,
                         String walLocation, String filesystem, String storageMethod, String storageNote,
                         dev.twinshift.postgres.PgCluster cluster, ClusterHealth health,
                         List<ClusterWarnings.Warning> warnings) {

    public ClusterRow {
        health = health == null ? ClusterHealth.UNKNOWN : health;
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** A row with nothing read beyond discovery. */
    public ClusterRow(String version, String name, int port, String status, String dataDirectory,
                      String walLocation, String filesystem, String storageMethod, String storageNote,
                      dev.twinshift.postgres.PgCluster cluster) {
        this(version, name, port, status, dataDirectory, walLocation, filesystem, storageMethod, storageNote, cluster,
                ClusterHealth.UNKNOWN, List.of());
    }

    public String id() {
        return version + "/" + name;
    }
}
