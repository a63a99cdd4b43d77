package dev.twinshift.ui.timeline;

import static dev.twinshift.ui.timeline.TimelineFixtures.PARIS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.schedule.SnapshotPolicy;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.clones.ClusterViewModel;
import dev.twinshift.ui.tasks.ManualTaskExecutor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The timeline's view model: previews run as tasks and only the newest answer shows; the schedule says when it is missing. */
class TimelineViewModelTest {
    private static final Instant NEWEST = Instant.parse("2026-11-30T14:00:00Z");

    private final List<SnapshotRecord> snaps = new ArrayList<>(TimelineFixtures.hourly(10, NEWEST));
    private final ManualTaskExecutor tasks = new ManualTaskExecutor();
    private final ClusterViewModel cluster = TimelineFixtures.showing(snaps, List.of(TimelineFixtures.clone("rehearsal", snaps.get(3), true)));
    private final TimelineViewModel m = new TimelineViewModel(cluster, tasks, PARIS);

    private static Map<String, String> byKey(List<TimelineViewModel.Detail> d) {
        return d.stream().collect(Collectors.toMap(TimelineViewModel.Detail::key, TimelineViewModel.Detail::value));
    }

    @Test
    void snapshotsAreOldestFirstAndTheTitleNamesTheCluster() {
        assertEquals(10, m.snapshots().size());
        assertEquals(snaps.get(0).id(), m.snapshots().get(0).id(), "the cluster view lists newest first; the axis oldest first");
        assertEquals("Timeline of 13/main", m.titleProperty().get());
        assertEquals(List.of("rehearsal"), m.clonesBySnapshotProperty().get().get(snaps.get(3).id()).stream()
                .map(ClusterViewModel.CloneItem::name).toList());
    }

    @Test
    void aPolicyThatDoesNotReadSaysWhyAndIsNotPreviewed() {
        m.setPreviewer((t, p) -> TimelineFixtures.plan(snaps, p));
        m.policyTextProperty().set("hourly=36 daily=thirty");
        assertNull(m.policyProperty().get());
        assertTrue(m.policyErrorProperty().get().contains("daily=thirty: the count must be a whole number"), m.policyErrorProperty().get());
        m.preview();
        assertTrue(tasks.pending().isEmpty(), "nothing to preview");
        m.policyTextProperty().set("hourly=4");
        assertEquals("", m.policyErrorProperty().get());
        assertEquals(4, m.policyProperty().get().hourly());
    }

    @Test
    void thePreviewRunsAsATaskAndListsWhatWouldBePruned() {
        List<SnapshotPolicy> asked = new ArrayList<>();
        m.setPreviewer((t, p) -> {
            asked.add(p);
            assertEquals("13/main", t.cluster().id());
            return TimelineFixtures.plan(snaps, p);
        });
        m.policyTextProperty().set("hourly=4");
        m.preview();
        assertTrue(asked.isEmpty(), "not on the caller's thread: submitted as a task");
        assertTrue(m.previewStatusProperty().get().startsWith("Previewing"), m.previewStatusProperty().get());
        tasks.run(0);
        assertEquals("Would prune 6 of 10 snapshots.", m.previewStatusProperty().get());
        assertEquals(snaps.subList(0, 6).stream().map(SnapshotRecord::id).toList(), m.wouldPrune().stream().map(v -> v.id()).toList());
        assertEquals(SnapshotPolicy.parse("hourly=4"), m.planPolicy());
    }

    @Test
    void aSlowAnswerToAnOlderTextNeverOverwritesTheNewerOne() {
        m.setPreviewer((t, p) -> TimelineFixtures.plan(snaps, p));
        m.policyTextProperty().set("hourly=2");
        m.preview();
        m.policyTextProperty().set("hourly=8");
        m.preview();
        tasks.run(1);
        tasks.run(0);
        assertEquals(2, m.wouldPrune().size(), "hourly=8 prunes 2 of 10; hourly=2's answer came last and is dropped");
        assertEquals(SnapshotPolicy.parse("hourly=8"), m.planPolicy());
    }

    @Test
    void aFailedPreviewSaysSoAndDrawsNoFate() {
        m.setPreviewer((t, p) -> {
            throw new IllegalStateException("schedule.sh: catalog unreadable");
        });
        m.preview();
        tasks.run(0);
        assertEquals("Preview failed: schedule.sh: catalog unreadable", m.previewStatusProperty().get());
        assertNull(m.planProperty().get());
    }

