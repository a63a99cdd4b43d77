package dev.twinshift.ui.dashboard;

/** A cluster as the dashboard table shows it. */
public record ClusterRow(String version, String name, int port, String status, String dataDirectory,
                         String walLocation, String filesystem, String storageMethod, String storageNote,
                         dev.twinshift.postgres.PgCluster cluster) {

    public String id() {
        return version + "/" + name;
    }
}
