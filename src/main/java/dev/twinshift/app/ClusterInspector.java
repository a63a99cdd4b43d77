package dev.twinshift.app;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.SnapshotVerdict;
import dev.twinshift.storage.StorageAssessment;
import dev.twinshift.ui.dashboard.ClusterRow;
import dev.twinshift.ui.dashboard.ServerInspector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Turns the core's cluster and storage discovery into the dashboard's rows. */
final class ClusterInspector {
    private ClusterInspector() {}

    static ServerInspector.Result inspect(RemoteShell shell, Consumer<String> log) throws Exception {
        ClusterDiscovery discovery = new ClusterDiscovery(shell);
        List<ClusterRow> rows = new ArrayList<>();
        List<String> advice = new ArrayList<>();
        for (PgCluster c : discovery.discover()) {
            if (c.broken()) {
                // Shown, with why, but not selectable: there is nothing to snapshot or clone.
                rows.add(new ClusterRow(c.version(), c.name(), c.port(), "broken", c.dataDirectory(), "-", "-", "-",
                        c.problem(), null));
                advice.add(c.id() + ": broken: " + c.problem() + "; to fix: " + c.repairAdvice());
                log.accept("found " + c.id() + ", broken: " + c.problem());
                continue;
            }
            String fs = "unknown";
            String method = "unknown";
            try {
                // The same rule a snapshot enforces: the dashboard never promises what it would refuse.
                ClusterVolume v = ClusterVolume.resolve(shell, c);
                StorageAssessment a = v.storage();
                SnapshotVerdict verdict = v.snapshotVerdict();
                fs = a.fsType() + " (" + a.mountTarget() + ")";
                method = a.method().label() + ": " + verdict.summary();
                if (!verdict.allowed()) {
                    advice.add(c.id() + ": " + verdict.refusal());
                } else if (a.advice() != null) {
                    advice.add(c.id() + ": " + a.advice());
                }
            } catch (Exception e) {
                advice.add(c.id() + ": storage not readable: " + e.getMessage());
            }
            String wal = c.walDirectory() == null ? "unknown"
                    : c.walInsideDataDirectory() ? "inside PGDATA" : c.walDirectory();
            rows.add(new ClusterRow(c.version(), c.name(), c.port(), c.status(), c.dataDirectory(), wal, fs, method,
                    null, c));
            log.accept("found " + c.id() + " on port " + c.port() + " (" + c.status() + "), " + method);
        }
        String note = rows.isEmpty() ? "No PostgreSQL cluster found (pg_lsclusters and running postmasters were checked)."
                : String.join("\n", advice);
        return new ServerInspector.Result(rows, note);
    }
}
