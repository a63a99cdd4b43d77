package dev.twinshift.app;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.ClusterStats;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.schedule.ScheduleJob;
import dev.twinshift.schedule.ScheduleService;
import dev.twinshift.schedule.ScheduleStatus;
import dev.twinshift.ssh.FailureCause;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CatalogLock;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.LockOwner;
import dev.twinshift.schedule.IdleClone;
import dev.twinshift.schedule.IdleCloneService;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotVerdict;
import dev.twinshift.storage.SpaceGuard;
import dev.twinshift.storage.SpacePolicy;
import dev.twinshift.storage.SpaceUsage;
import dev.twinshift.storage.StorageAssessment;
import dev.twinshift.storage.StorageDrivers;
import dev.twinshift.ui.dashboard.ClusterHealth;
import dev.twinshift.ui.dashboard.ClusterRow;
import dev.twinshift.ui.dashboard.ClusterWarnings;
import dev.twinshift.ui.dashboard.ServerInspector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns the core's cluster and storage discovery into the dashboard's rows. What clusters share is
 * read once: the schedule job once per server, the free space of every catalog's filesystem in one
 * command, snapshots, clones, lock and floor once per catalog; then one query per running cluster.
 * A read that fails leaves its value unknown and says why; it never hides the cluster.
 */
final class ClusterInspector {
    private ClusterInspector() {}

