package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Resources;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ZfsDriverTest {

    @Test
    void namesAndKeys() {
        assertEquals("tank", ZfsDriver.pool("tank/pg/15@x"));
        assertEquals("tank", ZfsDriver.pool("tank"));
        assertEquals("pg_15", ZfsDriver.key("tank/pg/15"));
        assertEquals("clone_try", ZfsDriver.key("tank/twinshift/clones/try"));
        ZfsDriver d = new ZfsDriver(null);
        assertEquals("tank/twinshift/clones/try", d.cloneLocation(null, "tank/pg15@s", "try"));
    }

    @Test
    void neverDestroysALiveDataset() {
        ZfsDriver d = new ZfsDriver(null);
        assertThrows(IllegalArgumentException.class, () -> d.delete("tank/pg15"));
        assertThrows(IllegalArgumentException.class, () -> d.delete("tank/other/clones/x"));
    }

    @Test
    void setAsideDatasetsBelongToTheirVolumeOnly() {
        String live = "tank/pg15";
        assertEquals("tank/twinshift/replaced/pg15-20250101T000000Z", ZfsDriver.asideName(live, "pg15", "20250101T000000Z"));
        assertTrue(ZfsDriver.inLineage(live, "pg15", "tank/pg15"));
        assertTrue(ZfsDriver.inLineage(live, "pg15", "tank/twinshift/replaced/pg15-20250101T000000Z"));
        assertTrue(ZfsDriver.inLineage(live, "pg15", "tank/twinshift/replaced/pg15-20250101T000000Z-new"));
        // Another volume whose key starts the same, a clone, another pool: never.
        assertFalse(ZfsDriver.inLineage(live, "pg15", "tank/twinshift/replaced/pg15-old-20250101T000000Z"));
        assertFalse(ZfsDriver.inLineage(live, "pg15", "tank/twinshift/clones/pg15-20250101T000000Z"));
        assertFalse(ZfsDriver.inLineage(live, "pg15", "other/twinshift/replaced/pg15-20250101T000000Z"));
        assertFalse(ZfsDriver.inLineage(live, "pg15", "tank/pg15x"));
    }

    /** `zfs list -t snapshot` captured in the lab right after a rollback of zrb0007e1 to its "good" snapshot. */
    @Test
    void snapshotsAreFoundWhereARollbackMovedThem() {
        String out = Resources.text(ZfsDriverTest.class, "zfs-list-snapshots-after-rollback.txt");
        String live = "twinshift-lab/zrb0007e1";
        String key = "zrb0007e1";
        assertEquals(Optional.of("twinshift-lab/zrb0007e1@20261125T142148Z-early"),
                ZfsDriver.locate(live, key, "20261125T142148Z-early", out), "taken before the target: still live");
        assertEquals(Optional.of("twinshift-lab/twinshift/replaced/zrb0007e1-20261125T142159Z@20261125T142158Z-pre-rollback"),
                ZfsDriver.locate(live, key, "20261125T142158Z-pre-rollback", out), "the safety snapshot: set aside");
        assertEquals(Optional.of("twinshift-lab/twinshift/replaced/zrb0007e1-20261125T142159Z@20261125T142155Z-after-good"),
                ZfsDriver.locate(live, key, "20261125T142155Z-after-good", out));
        assertEquals(Optional.empty(), ZfsDriver.locate(live, key, "20261125T142148Z", out), "names match whole");
        assertEquals(Optional.empty(), ZfsDriver.locate("twinshift-lab/pg15", "pg15", "20261125T142148Z-early", out),
                "another volume's snapshots are not its own");
    }

    @Test
    void aSidecarFollowsItsSnapshotOnlyWhereItMoved() {
        String out = Resources.text(ZfsDriverTest.class, "zfs-list-snapshots-after-rollback.txt");
        String live = "twinshift-lab/zrb0007e1";
        SnapshotRecord stayed = record(live, "20261125T142148Z-early");
        assertEquals(live + "@20261125T142148Z-early", ZfsDriver.currentLocation(stayed, out));
        SnapshotRecord moved = record(live, "20261125T142155Z-after-good");
        assertEquals("twinshift-lab/twinshift/replaced/zrb0007e1-20261125T142159Z@20261125T142155Z-after-good",
                ZfsDriver.currentLocation(moved, out));
        SnapshotRecord gone = record(live, "20261125T000000Z-gone");
        assertEquals(live + "@20261125T000000Z-gone", ZfsDriver.currentLocation(gone, out), "not found: left as recorded");
    }

    private static SnapshotRecord record(String live, String name) {
        return new SnapshotRecord("zrb0007e1/" + name, name, "zrb0007e1", java.time.Instant.parse("2026-11-25T14:21:48Z"),
                new Actor("tsadmin", "a", "b"), Reason.MANUAL, null, "15/zrb0007e1", "15", "0/1", 1, live, null, false,
                StorageMethod.ZFS_DATASET, live + "@" + name, true);
    }

    @Test
    void setAsideDatasetsMayBeDestroyedButNotLiveOnes() {
        ZfsDriver d = new ZfsDriver(null);
        assertThrows(IllegalArgumentException.class, () -> d.delete("tank/twinshift/replacedx"));
        assertThrows(IllegalArgumentException.class, () -> d.delete("tank/twinshift"));
    }
}
