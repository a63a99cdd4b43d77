package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Resources;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsers fed with output captured from the lab's btrfs, XFS (reflink=1), zfs-fuse and ext4 mounts. */
class ParsersTest {

    private static String res(String name) {
        return Resources.text(ParsersTest.class, name);
    }

    @Test
    void findmnt() {
        FindmntOutput b = FindmntOutput.parse(res("findmnt-btrfs.json"));
        assertEquals("/srv/twinshift-lab/btrfs", b.target());
        assertEquals("btrfs", b.fsType());
        assertEquals("/", b.option("subvol"));
        assertEquals("5", b.option("subvolid"));
        assertEquals("", b.option("relatime"));
        assertEquals(null, b.option("nosuch"));
        assertEquals("xfs", FindmntOutput.parse(res("findmnt-xfs.json")).fsType());
        FindmntOutput z = FindmntOutput.parse(res("findmnt-zfs-fuse.json"));
        assertEquals("fuse.zfs", z.fsType());
        assertEquals("twinshift-lab/pg15", z.source());
        assertEquals("/", FindmntOutput.parse(res("findmnt-ext4.json")).target());
    }

    @Test
    void btrfsSubvolumeShow() {
        BtrfsSubvolumeShow s = BtrfsSubvolumeShow.parse(res("btrfs-subvolume-show.txt"));
        assertEquals("pg13-main", s.path());
        assertEquals("pg13-main", s.name());
        assertEquals(256, s.id());
        assertFalse(s.readOnly());
        assertFalse(s.topLevel());
        assertEquals(null, s.parentUuid());
        assertTrue(s.creationTime().startsWith("20"));
        BtrfsSubvolumeShow top = BtrfsSubvolumeShow.parse(res("btrfs-subvolume-show-toplevel.txt"));
        assertTrue(top.topLevel());
        assertEquals("/", top.path());
    }

    @Test
    void btrfsReadOnlyFlag() {
        String ro = "snap\n\tName: \t\t\tsnap\n\tSubvolume ID: \t\t260\n\tFlags: \t\t\treadonly\n";
        assertTrue(BtrfsSubvolumeShow.parse(ro).readOnly());
    }

    @Test
    void btrfsQgroup() {
        Optional<SpaceUsage> u = BtrfsQgroupShow.parse(res("btrfs-qgroup-show.txt"));
        assertTrue(u.isPresent());
        assertTrue(u.get().referencedBytes() > 1_000_000);
        assertEquals(u.get().referencedBytes(), u.get().exclusiveBytes());
        assertTrue(BtrfsQgroupShow.parse("ERROR: can't list qgroups: quotas not enabled\n").isEmpty());
    }

    @Test
    void zfsList() {
        List<ZfsList.Dataset> ds = ZfsList.parse(res("zfs-list.txt"));
        assertEquals(2, ds.size());
        assertEquals("twinshift-lab/pg15", ZfsList.mountedAt(ds, "/srv/twinshift-lab/zfs/pg15-main/").orElseThrow().name());
        assertTrue(ZfsList.mountedAt(ds, "/srv/twinshift-lab/zfs/pg15-main/base").isEmpty());
        assertEquals("twinshift-lab/pg15", ZfsList.holding(ds, "/srv/twinshift-lab/zfs/pg15-main/base").orElseThrow().name());
        assertEquals("twinshift-lab", ZfsList.holding(ds, "/srv/twinshift-lab/zfs/other").orElseThrow().name());
        assertTrue(ZfsList.holding(ds, "/srv/elsewhere").isEmpty());
    }

    @Test
    void xfsReflink() {
        assertTrue(XfsInfo.reflink(res("xfs_info-reflink.txt")));
        assertFalse(XfsInfo.reflink(res("xfs_info-reflink.txt").replace("reflink=1", "reflink=0")));
    }
}
