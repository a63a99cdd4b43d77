package dev.twinshift.ui.dashboard;

/** A cluster as the dashboard table shows it. */
public record ClusterRow(String version, String name, int port, String status, String dataDirectory,
                         String walLocation, String filesystem, String storageMethod, String storageNote) {

    public String id() {
        return version + "/" + name;
    }
}
