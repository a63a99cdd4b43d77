package dev.twinshift.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.CatalogLock;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.StorageDriver;
import dev.twinshift.storage.StorageDrivers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scheduled runs of the real schedule.sh on real btrfs snapshots of a scratch cluster, their clock set with
 * TWINSHIFT_NOW; failures (clone, lock, cluster down, full disk) and the cron entry firing with no console.
 */
class ScheduleIT {
    static RemoteShell shell;
    /*
     * Before a fill is measured: space that deleted subvolumes and files (an earlier fill) still hold comes back
     * in the background after their transaction commits, and would otherwise come back in the middle of the run
     * under test. Wait until the free space stops changing.
     */
    static final String SETTLE = "btrfs subvolume sync \"$1\" >/dev/null 2>&1; i=0; b=-1; while [ $i -lt 60 ]; do"
            + " btrfs filesystem sync \"$1\" >/dev/null 2>&1; a=$(df -B1 --output=avail \"$1\" | tail -n 1);"
            + " [ \"$a\" = \"$b\" ] && break; b=$a; i=$((i + 1)); sleep 1; done; ";

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    /** The simulated clock of one run after another: what each run was, for the expected survivors. */
    static final class Runner {
        final ClusterVolume v;
        final List<Instant> taken = new ArrayList<>();
        int runs;
        long millis;

        Runner(ClusterVolume v) {
            this.v = v;
        }

        String cat() {
            return v.catalog().root();
        }

        CommandResult run(Instant now, String... env) throws Exception {
            List<String> argv = new ArrayList<>(List.of("env", "TWINSHIFT_NOW=" + now, "TWINSHIFT_LOCK_WAIT=3"));
            argv.addAll(List.of(env));
            argv.addAll(List.of("/bin/sh", cat() + "/bin/schedule.sh", "run", cat()));
            long t0 = System.nanoTime();
            CommandResult r = shell.run(RemoteCommand.of(argv).asRoot(), Duration.ofMinutes(3));
            millis += (System.nanoTime() - t0) / 1_000_000;
            runs++;
            return r;
        }

        void ok(Instant now) throws Exception {
            CommandResult r = run(now);
            assertEquals(0, r.exitCode(), "run at " + now + ": " + r.stdout() + r.stderr() + "\n" + lastRun());
            taken.add(now);
        }

        ScheduleStatus.LastRun lastRun() throws Exception {
            return new ScheduleService(shell, null).status(v).lastRun();
        }

        List<SnapshotRecord> snapshots() throws Exception {
            return v.catalog().snapshots().stream().filter(s -> s.volume().equals(v.volumeKey()) && s.parent() == null).toList();
        }

