package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The probe on each kind of storage the lab has. Read-only. */
class StorageProbeIT {
    static StorageProbe probe;

    @BeforeAll
    static void lab() {
        probe = new StorageProbe(LabShell.admin(Lab.require()));
    }

    @Test
    void btrfsSubvolume() throws Exception {
        StorageAssessment a = probe.assess("/srv/twinshift-lab/btrfs/pg13-main");
        assertEquals(StorageMethod.BTRFS_SUBVOLUME, a.method(), a.reason());
        assertEquals("/srv/twinshift-lab/btrfs", a.mountTarget());
        assertEquals("/srv/twinshift-lab/btrfs/pg13-main", a.volume());
        assertNull(a.advice());
    }

    @Test
    void directoryInsideASubvolumeIsSnapshottedThroughIt() throws Exception {
        StorageAssessment a = probe.assess("/srv/twinshift-lab/btrfs/pg13-main/base/");
        assertEquals(StorageMethod.BTRFS_SUBVOLUME, a.method(), a.reason());
        assertEquals("/srv/twinshift-lab/btrfs/pg13-main", a.volume());
        assertEquals("base", a.subpath());
        assertEquals("/srv/twinshift-lab/btrfs/pg13-main", a.volumeRoot());
        assertNull(a.advice());
    }

    @Test
    void plainDirectoryOnBtrfsGetsConversionAdvice() throws Exception {
        // On the filesystem's top level, in no subvolume but the top level itself.
        StorageAssessment a = probe.assess("/srv/twinshift-lab/btrfs/.twinshift/snapshots");
        assertEquals(StorageMethod.REFLINK, a.method());
        assertNull(a.subpath());
        assertTrue(a.advice().contains("btrfs subvolume create"), a.advice());
        assertTrue(a.advice().contains("cp -a --reflink=always"), a.advice());
    }

    @Test
    void xfsWithReflinks() throws Exception {
        StorageAssessment a = probe.assess("/srv/twinshift-lab/xfs/pg15-reflink");
        assertEquals(StorageMethod.REFLINK, a.method(), a.reason());
        assertEquals("xfs", a.fsType());
        assertNotNull(a.advice());
    }

    @Test
    void zfsDataset() throws Exception {
        StorageAssessment a = probe.assess("/srv/twinshift-lab/zfs/pg15-main");
        assertEquals(StorageMethod.ZFS_DATASET, a.method(), a.reason());
        assertEquals("twinshift-lab/pg15", a.volume());
    }

    @Test
    void directoryInsideZfsDatasetIsSnapshottedThroughIt() throws Exception {
        StorageAssessment a = probe.assess("/srv/twinshift-lab/zfs/pg15-main/base");
        assertEquals(StorageMethod.ZFS_DATASET, a.method(), a.reason());
        assertEquals("twinshift-lab/pg15", a.volume());
        assertEquals("base", a.subpath());
        assertEquals("/srv/twinshift-lab/zfs/pg15-main", a.volumeRoot());
    }

    @Test
    void ext4IsPlainCopy() throws Exception {
        StorageAssessment a = probe.assess("/var/lib/postgresql");
        assertEquals(StorageMethod.PLAIN_COPY, a.method());
        assertTrue(a.reason().contains("ext4"), a.reason());
    }
}
