package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloneTreeTest {
    static final Actor A = new Actor("tsadmin", "a", "h");

    static SnapshotRecord snap(String volume, String name, String cluster, String parent, int minute) {
        return new SnapshotRecord(volume + "/" + name, name, volume, Instant.parse("2025-01-01T00:00:00Z").plusSeconds(60L * minute),
                A, Reason.MANUAL, null, cluster, "13", "0/1", 1, "/p", parent, false, StorageMethod.BTRFS_SUBVOLUME,
                "/l/" + name, true);
    }

    static CloneRecord clone(String name, String parent) {
        return new CloneRecord(name, Instant.EPOCH, A, parent, "13/main", "13", "postgres",
                StorageMethod.BTRFS_SUBVOLUME, "/c/" + name, "/c/" + name, null, null, null);
    }

    @Test
    void clusterSnapshotCloneSnapshotClone() {
        List<SnapshotRecord> snaps = List.of(
                snap("pg13-main", "s2", "13/main", null, 2),
                snap("pg13-main", "s1", "13/main", null, 1),
                snap("clone_a", "s3", "13/main", "clone:a", 3),
                snap("pg15", "z1", "15/zfs", null, 4));
        List<CloneRecord> clones = List.of(clone("a", "pg13-main/s1"), clone("b", "clone_a/s3"), clone("lost", "pg13-main/gone"));
        String text = CloneTree.render(CloneTree.build(snaps, clones));
        assertEquals("""
                13/main
                  s1 (MANUAL)
                    clone a
                      s3 (MANUAL)
                        clone b
                  s2 (MANUAL)
                  clone lost
                15/zfs
                  z1 (MANUAL)
                """, text);
    }

    @Test
    void theSnapshotsOfADestroyedCloneStillShowUnderTheCluster() {
        List<SnapshotRecord> snaps = List.of(
                snap("pg13-main", "s1", "13/main", null, 1),
                snap("clone_gone", "kept", "13/main", "clone:gone", 2));
        List<CloneRecord> clones = List.of(clone("b", "clone_gone/kept"));
        assertEquals("""
                13/main
                  s1 (MANUAL)
                  kept (MANUAL)
                    clone b
                """, CloneTree.render(CloneTree.build(snaps, clones)));
    }
}
