package dev.twinshift.ui.connections;

import dev.twinshift.inventory.ServerEntry;

/** A row of the server tree: a server, or one of its clusters under it. */
public sealed interface ServerTreeItem {
    record Server(ServerEntry entry) implements ServerTreeItem { }

    record Cluster(ClusterNode cluster) implements ServerTreeItem { }
}
