package dev.twinshift.ui.connections;

import dev.twinshift.inventory.ServerEntry;

/** What the server tree asks of the rest of the window: the connection commands of its menu and keys. */
public interface ServerActions {
    void connect(ServerEntry server);

    void disconnect(ServerEntry server);

    void refresh(ServerEntry server);

    /** Shows a cluster of a server in the detail area, as choosing it in the server's table does. */
    void showCluster(ClusterNode cluster);
}