        Set<String> names() throws Exception {
            return snapshots().stream().map(SnapshotRecord::name).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /* A scratch cluster's schedule, status and log go with it, or later runs would find the cluster gone. */
    static void forget(ClusterVolume v) throws Exception {
        String base = v.catalog().root() + "/schedule/" + v.volumeKey();
        shell.run(RemoteCommand.of("rm", "-f", "--", base + ".conf", base + ".status.json", base + ".log").asRoot()).requireSuccess();
    }

    static ClusterVolume schedule(ScratchCluster sc, SnapshotPolicy policy) throws Exception {
        ClusterVolume v = ClusterVolume.resolve(shell, sc.cluster());
        ScheduleService s = new ScheduleService(shell, null);
        s.save(v, s.planEnable(v, policy));
        s.installScripts(v.catalog().root());
        return v;
    }

    /** The expected survivors hold and each is really there as a btrfs subvolume (or ZFS snapshot). */
    static void assertSurvivors(Runner r, SnapshotPolicy policy, Set<String> extra) throws Exception {
        Set<String> want = new TreeSet<>(ScheduleScriptTest.expected(r.taken, policy));
        want.addAll(extra);
        assertEquals(want, r.names(), "survivors after " + r.runs + " runs");
        StorageDriver d = StorageDrivers.forMethod(r.v.storage().method(), shell);
        for (SnapshotRecord s : r.snapshots()) {
            assertTrue(d.exists(d.currentLocation(s)), s.location() + " is there");
            assertEquals(Reason.SCHEDULED, s.reason());
        }
        Set<String> onDisk = d.list(r.v.storage().method() == dev.twinshift.storage.StorageMethod.ZFS_DATASET ? r.v.volumePath()
                : r.v.catalog().snapshotDir(r.v.volumeKey())).stream().map(e -> e.location().substring(Math.max(e.location().lastIndexOf('/'), e.location().lastIndexOf('@')) + 1))
                .filter(n -> !n.endsWith(".json"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(want, onDisk, "what is on disk is what the sidecars say");
    }

    /**
     * A year, simulated in 64 runs (a run on real storage costs a second or more on a busy lab): one a month
     * for eleven months, one a week for six weeks, one a day for nine days, every hour for 30 hours, the
     * server off for a week, then every hour for 8 hours. With the policy below every level prunes, and the
     * week off must cost none of the 16 hourlies before it that the 24 hourly slots still hold.
     */
    static final SnapshotPolicy YEAR_POLICY = SnapshotPolicy.parse("hourly=24 daily=7 weekly=4 monthly=6 yearly=2");

    static List<Instant> aYear(Instant start) {
        List<Instant> at = new ArrayList<>();
        java.time.ZonedDateTime z = start.atZone(java.time.ZoneOffset.UTC);
        for (int m = 0; m < 11; m++) {
            at.add(z.plusMonths(m).toInstant());
        }
        Instant t = z.plusMonths(11).toInstant();
        for (int w = 0; w < 6; w++) {
            at.add(t);
            t = t.plus(Duration.ofDays(7));
        }
        for (int d = 0; d < 9; d++) {
            at.add(t);
            t = t.plus(Duration.ofDays(1));
        }
        for (int h = 0; h < 30; h++) {
            at.add(t);
            t = t.plus(Duration.ofHours(1));
        }
        t = t.plus(Duration.ofDays(7));
        for (int h = 0; h < AFTER_GAP; h++) {
            at.add(t);
            t = t.plus(Duration.ofHours(1));
        }
        return at;
    }

    static final int AFTER_GAP = 8;

    static void simulateAYear(ScratchCluster sc, String label) throws Exception {
        Runner r = new Runner(schedule(sc, YEAR_POLICY));
        try {
            simulate(r, YEAR_POLICY, label);
        } finally {
            forget(r.v);
        }
    }

    static void simulate(Runner r, SnapshotPolicy policy, String label) throws Exception {
        List<Instant> year = aYear(Instant.parse("2025-01-06T00:17:00Z"));
        int gap = year.size() - AFTER_GAP;
        Set<String> beforeGap = null;
        for (int i = 0; i < year.size(); i++) {
            r.ok(year.get(i));
            if (i == gap - 1) {
                beforeGap = r.names();
            }
            if (i % 16 == 0 || i == gap - 1 || i == gap) {
                assertSurvivors(r, policy, Set.of());
            }
        }
        assertSurvivors(r, policy, Set.of());
        // The runs after the week off deleted none of the hourlies before it that the 24 hourly slots still hold.
        List<String> kept = r.taken.subList(gap - (policy.hourly() - AFTER_GAP), gap).stream().map(LocalCatalog::name).toList();
        assertTrue(beforeGap.containsAll(kept) && r.names().containsAll(kept), "hourlies before the week off: " + r.names());
        ScheduleStatus.LastRun last = r.lastRun();
        assertEquals("ok", last.lastOutcome());
        assertNull(last.lastFailure());
        assertEquals(LocalCatalog.name(year.get(year.size() - 1)), last.lastCreated());
        String log = shell.run(RemoteCommand.of("cat", r.cat() + "/schedule/" + r.v.volumeKey() + ".log").asRoot()).stdout();
        assertTrue(log.contains("deleted " + r.v.volumeKey() + "/"), log.substring(0, Math.min(2000, log.length())));
        System.out.printf("[schedule] %s: %d simulated runs (11 monthly, 6 weekly, 9 daily, 30 hourly, a week off, %d hourly)"
                + " in %d ms, %d ms per run; %d snapshots left%n", label, r.runs, AFTER_GAP, r.millis, r.millis / r.runs,
                r.names().size());
    }

    @Test
    void aSimulatedYearOnBtrfsKeepsExactlyThePolicysSnapshots() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "sched")) {
            sc.sql("postgres", "CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g");
            simulateAYear(sc, "btrfs");
        }
    }