    @Test
    void withoutTheScheduleServiceTheEditorSaysSoAndSavesNothing() {
        m.preview();
        assertTrue(m.previewStatusProperty().get().contains("schedule service not available"), m.previewStatusProperty().get());
        assertTrue(m.scheduleStatusProperty().get().contains("schedule service not available"), m.scheduleStatusProperty().get());
        assertFalse(m.scheduleAvailable());
        m.save();
        m.enable();
        assertTrue(tasks.pending().isEmpty(), "nothing pretends to have been saved");
    }

    /** A schedule that remembers what it was told, as a server would. */
    static final class RememberingSchedule implements ScheduleActions {
        SnapshotPolicy saved = SnapshotPolicy.parse("hourly=24 daily=7");
        boolean enabled;

        @Override
        public Status status(ClusterTarget target) {
            return new Status(true, enabled, saved, "last run 14:00:02, next 15:00");
        }

        @Override
        public void save(ClusterTarget target, SnapshotPolicy policy) {
            saved = policy;
        }

        @Override
        public void enable(ClusterTarget target) {
            enabled = true;
        }

        @Override
        public void disable(ClusterTarget target) {
            enabled = false;
        }
    }

    @Test
    void theSavedPolicyIsWhereTheEditorStartsAndSavingGoesToTheServer() {
        RememberingSchedule server = new RememberingSchedule();
        m.setScheduleActions(server);
        tasks.run(0);
        assertEquals("hourly=24 daily=7 weekly=0 monthly=0 yearly=0", m.policyTextProperty().get());
        assertEquals("Schedule installed, disabled. last run 14:00:02, next 15:00", m.scheduleStatusProperty().get());

        m.policyTextProperty().set("hourly=48 daily=30");
        m.save();
        tasks.run(0);
        assertEquals(SnapshotPolicy.parse("hourly=48 daily=30"), server.saved);
        m.enable();
        tasks.run(0);
        assertTrue(server.enabled);
        assertTrue(m.scheduleStatusProperty().get().startsWith("Enabled. Schedule enabled."), m.scheduleStatusProperty().get());
    }

    @Test
    void detailsShowTheSidecarInTheUsersZoneToTheSecond() {
        m.setPreviewer((t, p) -> TimelineFixtures.plan(snaps, p));
        m.policyTextProperty().set("hourly=4");
        m.preview();
        tasks.run(0);
        SnapshotRecord s = m.snapshots().get(3);
        Map<String, String> d = byKey(m.details(s));
        assertEquals("2026-11-30 09:00:00 CET", d.get("Taken"), "08:00Z (14:00Z minus six hours) is 09:00 in Paris");
        assertEquals("scheduled", d.get("Reason"));
        assertEquals("tsadmin (alice@laptop)", d.get("By"));
        assertEquals("rehearsal (running)", d.get("Clones"));
        assertEquals("would be pruned: beyond the newest 4 hours", d.get("Retention"));
        assertEquals("btrfs subvolume snapshot", d.get("Method"));

        m.showBisect(new BisectMarks("select count(*) = 0 from bad_rows", List.of(
                new TimelineMark(s.id(), TimelineMark.Kind.BAD, "f\n(1 row)")), null, s.id()));
        assertEquals("bad (first bad): f\n(1 row)", byKey(m.details(s)).get("Check"));
    }

    @Test
    void anotherClusterStartsClean() {
        m.selectedProperty().set(m.snapshots().get(2));
        m.showBisect(new BisectMarks("x", List.of(new TimelineMark(snaps.get(2).id(), TimelineMark.Kind.GOOD, "")), snaps.get(2).id(), null));
        cluster.show(new TimelineFixtures.NoServer(), "tsadmin", TimelineFixtures.cluster("other"));
        assertNull(m.selectedProperty().get());
        assertTrue(m.bisectProperty().get().marks().isEmpty(), "a search's marks belong to the cluster it searched");
        assertEquals("Timeline of 13/other", m.titleProperty().get());
    }

    @Test
    void aRereadKeepsTheSelectionWithItsNewState() {
        SnapshotRecord s = m.snapshots().get(5);
        m.selectedProperty().set(s);
        List<SnapshotRecord> reread = new ArrayList<>(cluster.snapshots());
        reread.replaceAll(x -> x.id().equals(s.id()) ? x.withPinned(true) : x);
        cluster.snapshots().setAll(reread);
        assertTrue(m.selectedProperty().get().pinned(), "the same snapshot, now pinned");
        assertEquals(m.snapshots().get(6), m.neighbour(m.selectedProperty().get(), 1));
        assertNull(m.neighbour(m.snapshots().get(9), 1));
    }
}
