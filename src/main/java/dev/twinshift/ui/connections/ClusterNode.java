package dev.twinshift.ui.connections;

/** A cluster as the server tree lists it under its server: "13/main" and whether it runs. */
public record ClusterNode(String server, String id, int port, String status) {
    public boolean running() {
        return "online".equals(status);
    }
}
