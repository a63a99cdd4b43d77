package dev.twinshift.ui.timeline;

import static dev.twinshift.ui.timeline.TimelineFixtures.PARIS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.bisect.BisectCheck;
import dev.twinshift.bisect.BisectMode;
import dev.twinshift.bisect.BisectResult;
import dev.twinshift.bisect.BisectService;
import dev.twinshift.bisect.BisectStore;
import dev.twinshift.bisect.Probe;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.tasks.CurrentThreadTaskExecutor;
import dev.twinshift.ui.tasks.ManualTaskExecutor;
import dev.twinshift.ui.tasks.TaskCancel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A saved bisect result on the timeline: its marks, loading it with the cluster, a run as a task, the dialog's rules. */
class BisectTimelineTest {
    static final Instant NEWEST = Instant.parse("2026-11-30T14:00:00Z");

    private final List<SnapshotRecord> snaps = new ArrayList<>(TimelineFixtures.hourly(6, NEWEST));
    private final ManualTaskExecutor clusterTasks = new ManualTaskExecutor();
    private final ClusterViewModel cluster = TimelineFixtures.showing(clusterTasks, snaps, List.of());

    /** The result a bisect of these six hourlies saved: pg_upgrade --check to 15 fails from 12:00 UTC on. */
    static BisectResult sample() {
        try (InputStream in = BisectTimelineTest.class.getResourceAsStream("bisect-found.json")) {
            return BisectStore.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everySnapshotOfTheRangeGetsItsVerdictAndTheProbesWords() {
        TimelineViewModel m = new TimelineViewModel(cluster, new CurrentThreadTaskExecutor(), PARIS);
        BisectMarks b = BisectResults.marks(sample(), m::formatTime);
        assertEquals("pg_upgrade --check to 15", b.title());
        assertEquals("13-main/20261130T110000Z", b.lastGoodId());
        assertEquals("13-main/20261130T120000Z", b.firstBadId());
        Map<String, TimelineMark> byId = b.byId();
        assertEquals(6, byId.size());
        assertEquals(TimelineMark.Kind.UNTESTED, byId.get("13-main/20261130T090000Z").kind());
        assertEquals("not probed", byId.get("13-main/20261130T090000Z").text());
        assertEquals(TimelineMark.Kind.GOOD, byId.get("13-main/20261130T100000Z").kind());
        assertEquals(TimelineMark.Kind.UNTESTED, byId.get("13-main/20261130T130000Z").kind());
        TimelineMark newest = byId.get("13-main/20261130T140000Z");
        assertEquals(TimelineMark.Kind.BAD, newest.kind());
        String[] lines = newest.text().split("\n");
        assertEquals("bad · probe of round 1, 15.2 s, 2026-11-30 16:00:15 CET", lines[0], "verdict, round, time, when (Paris)");
        assertEquals("Checking for reg* data types in user tables  fatal", lines[1], "the output follows");
    }

    @Test
    void whenTheFixIsSearchedTheGoodLineIsOnTheFirstGood() {
        BisectResult r = sample();
        BisectResult fixed = new BisectResult(r.id(), r.operation(), r.server(), r.cluster(), r.check(), r.mode(), r.parallel(), true,
                r.startedAt(), r.endedAt(), r.snapshots(), r.probes(), r.outcome(), null, null, "13-main/20261130T110000Z",
                "13-main/20261130T120000Z", r.undecided(), r.message(), r.notes(), r.rounds(), r.changes());
        BisectMarks b = BisectResults.marks(fixed, Instant::toString);
        assertEquals("13-main/20261130T120000Z", b.lastGoodId());
        assertEquals("13-main/20261130T110000Z", b.firstBadId());
    }

    @Test
    void theSavedResultIsReadWithTheClusterAndAgainOnEveryRefresh() {
        List<String> asked = new ArrayList<>();
        TimelineViewModel m = new TimelineViewModel(cluster, new CurrentThreadTaskExecutor(), PARIS);
        assertEquals(BisectMarks.NONE, m.bisectProperty().get());
        m.setBisect(t -> {
            asked.add(t.cluster().id());
            return Optional.of(sample());
        }, null);
        assertEquals(List.of("13/main"), asked);
        assertEquals("13-main/20261130T120000Z", m.bisectProperty().get().firstBadId());
        assertEquals(6, m.bisectProperty().get().marks().size());
        assertTrue(m.bisectStatusProperty().get().startsWith("pg_upgrade --check to 15 — FOUND: last good"), m.bisectStatusProperty().get());

        cluster.refresh();
        assertEquals(1, clusterTasks.pending().size(), "the cluster view re-reads the server");
        clusterTasks.run(0);
        assertEquals(List.of("13/main", "13/main"), asked, "its refresh reads the saved result again");
    }

    @Test
    void aClusterWithoutSavedResultShowsNoMarksAndAFailedReadSaysWhy() {
        TimelineViewModel m = new TimelineViewModel(cluster, new CurrentThreadTaskExecutor(), PARIS);
        m.showBisect(BisectResults.marks(sample(), Instant::toString));
        m.setBisect(t -> Optional.empty(), null);
        assertEquals(BisectMarks.NONE, m.bisectProperty().get());
        m.setBisect(t -> {
            throw new IllegalStateException("not a bisect result: Unexpected end-of-input");
        }, null);
        assertEquals("Saved bisect results could not be read: not a bisect result: Unexpected end-of-input",
                m.bisectStatusProperty().get());
    }

    @Test
    void aRunIsATaskWhoseCancelDestroysTheProbeClonesAndItsProbesShowAsTheyComeBack() throws Exception {
        ManualTaskExecutor tasks = new ManualTaskExecutor();
        TimelineViewModel m = new TimelineViewModel(cluster, tasks, PARIS);
        BisectResult saved = sample();
        List<BisectMarks> seen = new ArrayList<>();
        List<BisectResult> done = new ArrayList<>();
        m.bisectProperty().addListener((o, a, b) -> seen.add(b));
        m.setBisect(null, (t, req, listener, cancel) -> {
            assertEquals("13/main", t.cluster().id());
            assertEquals(new BisectCheck.UpgradeCheck("15"), req.check());
            for (Probe p : saved.probes()) {
                listener.probe(p);
            }
            return saved;
        });
        BisectService.Request req = new BisectForm(BisectForm.Check.UPGRADE_CHECK, "", "", " 15 ", "", null, null, false, 1)
                .toRequest("13/main", snaps);
        m.runBisect(req, done::add);
        assertTrue(m.bisectRunningProperty().get());
        assertEquals(1, tasks.pending().size());
        TaskCancel.Offer offer = tasks.pending().get(0).cancelPolicy().offer();
        assertTrue(offer.enabled());
        assertTrue(offer.text().contains("destroys the probe clones"), offer.text());
        assertEquals("Bisect 13/main: pg_upgrade --check to 15", tasks.pending().get(0).title());

        tasks.run(0);
        assertFalse(m.bisectRunningProperty().get());
        assertEquals(List.of(saved), done);
        assertEquals(1, seen.get(0).marks().size(), "the first probe shows before the search ends");
        assertEquals(TimelineMark.Kind.BAD, seen.get(0).marks().get(0).kind());
        BisectMarks end = m.bisectProperty().get();
        assertEquals("13-main/20261130T110000Z", end.lastGoodId());
        assertEquals(6, end.marks().size());
        assertEquals(saved, m.bisectResultProperty().get());
    }

    @Test
    void theDialogsInputIsRefusedWithTheSameWordsAsTheCli() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BisectForm(BisectForm.Check.SQL, "  ", "app", "", "", null, null, false, 1).toRequest("13/main", snaps));
        assertEquals("the check's SQL is empty", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new BisectForm(BisectForm.Check.UPGRADE_CHECK, "", "", "fifteen", "", null, null, false, 1).toRequest("13/main", snaps));
        assertEquals("'fifteen' is not a PostgreSQL major version (e.g. 15)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BisectForm(BisectForm.Check.COMMAND, "", "", "", "\n \n", null, null,
                false, 1).toRequest("13/main", snaps));
        assertTrue(e.getMessage().startsWith("--command needs the command"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BisectForm(BisectForm.Check.SQL, "SELECT true", "app", "", "",
                snaps.get(4).id(), snaps.get(1).id(), false, 1).toRequest("13/main", snaps));
        assertTrue(e.getMessage().contains("is newer than"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BisectForm(BisectForm.Check.SQL, "SELECT true", "app", "", "",
                snaps.get(2).id(), snaps.get(2).id(), false, 1).toRequest("13/main", snaps));
        assertTrue(e.getMessage().contains("a bisect needs at least 2"), e.getMessage());

        BisectService.Request ok = new BisectForm(BisectForm.Check.COMMAND, "", "", "", "/usr/local/bin/check.sh\n  --strict \n\nit's; rm -rf /",
                snaps.get(1).id(), null, true, 3).toRequest("13/main", snaps);
        assertEquals(new BisectCheck.Command(List.of("/usr/local/bin/check.sh", "--strict", "it's; rm -rf /")), ok.check(),
                "one argument per line, never split by a shell");
        assertEquals(BisectMode.SCAN_ALL, ok.mode());
        assertEquals(3, ok.parallel());
        assertEquals(snaps.get(1).id(), ok.from());
        assertEquals(null, ok.to());
        assertTrue(ok.changeReport());
    }
}
