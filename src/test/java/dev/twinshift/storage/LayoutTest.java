package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where PGDATA is in its volume, where the catalog goes, and the one snapshot verdict. */
class LayoutTest {

    static StorageAssessment at(String path, String mount, StorageMethod m, String volume, String subpath) {
        return new StorageAssessment(path, "x", "dev", mount, m, volume, "why", null, subpath);
    }

    @Test
    void pgdataInsideAVolume() {
        StorageAssessment nested = at("/var/lib/postgresql/13/main/", "/var/lib/postgresql", StorageMethod.BTRFS_SUBVOLUME,
                "/var/lib/postgresql", "13/main");
        assertTrue(nested.nested());
        assertEquals("/var/lib/postgresql", nested.volumeRoot());
        StorageAssessment root = at("/srv/b/pg13", "/srv/b", StorageMethod.BTRFS_SUBVOLUME, "/srv/b/pg13", null);
        assertFalse(root.nested());
        assertEquals("/srv/b/pg13", root.volumeRoot());
        assertEquals("13/main", StorageProbe.relative("/srv/zfs/pg", "/srv/zfs/pg/13/main/"));
        assertEquals("srv/pg", StorageProbe.relative("/", "/srv/pg"));
        assertEquals("/c/x/13/main", ClusterVolume.dataDirectoryIn("/c/x/", "13/main"));
        assertEquals("/c/x", ClusterVolume.dataDirectoryIn("/c/x", null));
        assertEquals("13/main", SnapshotService.subpathOf("/c/x", "/c/x/13/main"));
        assertNull(SnapshotService.subpathOf("/c/x", "/c/x"));
    }

    @Test
    void catalogOfCopiesOnTheRootFilesystemIsNeverInRoot() {
        // Debian's layout: one catalog for every version's clusters, so an upgrade's journal is found from both.
        assertEquals("/var/lib/postgresql", ClusterVolume.catalogDirectory(
                at("/var/lib/postgresql/13/main", "/", StorageMethod.PLAIN_COPY, "/var/lib/postgresql/13/main", null)));
        assertEquals("/var/lib/postgresql", ClusterVolume.catalogDirectory(
                at("/var/lib/postgresql/15/main", "/", StorageMethod.REFLINK, "/var/lib/postgresql/15/main", null)));
        assertEquals("/srv", ClusterVolume.catalogDirectory(at("/srv/data", "/", StorageMethod.PLAIN_COPY, "/srv/data", null)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ClusterVolume.catalogDirectory(
                at("/data", "/", StorageMethod.PLAIN_COPY, "/data", null)));
        assertTrue(e.getMessage().contains("never in /"), e.getMessage());
        // Elsewhere, and for btrfs snapshots, the catalog stays at the filesystem's mount point.
        assertEquals("/srv/x", ClusterVolume.catalogDirectory(at("/srv/x/13/main", "/srv/x/", StorageMethod.PLAIN_COPY,
                "/srv/x/13/main", null)));
        assertEquals("/", ClusterVolume.catalogDirectory(at("/var/lib/pgsql", "/", StorageMethod.BTRFS_SUBVOLUME,
                "/var/lib/pgsql", null)));
    }

    @Test
    void sidecarsWithoutASubpathAreOfAVolumeThatIsPgdata() throws Exception {
        SnapshotRecord old = new SnapshotRecord("v/n", "n", "v", Instant.parse("2025-03-04T05:06:07Z"),
                new Actor("a", "b", "c"), Reason.MANUAL, null, "13/main", "13", "0/1", 1, "/srv/b/v", null, false,
                StorageMethod.BTRFS_SUBVOLUME, "/srv/b/.twinshift/snapshots/v/n", true);
        String json = Json.mapper().writeValueAsString(old).replaceFirst(",\\s*\"dataSubpath\"\\s*:\\s*null", "");
        assertFalse(json.contains("dataSubpath"), json);
        SnapshotRecord read = Json.mapper().readValue(json, SnapshotRecord.class);
        assertEquals(old, read);
        assertNull(read.dataSubpath());
        assertEquals("/c/clone1", read.dataDirectoryIn("/c/clone1"));

        SnapshotRecord nested = new SnapshotRecord("v/n", "n", "v", old.createdAt(), old.createdBy(), Reason.MANUAL, null,
                "13/main", "13", "0/1", 1, "/srv/b/v", null, false, StorageMethod.BTRFS_SUBVOLUME, old.location(), true,
                "13/main");
        SnapshotRecord back = Json.mapper().readValue(Json.mapper().writeValueAsString(nested), SnapshotRecord.class);
        assertEquals(nested, back);
        assertEquals("/c/clone1/13/main", back.dataDirectoryIn("/c/clone1"));
        assertEquals("13/main", back.withPinned(true).dataSubpath(), "pinning keeps where PGDATA is");
        assertEquals("13/main", back.withLocation("x@y").dataSubpath());
    }

    @Test
    void oneVerdict() {
        SnapshotVerdict ok = new SnapshotVerdict("13/main", StorageMethod.BTRFS_SUBVOLUME, List.of());
        assertTrue(ok.allowed() && ok.atomic());
        assertEquals("atomic", ok.summary());
        assertNull(ok.refusal());
        SnapshotVerdict stopped = new SnapshotVerdict("15/x", StorageMethod.PLAIN_COPY, List.of());
        assertTrue(stopped.allowed());
        assertFalse(stopped.atomic(), "a copy is never atomic, even when allowed");
        SnapshotVerdict wal = new SnapshotVerdict("13/w", StorageMethod.BTRFS_SUBVOLUME, List.of("pg_wal elsewhere", "b"));
        assertFalse(wal.allowed() || wal.atomic(), "an atomic method does not make a refused snapshot atomic");
        assertEquals("refused", wal.summary());
        assertEquals("cannot snapshot 13/w: pg_wal elsewhere; b", wal.refusal());
    }
}
