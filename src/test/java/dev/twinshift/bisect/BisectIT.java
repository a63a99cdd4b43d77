package dev.twinshift.bisect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.OperationState;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import dev.twinshift.upgrade.CancelRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bisect on the lab: a scratch PostgreSQL 13 cluster with 16 snapshots, a small change between each;
 * after the 11th a table with a regproc column appears (pg_upgrade --check to 15 refuses it) and an
 * order with a negative total (a check query flags it). Each search must name the 11th as the last
 * good and the 12th as the first bad in at most 5 probes, leave no probe clone, and never touch the
 * live cluster.
 */
class BisectIT {
    static final Actor ME = new Actor("tsadmin", "it", "bisect-it");
    static final String FLAG_CHECK = "SELECT NOT EXISTS (SELECT 1 FROM orders WHERE total < 0)";
    static RemoteShell shell;
    static ScratchCluster sc;
    static Catalog catalog;
    static List<SnapshotRecord> snaps = new ArrayList<>();
    static List<String> liveSums;
    static String liveStart;
    static int livePort;
    static long setupMillis;

    @BeforeAll
    static void cluster() throws Exception {
        shell = LabShell.admin(Lab.require());
        long t0 = System.nanoTime();
        sc = ScratchCluster.create(shell, "13", "bs");
        sc.sql("postgres", "CREATE DATABASE app");
        sc.sql("app", "CREATE TABLE orders(id int PRIMARY KEY, total numeric(12,2), note text)");
        SnapshotService snapshots = new SnapshotService(shell, ME, Progress.NONE);
        for (int i = 1; i <= 16; i++) {
            if (i == 12) {
                // Between the 11th and the 12th: the two faults the searches look for.
                sc.sql("app", "CREATE TABLE callbacks(id int PRIMARY KEY, handler regproc)");
                sc.sql("app", "INSERT INTO callbacks VALUES (1, 'now')");
                sc.sql("app", "INSERT INTO orders VALUES (1000, -5, 'refund booked as an order')");
            }
            sc.sql("app", "INSERT INTO orders SELECT g, g * 1.5, 'step " + i + "' FROM generate_series(" + (i * 10)
                    + ", " + (i * 10 + 9) + ") g");
            snaps.add(snapshots.create(sc.cluster(), Reason.MANUAL, String.format("step%02d", i)));
        }
        catalog = snapshots.volumeOf(sc.cluster()).catalog();
        liveSums = ScratchCluster.checksums(sc.psql(), "app");
        liveStart = sc.psql().value("postgres", "SELECT pg_postmaster_start_time()");
        livePort = sc.cluster().port();
        setupMillis = (System.nanoTime() - t0) / 1_000_000;
        System.err.println("[bisect-it] scratch cluster and 16 snapshots in " + setupMillis + " ms");
    }

    @AfterAll
    static void drop() throws Exception {
        if (sc == null) {
            return;
        }
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        for (CloneRecord c : clones.list(catalog)) {
            if (sc.id().equals(c.cluster())) {
                clones.destroy(catalog, c.name());
            }
        }
        // The bisects' journals, results and the rehearsals' folders of this cluster.
        shell.run(RemoteCommand.of("sh", "-c", """
                rm -rf "$1"/journal/*-bisect-"$2".jsonl "$1"/journal/*-preflight-13-"$3"-*.jsonl "$1"/upgrades/*-preflight-13-"$3"-*
                grep -l "\\"cluster\\" : \\"$4\\"" "$1"/bisect/*.json 2>/dev/null | xargs -r rm -f
                """, "sh", catalog.root(), sc.id().replace('/', '-'), sc.name(), sc.id()).asRoot());
        sc.close();
    }

    @AfterEach
    void noProbeCloneLeftAndLiveUntouched() throws Exception {
        List<String> left = catalog.clones().stream().map(CloneRecord::name)
                .filter(n -> n.startsWith(BisectRuns.CLONE_PREFIX)).toList();
        assertEquals(List.of(), left, "every probe clone is destroyed");
        PgCluster live = sc.cluster();
        assertTrue(live.running(), "live still runs");
        assertEquals(livePort, live.port());
        assertEquals(liveStart, sc.psql().value("postgres", "SELECT pg_postmaster_start_time()"), "live never restarted");
        assertEquals(liveSums, ScratchCluster.checksums(sc.psql(), "app"), "live's data unchanged");
    }

    static BisectResult bisect(BisectService.Request req, List<String> lines) throws Exception {
        long t0 = System.nanoTime();
        BisectResult r = new BisectService(shell, ME, lines::add).run(req);
        System.err.println("[bisect-it] " + req.check().describe() + ": " + r.outcome() + " in " + r.probes().size()
                + " probes, " + (System.nanoTime() - t0) / 1_000_000 + " ms; per probe "
                + r.probes().stream().map(p -> p.millis() + " ms").toList());
        return r;
    }

