package dev.twinshift.ui.connections;

/** Where a server's SSH session stands, as the tree, the status bar and the server's page say it. */
public enum ConnectionState {
    DISCONNECTED("Not connected"),
    CONNECTING("Connecting"),
    CONNECTED("Connected"),
    FAILED("Connection failed");

    private final String label;

    ConnectionState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
