package dev.twinshift.ui.clones;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.ui.clones.ClusterViewModel.CloneItem;
import dev.twinshift.ui.timeline.TimelineFixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the clone tree holds: the lineage of the shown cluster, nothing of another, nothing hidden. */
class CloneFamilyTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static List<String> lines(CloneFamily.Row root) {
        List<String> out = new ArrayList<>();
        walk(root, 0, out);
        return out;
    }

    private static void walk(CloneFamily.Row r, int depth, List<String> out) {
        out.add("  ".repeat(depth) + r.kind() + " " + r.name());
        r.children().forEach(c -> walk(c, depth + 1, out));
    }

    private static SnapshotRecord ofClone(String clone, String name, Instant at) {
        SnapshotRecord base = TimelineFixtures.snapshot(at, Reason.MANUAL, null, false);
        return new SnapshotRecord("clone_" + clone + "/" + name, name, "clone_" + clone, at, base.createdBy(), Reason.MANUAL, null,
                "13/main", "13", "0/1", 1, "/c/" + clone, "clone:" + clone, false, base.method(), "/s/" + name, true);
    }

    @Test
    void onlyTheSnapshotsSomethingWasMadeFromAndTheClonesOwnAppear() {
        SnapshotRecord unused = TimelineFixtures.snapshot(T0, Reason.SCHEDULED, null, false);
        SnapshotRecord used = TimelineFixtures.snapshot(T0.plusSeconds(60), Reason.MANUAL, "before", false);
        CloneItem a = TimelineFixtures.clone("a", used, true);
        SnapshotRecord aOwn = ofClone("a", "a-own", T0.plusSeconds(120));
        CloneItem b = TimelineFixtures.clone("b", aOwn, false);
        CloneFamily.Row root = CloneFamily.build(TimelineFixtures.cluster("main"), List.of(unused, used, aOwn), List.of(a, b));
        assertEquals(List.of("CLUSTER 13/main", "  SNAPSHOT " + used.name(), "    CLONE a", "      SNAPSHOT a-own", "        CLONE b"),
                lines(root));
        assertEquals("a", root.children().get(0).children().get(0).item().name(), "a clone row carries the clone as listed");
    }

    @Test
    void aSnapshotLeftByADestroyedCloneStaysInView() {
        SnapshotRecord left = ofClone("gone", "left-behind", T0);
        CloneFamily.Row root = CloneFamily.build(TimelineFixtures.cluster("main"), List.of(left), List.of());
        assertEquals(List.of("CLUSTER 13/main", "  SNAPSHOT left-behind"), lines(root),
                "it is in no table above: the tree is the only place it shows");
    }

    @Test
    void anotherClustersFamilyIsLeftOut() {
        SnapshotRecord other = new SnapshotRecord("15-main/x", "x", "15-main", T0, TimelineFixtures.ADMIN, Reason.MANUAL, null,
                "15/main", "15", "0/1", 1, "/p", null, false, dev.twinshift.storage.StorageMethod.BTRFS_SUBVOLUME, "/s/x", true);
        CloneItem otherClusters = new CloneItem(new dev.twinshift.storage.CloneRecord("c", T0, TimelineFixtures.ADMIN, "15-main/x",
                "15/main", "15", "postgres", other.method(), "/c", "/c", null, null, null), false, "");
        CloneFamily.Row root = CloneFamily.build(TimelineFixtures.cluster("main"), List.of(other), List.of(otherClusters));
        assertEquals(List.of("CLUSTER 13/main"), lines(root));
    }
}