    @Test
    void pgUpgradeCheckToFifteenFindsTheRegprocColumnAndTheReportNamesIt() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        BisectResult r = bisect(BisectService.Request.of(sc.id(), new BisectCheck.UpgradeCheck("15")), lines);

        assertEquals(BisectSearch.Outcome.FOUND, r.outcome(), r.message() + "\n" + String.join("\n", lines));
        assertEquals(snaps.get(10).id(), r.lastGood(), "the 11th");
        assertEquals(snaps.get(11).id(), r.firstBad(), "the 12th");
        assertTrue(r.probes().size() <= 5, r.probes().size() + " probes: " + r.probes());
        Probe bad = r.probes().stream().filter(p -> p.snapshot().equals(r.firstBad())).findFirst().orElseThrow();
        assertTrue(bad.excerpt().contains("reg*") || bad.excerpt().toLowerCase().contains("regproc"), bad.excerpt());
        assertNotNull(r.changes(), "what changed is reported");
        String md = r.changes().markdown();
        assertTrue(md.contains("`public.callbacks.handler`") && md.contains("regproc"), md);
        assertTrue(md.contains("| app | added | relation | `public.callbacks` |"), md);

        OperationState st = OperationState.read(new Journal(shell, catalog, r.operation()));
        assertEquals("COMPLETED", st.outcome());
        assertEquals(r.probes().size(), st.steps().keySet().stream().filter(s -> s.startsWith("probe-")).count(),
                "one journal entry per probe");
        assertEquals(r, BisectStore.latest(catalog, sc.id()).orElseThrow(), "the result is saved for every console");
    }

    @Test
    void aFlaggedRowIsFoundFromTheCommandLineWithTwoProbesARound() throws Exception {
        LabCli.Run run = LabCli.run("--json", "bisect", "--cluster", sc.id(), "--sql", FLAG_CHECK, "--database", "app",
                "--parallel", "2");
        assertEquals(0, run.code(), run.err());
        BisectResult r = BisectStore.parse(run.out());
        assertEquals(snaps.get(10).id(), r.lastGood(), run.err());
        assertEquals(snaps.get(11).id(), r.firstBad());
        assertTrue(r.rounds() <= 4, r.rounds() + " rounds of up to 2 probes: " + r.probes());
        assertTrue(r.probes().stream().allMatch(p -> p.verdict() == Verdict.GOOD || p.verdict() == Verdict.BAD), r.probes().toString());
        assertEquals(Verdict.BAD, r.verdictOf(snaps.get(15).id()).orElseThrow(), "the newest is verified");
        assertTrue(r.snapshots().stream().anyMatch(m -> m.role() == BisectResult.Role.LAST_GOOD
                && m.snapshot().equals(snaps.get(10).id())));
        assertTrue(r.changes().markdown().contains("`public.orders`"), "the row counts changed: " + r.changes().markdown());

        LabCli.Run status = LabCli.run("bisect", "status", "--cluster", sc.id());
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains(r.operation()) && status.out().contains("COMPLETED"), status.out());
    }

    @Test
    void aCheckWithAnSqlSyntaxErrorIsAnErrorNotABadSnapshot() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        BisectResult r = bisect(BisectService.Request.of(sc.id(), new BisectCheck.SqlTrue("app", "SELEC true")), lines);
        assertEquals(BisectSearch.Outcome.ERROR, r.outcome());
        assertEquals(1, r.probes().size(), "the first error stops the search");
        assertEquals(Verdict.ERROR, r.probes().get(0).verdict());
        assertTrue(r.message().contains("syntax error") && r.message().contains("not taken as bad"), r.message());
        assertEquals(null, r.firstBad());
        assertTrue(r.snapshots().stream().noneMatch(m -> m.verdict() == Verdict.BAD));
    }

    @Test
    void aRangeWithoutABadSnapshotSaysSoAfterOneProbe() throws Exception {
        BisectResult r = bisect(new BisectService.Request(sc.id(), snaps.get(0).name(), snaps.get(10).name(),
                new BisectCheck.SqlTrue("app", FLAG_CHECK), BisectMode.BINARY, 1, false, true), new ArrayList<>());
        assertEquals(BisectSearch.Outcome.NO_BAD, r.outcome());
        assertEquals(1, r.probes().size());
        assertTrue(r.message().startsWith("no bad snapshot in the range"), r.message());
        assertEquals(11, r.snapshots().size());

        BisectResult none = bisect(new BisectService.Request(sc.id(), snaps.get(11).name(), snaps.get(12).name(),
                new BisectCheck.SqlTrue("app", FLAG_CHECK), BisectMode.BINARY, 1, false, true), new ArrayList<>());
        assertEquals(BisectSearch.Outcome.NO_GOOD, none.outcome(), none.message());
        assertTrue(none.message().startsWith("no good snapshot in the range"), none.message());
    }

    @Test
    void scanAllProbesEverySnapshotOfTheRangeThreeAtATime() throws Exception {
        BisectResult r = bisect(new BisectService.Request(sc.id(), snaps.get(8).name(), snaps.get(13).name(),
                new BisectCheck.SqlTrue("app", FLAG_CHECK), BisectMode.SCAN_ALL, 3, false, false), new ArrayList<>());
        assertEquals(BisectSearch.Outcome.FOUND, r.outcome(), r.message());
        assertEquals(6, r.probes().size(), "every snapshot of the range");
        assertTrue(r.snapshots().stream().allMatch(m -> m.verdict() != null));
        assertEquals(snaps.get(10).id(), r.lastGood());
        assertEquals(snaps.get(11).id(), r.firstBad());
        assertEquals(null, r.changes(), "not asked for");
    }

    @Test
    void cancelStopsTheRunningCheckAndDestroysTheProbeClone() throws Exception {
        CancelRequest cancel = new CancelRequest();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        BisectListener l = m -> {
            lines.add(m);
            if (m.contains("accepts connections")) {
                cancel.request("the test");
            }
        };
        long t0 = System.nanoTime();
        CompletableFuture<BisectResult> f = CompletableFuture.supplyAsync(() -> {
            try {
                return new BisectService(shell, ME, l, cancel).run(BisectService.Request.of(sc.id(),
                        new BisectCheck.Command(List.of("sleep", "120"))));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        BisectResult r = f.get(100, TimeUnit.SECONDS);
        assertTrue((System.nanoTime() - t0) / 1_000_000_000 < 90, "the sleeping check was stopped, not waited out");
        assertEquals(BisectSearch.Outcome.CANCELLED, r.outcome(), String.join("\n", lines));
        assertTrue(r.message().contains("every probe clone was destroyed"), r.message());
        assertEquals("CANCELLED", OperationState.read(new Journal(shell, catalog, r.operation())).outcome());
    }

    @Test
    void probeClonesOfAnInterruptedBisectAreFoundAndCleanedAndARunningOnesAreNot() throws Exception {
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        String deadStamp = "20250101T000000Z";
        String dead = BisectRuns.CLONE_PREFIX + deadStamp + "-p03";
        // A bisect whose console died: a journal naming a process that is gone, then its probe clone.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Map<String, String> deadPlan = new java.util.HashMap<>(BisectRuns.liveness());
        deadPlan.put("cluster", sc.id());
        deadPlan.put("pid", Long.toString(gone.pid()));
        deadPlan.remove("processStart");
        new Journal(shell, catalog, BisectRuns.operation(deadStamp, sc.id())).append(JournalEntry.plan(ME, "bisect", deadPlan));
        clones.create(catalog, snaps.get(3).id(), dead);
        // And one whose console is this very test process: it runs, its clone stays.
        String liveStamp = "20250101T000001Z";
        String running = BisectRuns.CLONE_PREFIX + liveStamp + "-p04";
        Map<String, String> me = new java.util.HashMap<>(BisectRuns.liveness());
        me.put("cluster", sc.id());
        new Journal(shell, catalog, BisectRuns.operation(liveStamp, sc.id())).append(JournalEntry.plan(ME, "bisect", me));
        clones.create(catalog, snaps.get(4).id(), running);
        try {
            assertEquals(List.of(dead), BisectRuns.leftovers(shell, catalog, sc.id()).stream().map(CloneRecord::name).toList());
            LabCli.Run dry = LabCli.run("bisect", "clean", "--cluster", sc.id());
            assertTrue(dry.out().contains("would destroy 1 probe clone") && dry.out().contains(dead), dry.out());
            assertTrue(catalog.clone(dead).isPresent(), "nothing removed without --yes");
            LabCli.Run yes = LabCli.run("bisect", "clean", "--cluster", sc.id(), "--yes");
            assertEquals(0, yes.code(), yes.err());
            assertTrue(catalog.clone(dead).isEmpty());
            assertTrue(catalog.clone(running).isPresent(), "a running bisect's clone is not touched");
        } finally {
            if (catalog.clone(running).isPresent()) {
                clones.destroy(catalog, running);
            }
            if (catalog.clone(dead).isPresent()) {
                clones.destroy(catalog, dead);
            }
            shell.run(RemoteCommand.of("rm", "-f", "--", Journal.directory(catalog) + "/" + BisectRuns.operation(deadStamp,
                    sc.id()) + ".jsonl", Journal.directory(catalog) + "/" + BisectRuns.operation(liveStamp, sc.id())
                    + ".jsonl").asRoot());
        }
    }
}