    static ServerInspector.Result inspect(RemoteShell shell, Consumer<String> log) throws Exception {
        ClusterDiscovery discovery = new ClusterDiscovery(shell);
        List<String> advice = new ArrayList<>();
        List<Found> found = new ArrayList<>();
        for (PgCluster c : discovery.discover()) {
            if (c.broken()) {
                found.add(new Found(c, null, "-", "-"));
                advice.add(c.id() + ": broken: " + c.problem() + "; to fix: " + c.repairAdvice());
                log.accept("found " + c.id() + ", broken: " + c.problem());
                continue;
            }
            String fs = "unknown";
            String method = "unknown";
            ClusterVolume v = null;
            try {
                // The same rule a snapshot enforces: the dashboard never promises what it would refuse.
                v = ClusterVolume.resolve(shell, c);
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
            found.add(new Found(c, v, fs, method));
            log.accept("found " + c.id() + " on port " + c.port() + " (" + c.status() + "), " + method);
        }

        Map<String, CatalogFacts> catalogs = readCatalogs(shell, found, log);
        ScheduleService schedules = new ScheduleService(shell, Progress.NONE);
        Optional<ScheduleJob> job = Optional.empty();
        String jobProblem = null;
        try {
            job = schedules.installed();
        } catch (Exception e) {
            jobProblem = "the schedule job is not readable: " + e.getMessage();
        }

        Instant now = Instant.now();
        List<ClusterRow> rows = new ArrayList<>();
        for (Found f : found) {
            PgCluster c = f.cluster();
            if (c.broken()) {
                // Shown, with why, but not selectable: there is nothing to snapshot or clone.
                rows.add(new ClusterRow(c.version(), c.name(), c.port(), "broken", c.dataDirectory(), "-", "-", "-",
                        c.problem(), null));
                continue;
            }
            ClusterHealth h = health(shell, f, f.volume() == null ? null : catalogs.get(f.volume().catalog().root()),
                    schedules, job, jobProblem);
            String wal = c.walDirectory() == null ? "unknown"
                    : c.walInsideDataDirectory() ? "inside PGDATA" : c.walDirectory();
            rows.add(new ClusterRow(c.version(), c.name(), c.port(), c.status(), c.dataDirectory(), wal, f.filesystem(),
                    f.method(), null, c, h, ClusterWarnings.of(h, now)));
            h.unreadable().forEach(u -> log.accept(c.id() + ": " + u));
        }
        String note = rows.isEmpty() ? "No PostgreSQL cluster found (pg_lsclusters and running postmasters were checked)."
                : String.join("\n", advice);
        return new ServerInspector.Result(rows, note);
    }

    private record Found(PgCluster cluster, ClusterVolume volume, String filesystem, String method) { }

    /** What every cluster of one catalog shares. */
    private record CatalogFacts(FailureCause.Free free, Long floor, Optional<LockOwner> lock, List<SnapshotRecord> snapshots,
                                List<CloneRecord> clones, Map<String, Long> cloneOwnBytes, Map<String, String> cloneIdle,
                                List<String> problems) { }

    private static Map<String, CatalogFacts> readCatalogs(RemoteShell shell, List<Found> found, Consumer<String> log)
            throws InterruptedException {
        Map<String, Catalog> byRoot = new LinkedHashMap<>();
        for (Found f : found) {
            if (f.volume() != null) {
                byRoot.putIfAbsent(f.volume().catalog().root(), f.volume().catalog());
            }
        }
        List<String> roots = byRoot.values().stream().map(Catalog::filesystemRoot).toList();
        // One df for every catalog's filesystem; the order of its answer follows the paths given.
        List<FailureCause.Free> free = FailureCause.measure(shell, "root", roots);
        SpaceGuard guard = new SpaceGuard(shell);
        Map<String, CatalogFacts> out = new LinkedHashMap<>();
        int i = 0;
        for (Catalog cat : byRoot.values()) {
            List<String> problems = new ArrayList<>();
            FailureCause.Free fr = free.size() == roots.size() ? free.get(i) : null;
            i++;
            if (fr == null) {
                problems.add("free space of " + cat.filesystemRoot() + " not measured");
            }
            Long floor = null;
            Optional<LockOwner> lock = Optional.empty();
            List<SnapshotRecord> snaps = List.of();
            List<CloneRecord> clones = List.of();
            Map<String, Long> own = new LinkedHashMap<>();
            try {
                SpacePolicy p = guard.policy(cat);
                floor = fr == null ? null : p.floorFor(fr.sizeBytes());
            } catch (Exception e) {
                problems.add("space policy: " + e.getMessage());
            }
            try {
                lock = CatalogLock.holder(cat);
            } catch (Exception e) {
                problems.add("lock: " + e.getMessage());
            }
            try {
                snaps = cat.snapshots(problems);
            } catch (Exception e) {
                problems.add("snapshots: " + e.getMessage());
            }
            try {
                clones = cat.clones(problems);
                for (CloneRecord c : clones) {
                    if (c.method() != null && c.location() != null) {
                        Optional<SpaceUsage> u = StorageDrivers.forMethod(c.method(), shell).usage(c.location());
                        u.ifPresent(x -> own.put(c.name(), x.exclusiveBytes()));
                    }
                }
            } catch (Exception e) {
                problems.add("clones: " + e.getMessage());
            }
            Map<String, String> idle = new LinkedHashMap<>();
            if (!clones.isEmpty()) {
                try {
                    for (IdleClone ic : new IdleCloneService(shell, Progress.NONE).preview(cat)) {
                        if (ic.verdict() == IdleClone.Verdict.IDLE || ic.due()) {
                            idle.put(ic.name(), ic.reason());
                        }
                    }
                } catch (Exception e) {
                    problems.add("idle clones: " + e.getMessage());
                }
            }
            log.accept(cat.root() + ": " + snaps.size() + " snapshots, " + clones.size() + " clones"
                    + (idle.isEmpty() ? "" : " (" + idle.size() + " idle)") + lock.map(o -> ", " + o.describe()).orElse(""));
            out.put(cat.root(), new CatalogFacts(fr, floor, lock, snaps, clones, own, idle, problems));
        }
        return out;
    }

    private static ClusterHealth health(RemoteShell shell, Found f, CatalogFacts cat, ScheduleService schedules,
                                        Optional<ScheduleJob> job, String jobProblem) throws InterruptedException {
        PgCluster c = f.cluster();
        List<String> unreadable = new ArrayList<>();
        Long size = null;
        List<dev.twinshift.postgres.ClusterStats.Slot> slots = List.of();
        if (c.running()) {
            try {
                ClusterStats s = ClusterStats.read(Psql.forCluster(shell, c));
                size = s.sizeBytes();
                slots = s.slots();
            } catch (Exception e) {
                unreadable.add("size and slots: " + e.getMessage());
            }
        }
        ClusterHealth.ScheduleState schedule = ClusterHealth.ScheduleState.UNKNOWN;
        String failure = null;
        Instant failedAt = null;
        if (f.volume() != null && jobProblem == null) {
            try {
                ScheduleStatus st = schedules.status(f.volume(), job);
                schedule = st.conf() == null ? ClusterHealth.ScheduleState.NONE
                        : !st.enabled() ? ClusterHealth.ScheduleState.DISABLED
                        : st.jobInstalled() ? ClusterHealth.ScheduleState.ENABLED : ClusterHealth.ScheduleState.NOT_RUNNING;
                if (st.lastRun() != null && st.lastRun().failed()) {
                    failure = st.lastRun().lastFailure().why();
                    failedAt = st.lastRun().lastFailure().at();
                }
            } catch (Exception e) {
                unreadable.add("schedule: " + e.getMessage());
            }
        } else if (jobProblem != null) {
            unreadable.add(jobProblem);
        }
        if (cat == null) {
            return new ClusterHealth(size, null, null, null, schedule, failure, failedAt, null, null, slots, List.of(),
                    unreadable);
        }
        unreadable.addAll(cat.problems());
        String key = f.volume().volumeKey();
        Instant newest = cat.snapshots().stream().filter(s -> key.equals(s.volume()) && s.createdAt() != null)
                .map(SnapshotRecord::createdAt).max(Instant::compareTo).orElse(null);
        List<ClusterHealth.CloneUse> clones = cat.clones().stream().filter(x -> c.id().equals(x.cluster()))
                .map(x -> new ClusterHealth.CloneUse(x.name(), x.createdAt(), cat.cloneOwnBytes().get(x.name()),
                        cat.cloneIdle().get(x.name()))).toList();
        FailureCause.Free fr = cat.free();
        return new ClusterHealth(size, fr == null ? null : fr.availableBytes(), fr == null ? null : fr.sizeBytes(),
                cat.floor(), schedule, failure, failedAt, cat.lock().orElse(null), newest, slots, clones, unreadable);
    }
}
