package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshConnection;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.SnapshotService;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real PostgreSQL 13 -> 15 cutovers of scratch clusters on btrfs: success, injected failure, lost connection. */
public class CutoverIT {
    /** The lab's shell; other lab tests that reuse {@link #scratch} and {@link #cleanUp} set it. */
    public static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "cutover-it");
    /**
     * These tests are of the cutover's steps, not of the readiness rule (CutoverReadinessTest and
     * UpgradeReadinessIT): they go ahead by the explicit override instead of rehearsing each time.
     */
    static final boolean WITHOUT_REHEARSAL = true;

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    /** A scratch 13 cluster with pgbench tables and a table of every-day types. */
    public static ScratchCluster scratch(String prefix) throws Exception {
        ScratchCluster sc = ScratchCluster.create(shell, "13", prefix);
        PgCluster c = sc.cluster();
        shell.run(RemoteCommand.of("/usr/lib/postgresql/13/bin/pgbench", "-i", "-q", "-s", "2", "-h", c.socketDirectory(),
                "-p", Integer.toString(c.port()), "postgres").asUser("postgres"), Duration.ofMinutes(5)).requireSuccess();
        sc.sql("postgres", "CREATE TABLE notes(id serial PRIMARY KEY, body text, at timestamptz DEFAULT now(),"
                + " tags text[], doc jsonb)");
        sc.sql("postgres", "INSERT INTO notes(body, tags, doc) SELECT 'note ' || g, ARRAY['a', 'b' || g],"
                + " jsonb_build_object('n', g) FROM generate_series(1, 3000) g");
        sc.sql("postgres", "CREATE DATABASE app");
        sc.sql("app", "CREATE TABLE orders(id bigint PRIMARY KEY, total numeric(12,2))");
        sc.sql("app", "INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 2000) g");
        return sc;
    }

    static UpgradePlan plan(ScratchCluster sc) throws Exception {
        UpgradePlanner.Result r = new Upgrades(shell).plan(sc.cluster(), "15", null);
        assertTrue(r.ok(), String.valueOf(r.refusals()));
        return r.plan();
    }

    static List<String> checksums(Psql psql) throws Exception {
        List<String> all = new ArrayList<>(ScratchCluster.checksums(psql, "postgres"));
        all.addAll(ScratchCluster.checksums(psql, "app"));
        return all;
    }

    /** Removes what an upgrade of the scratch cluster made besides the cluster itself. */
    public static void cleanUp(UpgradePlan p) throws Exception {
        // A test that failed half-way may leave its upgrade's lock behind; no other upgrade may stay blocked by it.
        Catalog cat = UpgradeWorkspace.catalogOf(shell, p);
        if (dev.twinshift.storage.CatalogLock.holder(cat).map(o -> o.operation().equals(UpgradeWorkspace.lockName(p.operation())))
                .orElse(false)) {
            dev.twinshift.storage.CatalogLock.breakLock(cat);
        }
        shell.run(RemoteCommand.of("pg_dropcluster", "--stop", p.newVersion(), p.newName()).asRoot(), Duration.ofMinutes(2));
        shell.run(RemoteCommand.of("sh", "-c", """
                [ -e "$1" ] && { btrfs subvolume delete "$1" >/dev/null 2>&1 || rm -rf "$1"; }
                exit 0""", "sh", p.newDataDirectory()).asRoot());
        dropKeptWrites(cat, p.operation());
        removeOperation(new Catalog(shell, p.catalogFilesystem()), p.operation());
    }

    /**
     * The pinned snapshot of the new cluster's writes that a rollback after the hand-over keeps: it belongs to
     * the new cluster's volume, which the scratch cluster's own clean-up does not know of.
     */
    public static void dropKeptWrites(Catalog cat, String operation) throws Exception {
        String kept = UpgradeState.of(operation, new Journal(shell, cat, operation).read()).data().get("newWritesSnapshot");
        if (kept != null && cat.snapshot(kept).isPresent()) {
            SnapshotService snaps = new SnapshotService(shell, ME, Progress.NONE);
            snaps.pin(cat, kept, false);
            snaps.delete(cat, kept);
        }
    }

    /** An operation's folder and journal (a preflight's, a rehearsal's or an upgrade's). */
    public static void removeOperation(Catalog cat, String operation) throws Exception {
        shell.run(RemoteCommand.of("sh", "-c", "rm -rf \"$1/upgrades/$2\" \"$1/journal/$2.jsonl\"", "sh", cat.root(),
                operation).asRoot());
    }

    /**
     * Everything the wizard or the engine made for a scratch cluster on the lab's btrfs, whatever step
     * a test stopped at: its clones, the new cluster of an upgrade, every operation's journal. Throws
     * LockedException while another test's operation holds the catalog; the caller waits and retries.
     */
    public static void cleanUpAllOf(ScratchCluster sc, Actor who) throws Exception {
        Catalog cat = new Catalog(shell, ScratchCluster.BTRFS);
        CloneService clones = new CloneService(shell, who, Progress.NONE);
        for (var c : clones.list(cat)) {
            if (sc.id().equals(c.cluster())) {
                clones.destroy(cat, c.name());
            }
        }
        for (UpgradeState s : new Upgrades(shell).journaled(cat)) {
            if (s.plan() == null || !s.plan().oldId().equals(sc.id())) {
                continue;
            }
            if (s.operation().contains("-upgrade-")) {
                cleanUp(s.plan());
            } else {
                removeOperation(cat, s.operation());
            }
        }
    }

    static UpgradeState journal(UpgradePlan p) throws Exception {
        Catalog cat = UpgradeWorkspace.catalogOf(shell, p);
        return UpgradeState.of(p.operation(), new Journal(shell, cat, p.operation()).read());
    }

    /** The checksums of every table as the pre-upgrade snapshot holds them, read from a clone of it. */
    static List<String> snapshotChecksums(UpgradePlan p, String snapshotId) throws Exception {
        Catalog cat = UpgradeWorkspace.catalogOf(shell, p);
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        String name = "chk-" + p.oldName();
        CloneRecord c = clones.create(cat, snapshotId, name);
        try {
            c = clones.start(cat, name);
            return checksums(new dev.twinshift.postgres.CloneServer(shell).psql(clones.spec(cat, c)));
        } finally {
            clones.destroy(cat, name);
        }
    }

    static void assertServesAs(String major, int port, PgCluster c) throws Exception {
        assertEquals(port, c.port());
        assertTrue(c.running(), c.id() + " runs");
        assertEquals(major, Psql.forCluster(shell, c).value("postgres", "SELECT current_setting('server_version_num')::int / 10000"));
    }

    @Test
    void cutoverUnderPgbenchServesVersion15OnTheOldPortWithTheSnapshotsData() throws Exception {
        try (ScratchCluster sc = scratch("upok")) {
            UpgradePlan p = plan(sc);
            assertEquals(UpgradeMethod.CLONE, p.method(), "btrfs has reflinks");
            int port = sc.cluster().port();
            PgCluster c = sc.cluster();
            // pgbench writes until the cutover stops the cluster under it.
            CompletableFuture<Void> pgbench = CompletableFuture.runAsync(() -> {
                try {
                    shell.run(RemoteCommand.of("/usr/lib/postgresql/13/bin/pgbench", "-n", "-c", "2", "-T", "600",
                            "-h", c.socketDirectory(), "-p", Integer.toString(port), "postgres").asUser("postgres"),
                            Duration.ofMinutes(11));
                } catch (SshException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                Thread.sleep(3000);
                assertTrue(Integer.parseInt(sc.psql().value("postgres", "SELECT count(*) FROM pgbench_history")) > 0,
                        "pgbench is writing");
                List<String> steps = Collections.synchronizedList(new ArrayList<>());
                List<String> log = Collections.synchronizedList(new ArrayList<>());
                UpgradeState done = new Cutover(shell, ME, new UpgradeListener() {
                    @Override
                    public void step(String step, String state, String message) {
                        steps.add(step + ":" + state);
                    }

                    @Override
                    public void log(String line) {
                        log.add(line);
                    }
                }, new Cutover.Options(Duration.ofSeconds(1), true)).run(p, WITHOUT_REHEARSAL);

                assertEquals(UpgradeState.COMPLETED, done.outcome(), String.join("\n", log));
                pgbench.get(2, TimeUnit.MINUTES);
                for (String s : Cutover.STEPS) {
                    assertTrue(steps.contains(s + ":DONE"), s + " done: " + steps);
                }
                assertTrue(log.stream().anyMatch(l -> l.contains("Upgrade Complete")), "pg_upgrade's log streamed");
                long downtime = Long.parseLong(done.data().get("downtimeMillis"));
                assertTrue(downtime > 0 && downtime < 120_000, "downtime measured: " + downtime);

                ClusterDiscovery d = new ClusterDiscovery(shell);
                assertServesAs("15", port, d.find(p.newId()));
                PgCluster old = d.find(p.oldId());
                assertFalse(old.running(), "the old cluster stays stopped");
                assertEquals("manual", shell.check(RemoteCommand.of("cat", p.oldConfigDirectory() + "/start.conf").asRoot())
                        .stdout().strip().lines().filter(l -> !l.startsWith("#")).reduce((a, b) -> b).orElse(""));

                String snapshot = done.data().get("snapshot");
                SnapshotRecord snap = UpgradeWorkspace.catalogOf(shell, p).snapshot(snapshot).orElseThrow();
                assertEquals(Reason.PRE_UPGRADE, snap.reason());
                assertTrue(snap.pinned(), "the pre-upgrade snapshot is pinned");
                assertEquals(snapshotChecksums(p, snapshot), checksums(Psql.forCluster(shell, d.find(p.newId()))),
                        "every table of the new cluster equals the pre-upgrade snapshot's");
                assertFalse(new Upgrades(shell).unfinished(UpgradeWorkspace.catalogOf(shell, p), p.oldId()).stream()
                        .anyMatch(s -> s.operation().equals(p.operation())), "a completed upgrade is not offered for resume");
            } finally {
                pgbench.cancel(true);
                cleanUp(p);
            }
        }
    }

    @Test
    void newClusterRefusingToStartRollsBackByItself() throws Exception {
        try (ScratchCluster sc = scratch("upfail")) {
            UpgradePlan p = plan(sc);
            int port = sc.cluster().port();
            List<String> before = checksums(sc.psql());
            try {
                UpgradeListener breakNewConfig = new UpgradeListener() {
                    @Override
                    public void step(String step, String state, String message) {
                        if (step.equals(Cutover.PG_UPGRADE) && state.equals(UpgradeState.DONE)) {
                            try {
                                shell.run(RemoteCommand.of("sh", "-c", "echo \"shared_preload_libraries = 'twinshift_absent'\""
                                        + " >> \"$1\"", "sh", p.newConfigDirectory() + "/postgresql.conf").asRoot())
                                        .requireSuccess();
                            } catch (SshException | InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }

                    @Override
                    public void log(String line) {
                    }
                };
                UpgradeException e = assertThrows(UpgradeException.class,
                        () -> new Cutover(shell, ME, breakNewConfig, new Cutover.Options(Duration.ZERO, false)).run(p,
                                WITHOUT_REHEARSAL));
                assertTrue(e.getMessage().contains(Cutover.START_NEW) && e.getMessage().contains("rolled back"), e.getMessage());

                UpgradeState st = journal(p);
                assertEquals(UpgradeState.ROLLED_BACK, st.outcome());
                assertEquals(UpgradeState.FAILED, st.steps().get(Cutover.START_NEW));
                ClusterDiscovery d = new ClusterDiscovery(shell);
                assertFalse(d.listClusters().stream().anyMatch(c -> c.id().equals(p.newId())), "the new cluster is dropped");
                assertServesAs("13", port, d.find(p.oldId()));
                assertEquals(before, checksums(sc.psql()), "the old cluster has its data");
                assertFalse(st.unfinished());
            } finally {
                cleanUp(p);
            }
        }
    }

    @Test
    void connectionLostDuringPgUpgradeThenResumeFromANewConnection() throws Exception {
        lostConnection("upres", true);
    }

    @Test
    void connectionLostDuringPgUpgradeThenRollBackFromANewConnection() throws Exception {
        lostConnection("uprb", false);
    }

    private void lostConnection(String prefix, boolean resume) throws Exception {
        try (ScratchCluster sc = scratch(prefix)) {
            UpgradePlan p = plan(sc);
            int port = sc.cluster().port();
            List<String> before = checksums(sc.psql());
            SshConnection first = LabShell.fresh(Lab.require().admin());
            Catalog cat = UpgradeWorkspace.catalogOf(shell, p);
            String jobLog = UpgradeWorkspace.workDir(cat, p.operation()) + "/pg_upgrade/log";
            AtomicBoolean cut = new AtomicBoolean();
            try {
                UpgradeListener cutWhenPgUpgradeWrites = new UpgradeListener() {
                    @Override
                    public void step(String step, String state, String message) {
                        if (step.equals(Cutover.PG_UPGRADE) && state.equals(UpgradeState.STARTED)) {
                            CompletableFuture.runAsync(() -> {
                                try {
                                    // Cut once pg_upgrade is busy (it has written its first checks).
                                    while (!shell.run(RemoteCommand.of("test", "-s", jobLog).asRoot()).ok()) {
                                        Thread.sleep(20);
                                    }
                                    cut.set(true);
                                    first.close();
                                } catch (SshException | InterruptedException e) {
                                    throw new IllegalStateException(e);
                                }
                            });
                        }
                    }

                    @Override
                    public void log(String line) {
                    }
                };
                SshException lost = assertThrows(SshException.class,
                        () -> new Cutover(first, ME, cutWhenPgUpgradeWrites, new Cutover.Options(Duration.ZERO, false))
                                .run(p, WITHOUT_REHEARSAL));
                assertTrue(cut.get());
                // Cut from this side, the command in flight reports the connection closed under it.
                assertTrue(lost.kind() == SshException.Kind.CONNECTION_LOST || lost.kind() == SshException.Kind.CANCELLED,
                        lost.kind() + ": " + lost.getMessage());

                // Another console, another connection: it finds the journal and where it stopped.
                List<UpgradeState> pending = new Upgrades(shell).unfinished(cat, p.oldId());
                UpgradeState st = pending.stream().filter(s -> s.operation().equals(p.operation())).findFirst().orElseThrow();
                assertEquals(Cutover.PG_UPGRADE, st.interruptedStep().orElseThrow(), st.describe());
                assertTrue(st.describe().contains("during pg_upgrade"), st.describe());

                // The first console's process is alive (it is this one), so its lease must run out before
                // another console may take over: bounded, the lease is 30 s.
                long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (dev.twinshift.storage.CatalogLock.holder(cat).map(o -> dev.twinshift.storage.CatalogLock.judge(o)
                        .alive()).orElse(false)) {
                    assertTrue(System.nanoTime() < until, "the lost console's lease never ran out");
                    Thread.sleep(500);
                }
                Cutover second = new Cutover(shell, new Actor("tsadmin", "it", "second-console"), UpgradeListener.NONE,
                        new Cutover.Options(Duration.ZERO, false));
                ClusterDiscovery d = new ClusterDiscovery(shell);
                if (resume) {
                    UpgradeState end = second.resume(cat, p.operation());
                    assertEquals(UpgradeState.COMPLETED, end.outcome());
                    assertServesAs("15", port, d.find(p.newId()));
                    assertEquals(before, checksums(Psql.forCluster(shell, d.find(p.newId()))));
                    String sock = end.data().get("pgUpgradeSocketDir");
                    assertTrue(sock != null && sock.startsWith("/tmp/twinshift-upgrade-"), "journaled: " + end.data());
                    assertFalse(shell.run(RemoteCommand.of("test", "-e", sock).asRoot()).ok(),
                            "the console that reattached removed pg_upgrade's socket directory");
                } else {
                    UpgradeState end = new CutoverRollback(shell, new Actor("tsadmin", "it", "second-console"), UpgradeListener.NONE)
                            .rollback(cat, p.operation());
                    assertEquals(UpgradeState.ROLLED_BACK, end.outcome());
                    assertFalse(d.listClusters().stream().anyMatch(c -> c.id().equals(p.newId())));
                    assertServesAs("13", port, d.find(p.oldId()));
                    assertEquals(before, checksums(sc.psql()));
                    // The old cluster takes writes again.
                    sc.sql("postgres", "INSERT INTO notes(body) VALUES ('after rollback')");
                }
                assertTrue(dev.twinshift.storage.CatalogLock.holder(cat).isEmpty(), "the lock is released");
            } finally {
                first.close();
                cleanUp(p);
            }
        }
    }

    @Test
    void detachedJobOutlivesItsConnection() throws Exception {
        Catalog cat = new Catalog(shell, ScratchCluster.BTRFS);
        String dir = cat.root() + "/upgrades/job-it-" + System.nanoTime();
        SshConnection first = LabShell.fresh(Lab.require().admin());
        try {
            dev.twinshift.ssh.DetachedJob.start(first, dir, RemoteCommand.of("sh", "-c",
                    "for i in 1 2 3 4 5; do echo line $i; sleep 0.4; done; exit 7").asUser("postgres"));
            first.close();
            List<String> lines = new ArrayList<>();
            dev.twinshift.ssh.DetachedJob.Status s = new dev.twinshift.ssh.DetachedJob(shell, dir)
                    .follow(0, (st, l) -> lines.add(l), Duration.ofMillis(100));
            assertEquals(dev.twinshift.ssh.DetachedJob.State.EXITED, s.state());
            assertEquals(7, s.exitCode());
            assertEquals(List.of("line 1", "line 2", "line 3", "line 4", "line 5"), lines);
        } finally {
            shell.run(RemoteCommand.of("rm", "-rf", "--", dir).asRoot(), ExecOptions.defaults(), LineListener.IGNORE);
        }
    }
}