    @Test
    void aCloneTheLockAStoppedClusterAndAFullDiskDeleteNothingWronglyAndAreRecorded() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "schedf")) {
            SnapshotPolicy policy = SnapshotPolicy.parse("hourly=2");
            Runner r = new Runner(schedule(sc, policy));
            // Simulated hours that end before the real now, so that the check (on the real clock) sees fresh snapshots.
            Instant t = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(Duration.ofHours(12)).plusSeconds(300);
            try {
                failures(sc, r, policy, t);
            } finally {
                forget(r.v);
            }
        }
    }

    static void failures(ScratchCluster sc, Runner r, SnapshotPolicy policy, Instant t) throws Exception {
        {
            for (int h = 0; h < 3; h++) {
                r.ok(t);
                t = t.plus(Duration.ofHours(1));
            }
            String checkCluster = sc.id();

            // A clone of the oldest survivor: the next runs would prune it, but the clone depends on it.
            SnapshotRecord base = r.snapshots().get(0);
            CloneService clones = new CloneService(shell, new Actor("tsadmin", "it", "schedule-it"), null);
            clones.create(r.v.catalog(), base.id(), "sched-" + sc.name());
            try {
                r.ok(t);
                t = t.plus(Duration.ofHours(1));
                r.ok(t);
                t = t.plus(Duration.ofHours(1));
                assertSurvivors(r, policy, Set.of(base.name()));
                RetentionPlan plan = new ScheduleService(shell, null).preview(r.v, null);
                assertEquals(List.of("clone base: sched-" + sc.name()), plan.verdictOf(base.id()).orElseThrow().why());

                // The lock held by a console: the run waits its bounded time, records who holds it, deletes nothing.
                Set<String> before = r.names();
                try (CatalogLock lock = CatalogLock.acquire(r.v.catalog(), new Actor("tsadmin", "alice", "laptop"), "rehearsal")) {
                    CommandResult held = r.run(t.plus(Duration.ofHours(5)));
                    assertEquals(1, held.exitCode());
                }
                assertEquals(before, r.names(), "a run that found the lock held deleted nothing");
                ScheduleStatus.LastRun skipped = r.lastRun();
                assertEquals("skipped", skipped.lastOutcome());
                assertTrue(skipped.lastFailure().why().startsWith("skipped: lock held by tsadmin (alice@laptop) for rehearsal since "),
                        skipped.lastFailure().why());
                LabCli.Run check = LabCli.run("snapshot", "check", "--cluster", checkCluster, "--warn", "1d", "--crit", "2d");
                assertEquals(1, check.code(), check.out() + check.err());
                assertTrue(check.out().startsWith("WARNING: last run failed"), check.out());
                assertTrue(check.out().contains("lock held by tsadmin (alice@laptop)"), check.out());
            } finally {
                clones.destroy(r.v.catalog(), "sched-" + sc.name());
            }

            // A stopped cluster is not a failure: its snapshot is taken all the same (and is consistent).
            sc.pgctlcluster("stop");
            r.ok(t);
            t = t.plus(Duration.ofHours(1));
            ScheduleStatus.LastRun down = r.lastRun();
            assertEquals("ok", down.lastOutcome());
            SnapshotRecord stopped = r.snapshots().get(r.snapshots().size() - 1);
            assertFalse(stopped.online());
            sc.pgctlcluster("start");

            // The filesystem full: the run fails, says why, deletes nothing; the check sees it; space back, all is well.
            Set<String> before = r.names();
            String filler = ScratchCluster.BTRFS + "/fill-" + sc.name();
            try {
                shell.run(RemoteCommand.of("sh", "-c", SETTLE + "fallocate -l \"$(df -B1 --output=avail \"$1\" | tail -n 1)\" \"$2\";"
                        + " dd if=/dev/zero of=\"$2.more\" bs=1M status=none 2>/dev/null; sync; exit 0",
                        "sh", ScratchCluster.BTRFS, filler).asRoot(), Duration.ofMinutes(3));
                CommandResult full = r.run(t.plus(Duration.ofHours(3)));
                assertEquals(1, full.exitCode(), full.stdout() + full.stderr());
            } finally {
                shell.run(RemoteCommand.of("rm", "-f", "--", filler, filler + ".more").asRoot());
                shell.run(RemoteCommand.of("sync").asRoot());
            }
            assertEquals(before, r.names(), "a failed run deleted nothing");
            ScheduleStatus.LastRun failed = r.lastRun();
            assertEquals("failed", failed.lastOutcome(), String.valueOf(failed));
            assertNotNull(failed.lastFailure());
            assertTrue(failed.lastFailure().why().toLowerCase().contains("no space left"), failed.lastFailure().why());
            LabCli.Run check = LabCli.run("snapshot", "check", "--cluster", checkCluster, "--warn", "1d", "--crit", "2d");
            assertEquals(1, check.code(), check.out() + check.err());
            assertTrue(check.out().contains("no space left") || check.out().contains("No space left"), check.out());

            t = t.plus(Duration.ofHours(4));
            r.ok(t);
            assertEquals("ok", r.lastRun().lastOutcome());
            LabCli.Run fine = LabCli.run("snapshot", "check", "--cluster", checkCluster, "--warn", "1d", "--crit", "2d");
            assertEquals(0, fine.code(), fine.out() + fine.err());
            assertTrue(fine.out().startsWith("OK: " + checkCluster + " newest snapshot"), fine.out());

            // The same state from the command line: status, the preview of the next run, and a change unconfirmed.
            LabCli.Run status = LabCli.run("schedule", "status", "--cluster", checkCluster);
            assertEquals(0, status.code(), status.err());
            assertTrue(status.out().startsWith(checkCluster + ": enabled, policy hourly=2"), status.out());
            assertTrue(status.out().contains("last run: ") && status.out().contains(" ok ("), status.out());
            LabCli.Run preview = LabCli.run("--json", "schedule", "preview", "--cluster", checkCluster);
            assertEquals(0, preview.code(), preview.err());
            RetentionPlan next = RetentionPlan.parse(preview.out());
            assertNotNull(next.create());
            assertEquals(r.names().size(), next.snapshots().size());
            LabCli.Run off = LabCli.run("schedule", "disable", "--cluster", checkCluster);
            assertEquals(3, off.code(), off.out() + off.err());
            assertTrue(off.err().contains("enabled=false") && off.err().contains("Nothing was changed"), off.err());
            assertTrue(new ScheduleService(shell, null).status(r.v).enabled(), "without --yes nothing changed");

            // Below the free-space floor the run prunes the oldest prunable snapshots first, never a pinned one or
            // the newest, and says so. (A small cluster's snapshots share nearly all their blocks: deleting them
            // gives back little, so here every prunable one goes and the floor is still not reached.)
            ScheduleService svc = new ScheduleService(shell, null);
            svc.save(r.v, svc.planPolicy(r.v, SnapshotPolicy.parse("hourly=5 floor=60%")));
            SnapshotRecord keep = r.snapshots().get(0);
            new dev.twinshift.storage.SnapshotService(shell, new Actor("tsadmin", "it", "schedule-it"), null)
                    .pin(r.v.catalog(), keep.id(), true);
            try {
                // btrfs's free-space estimate drops by less than what one fallocate takes: fill until it is under 30 %.
                shell.run(RemoteCommand.of("sh", "-c", SETTLE + "n=0; while [ $n -lt 20 ]; do"
                        + " set -- \"$1\" \"$2\" $(df -B1 --output=size,avail \"$1\" | tail -n 1); t=$(($3 / 10 * 3));"
                        + " [ \"$4\" -lt \"$t\" ] && exit 0; fallocate -l $(($4 - t + 1048576)) \"$2.$n\" || exit 1;"
                        + " btrfs filesystem sync \"$1\" >/dev/null 2>&1; n=$((n + 1)); done; exit 1",
                        "sh", ScratchCluster.BTRFS, filler).asRoot(), Duration.ofMinutes(2)).requireSuccess();
                t = t.plus(Duration.ofHours(1));
                r.ok(t);
            } finally {
                shell.run(RemoteCommand.of("sh", "-c", "rm -f -- \"$1\".*", "sh", filler).asRoot());
            }
            Set<String> left = r.names();
            String flog = shell.run(RemoteCommand.of("cat", r.cat() + "/schedule/" + r.v.volumeKey() + ".log").asRoot()).stdout();
            assertEquals(new TreeSet<>(Set.of(keep.name(), LocalCatalog.name(t))), left, "only the pinned and the newest stay: " + flog);
            assertTrue(flog.contains("below the floor of 60%") && flog.contains("free space below floor"), flog);
            assertTrue(flog.contains("every snapshot left is protected or the newest"), flog);
        }
    }

    @Test
    void theCronEntryTakesAScheduledSnapshotWithNoConsole() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "schedc")) {
            ClusterVolume v = schedule(sc, SnapshotPolicy.parse("hourly=5"));
            try {
                cronRuns(v);
            } finally {
                forget(v);
            }
        }
    }

    static void cronRuns(ClusterVolume v) throws Exception {
        {
            ScheduleService s = new ScheduleService(shell, null);
            assertTrue(s.installed().isEmpty(), "no job is installed before the test: " + s.installed());
            ScheduleJob job = s.planInstallEveryMinuteForTestsOnly(List.of(v.catalog().root()));
            assertEquals(ScheduleJob.Scheduler.CRON, job.scheduler(), "the lab has no systemd as PID 1");
            assertTrue(job.catalogs().contains(v.catalog().root()));
            Instant installedAt = Instant.now();
            s.install(job);
            try {
                ScheduleStatus st = s.status(v);
                assertTrue(st.jobInstalled());
                assertNotNull(st.nextRun());
                // Nothing of this process takes part from here on: cron runs the script on its own.
                SnapshotRecord made = null;
                ScheduleStatus.LastRun last = null;
                Instant deadline = Instant.now().plus(Duration.ofSeconds(150));
                while ((made == null || last == null) && Instant.now().isBefore(deadline)) {
                    made = v.catalog().snapshots().stream().filter(x -> x.volume().equals(v.volumeKey())
                            && x.reason() == Reason.SCHEDULED && x.createdAt().isAfter(installedAt)).findFirst().orElse(null);
                    last = s.status(v).lastRun();
                    if (made == null || last == null) {
                        Thread.sleep(2000);
                    }
                }
                assertNotNull(made, "cron took no scheduled snapshot within 150 s");
                assertNotNull(last, "cron's run wrote no status");
                assertEquals("schedule", made.createdBy().workstationUser());
                assertEquals("ok", last.lastOutcome(), String.valueOf(last));
                System.out.printf("[schedule] cron took %s %d s after the job was installed%n", made.name(),
                        Duration.between(installedAt, made.createdAt()).toSeconds());
            } finally {
                s.uninstall();
            }
            assertTrue(s.installed().isEmpty());
            assertFalse(shell.run(RemoteCommand.of("test", "-e", ScheduleJob.CRON_FILE).asRoot()).ok());
        }
    }
}
