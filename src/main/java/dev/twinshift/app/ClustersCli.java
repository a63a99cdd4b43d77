package dev.twinshift.app;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.SnapshotVerdict;
import dev.twinshift.storage.StorageAssessment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code twinshift clusters}: what is on the server, and what a snapshot of each cluster would be. */
@Command(name = "clusters", description = "List the server's clusters with where their data and WAL are, which"
        + " snapshot method their storage allows, and whether a snapshot now would be atomic, a copy of a stopped"
        + " cluster, or refused (and why).")
final class ClustersCli implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Override
    public Integer call() throws Exception {
        List<PgCluster> all = new ClusterDiscovery(cli.shell()).discover();
        List<Map<String, Object>> js = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (PgCluster c : all) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cluster", c);
            String method = "-";
            String snapshot;
            if (c.broken()) {
                // A broken entry has no storage to look at; it is listed with why, the others as usual.
                snapshot = "refused";
                m.put("snapshot", Map.of("allowed", false, "atomic", false, "refusal", "broken: " + c.problem()));
                notes.add(c.id() + ": broken: " + c.problem() + "\n    to fix: " + c.repairAdvice());
            } else try {
                // The same rule `snapshot create` enforces, so the listing never promises what it refuses.
                ClusterVolume v = ClusterVolume.resolve(cli.shell(), c);
                SnapshotVerdict verdict = v.snapshotVerdict();
                StorageAssessment a = v.storage();
                m.put("storage", a);
                m.put("snapshot", verdictJson(verdict));
                method = a.method().name();
                snapshot = verdict.summary();
                notes.add(c.id() + ": " + (verdict.allowed() ? a.reason() : verdict.refusal())
                        + (a.advice() == null ? "" : "\n    to improve: " + a.advice()));
            } catch (IllegalStateException e) {
                m.put("snapshot", Map.of("allowed", false, "atomic", false, "refusal", e.getMessage()));
                snapshot = "refused";
                notes.add(c.id() + ": " + e.getMessage());
            }
            js.add(m);
            rows.add(List.of(c.id(), Integer.toString(c.port()), c.broken() ? "broken" : c.status(), c.owner(),
                    c.dataDirectory(),
                    c.walDirectory() == null ? "?" : c.walInsideDataDirectory() ? "inside" : c.walDirectory(),
                    c.tablespaces().isEmpty() ? "-" : Integer.toString(c.tablespaces().size()), Cli.size(c.sizeBytes()),
                    method, snapshot));
        }
        cli.output().print(() -> js, out -> {
            Output.table(out, List.of("CLUSTER", "PORT", "STATUS", "OWNER", "DATA", "WAL", "TABLESPACES", "SIZE",
                    "STORAGE", "SNAPSHOT"), rows);
            for (String n : notes) {
                out.println(n);
            }
        });
        return 0;
    }

    static Map<String, Object> verdictJson(SnapshotVerdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allowed", v.allowed());
        m.put("atomic", v.atomic());
        m.put("method", v.method());
        m.put("problems", v.problems());
        m.put("refusal", v.refusal());
        return m;
    }
}
