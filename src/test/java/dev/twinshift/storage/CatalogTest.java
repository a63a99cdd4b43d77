package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogTest {

    @Test
    void layoutBesideTheVolumes() {
        Catalog c = new Catalog(null, "/srv/twinshift-lab/btrfs/");
        assertEquals("/srv/twinshift-lab/btrfs/.twinshift", c.root());
        assertEquals("/srv/twinshift-lab/btrfs", c.filesystemRoot());
        assertEquals("/srv/twinshift-lab/btrfs/.twinshift/snapshots/pg13-main/x", c.snapshotPath("pg13-main", "x"));
        assertEquals("/srv/twinshift-lab/btrfs/.twinshift/clones/t.run", c.cloneRunDir("t"));
        assertEquals("/.twinshift", new Catalog(null, "/").root());
    }

    @Test
    void volumeKeys() {
        assertEquals("pg13-main", Catalog.volumeKey("/srv/b", "/srv/b/pg13-main"));
        assertEquals("data_13_main", Catalog.volumeKey("/srv/b", "/srv/b/data/13/main"));
        assertEquals("clone_try", Catalog.volumeKey("/srv/b", "/srv/b/.twinshift/clones/try"));
        assertEquals("var_lib_postgresql_15_main", Catalog.volumeKey("/", "/var/lib/postgresql/15/main"));
    }

    @Test
    void snapshotNamesSortByTime() {
        Instant t = Instant.parse("2025-03-04T05:06:07.890Z");
        assertEquals("20250304T050607Z", Catalog.snapshotName(t, null));
        assertEquals("20250304T050607Z-before-upgrade", Catalog.snapshotName(t, "before-upgrade"));
    }

    @Test
    void recordsSplitOnSeparator() {
        List<String[]> r = Catalog.splitRecords("\u001e/a/x.json\n{\"a\":1}\n\u001e/a/y.json\n{\"b\":2}");
        assertEquals(2, r.size());
        assertEquals("/a/y.json", r.get(1)[0]);
        assertEquals("{\"b\":2}", r.get(1)[1]);
    }

    @Test
    void sidecarRoundTrip() throws Exception {
        SnapshotRecord s = new SnapshotRecord("pg13-main/20250304T050607Z-x", "20250304T050607Z-x", "pg13-main",
                Instant.parse("2025-03-04T05:06:07Z"), new Actor("tsadmin", "alice", "laptop"), Reason.PRE_ROLLBACK, "x",
                "13/main", "13", "0/15CF2B8", 1, "/srv/b/pg13-main", null, false, StorageMethod.BTRFS_SUBVOLUME,
                "/srv/b/.twinshift/snapshots/pg13-main/20250304T050607Z-x", true);
        String json = Json.mapper().writeValueAsString(s);
        assertEquals(s, Json.mapper().readValue(json, SnapshotRecord.class));
        // A sidecar written by a newer console, with a field this one does not know, still reads.
        String newer = json.replaceFirst("\\{", "{\"futureField\":42,");
        assertEquals(s, Json.mapper().readValue(newer, SnapshotRecord.class));
    }

    @Test
    void deleteGuard() {
        StorageDriver.requireInCatalog("/srv/b/.twinshift/snapshots/v/x");
        assertThrows(IllegalArgumentException.class, () -> StorageDriver.requireInCatalog("/srv/b/pg13-main"));
        assertThrows(IllegalArgumentException.class, () -> StorageDriver.requireInCatalog("/srv/b/.twinshift/../pg13-main"));
    }
}
