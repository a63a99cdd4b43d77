package dev.twinshift.ui.dashboard;

import dev.twinshift.ssh.RemoteShell;
import java.util.List;
import java.util.function.Consumer;

/** Reads a connected server's PostgreSQL clusters and the storage under each; runs off the FX thread. */
@FunctionalInterface
public interface ServerInspector {
    record Result(List<ClusterRow> clusters, String note) { }

    Result inspect(RemoteShell shell, Consumer<String> log) throws Exception;
}
