package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each driver on the storage it is for, in a scratch directory removed at the end. Snapshots of
 * clusters are the server script's (SnapshotScriptIT); here a read-only snapshot is only the
 * starting point of a clone.
 */
class DriversIT {
    static RemoteShell shell;
    static final String RUN = "it-" + UUID.randomUUID().toString().substring(0, 8);
    static final String BTRFS = "/srv/twinshift-lab/btrfs/.twinshift/" + RUN;
    static final String XFS = "/srv/twinshift-lab/xfs/.twinshift/" + RUN;
    static final String PLAIN = "/var/tmp/" + RUN + "/.twinshift/x";

    @BeforeAll
    static void lab() throws Exception {
        shell = LabShell.admin(Lab.require());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (shell == null) {
            return;
        }
        // Subvolumes first (rm cannot remove read-only ones), then the directories.
        sh("for s in \"$1\"/*; do [ \"$(stat -c %i \"$s\" 2>/dev/null)\" = 256 ] && btrfs subvolume delete \"$s\"; done;"
                + " rm -rf \"$1\" \"$2\" \"$3\"; rmdir \"${2%/*}\" 2>/dev/null; exit 0", BTRFS, XFS, "/var/tmp/" + RUN);
    }

    static CommandResult sh(String script, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("sh", "-c", script, "sh"));
        argv.addAll(List.of(args));
        return shell.run(RemoteCommand.of(argv).asRoot());
    }

    static String cat(String path) throws Exception {
        return shell.check(RemoteCommand.of("cat", path).asRoot()).stdout();
    }

    @Test
    void btrfsSnapshotCloneListUsageDelete() throws Exception {
        BtrfsDriver d = new BtrfsDriver(shell);
        String src = BTRFS + "/src";
        shell.check(RemoteCommand.of("mkdir", "-p", BTRFS).asRoot());
        shell.check(RemoteCommand.of("btrfs", "subvolume", "create", src).asRoot());
        sh("echo one > \"$1/f\"", src).requireSuccess();

        String snap = BTRFS + "/snap";
        shell.check(RemoteCommand.of("btrfs", "subvolume", "snapshot", "-r", src, snap).asRoot());
        sh("echo two > \"$1/f\"", src).requireSuccess();
        assertEquals("one\n", cat(snap + "/f"));

        String clone = BTRFS + "/clone";
        d.cloneOf(snap, clone);
        assertEquals("one\n", cat(clone + "/f"));
        sh("echo three > \"$1/f\"", clone).requireSuccess();
        assertEquals("one\n", cat(snap + "/f"));
        assertEquals("two\n", cat(src + "/f"));

        assertThrows(IllegalStateException.class, () -> d.cloneOf(src, clone), "an existing target is refused");

        List<VolumeEntry> entries = d.list(BTRFS);
        assertEquals(3, entries.size(), entries.toString());
        VolumeEntry se = entries.stream().filter(e -> e.location().equals(snap)).findFirst().orElseThrow();
        assertTrue(se.readOnly());
        assertNotNull(se.createdAt());
        assertFalse(entries.stream().filter(e -> e.location().equals(clone)).findFirst().orElseThrow().readOnly());

        Optional<SpaceUsage> u = d.usage(snap);
        assertTrue(u.isPresent(), "the lab's btrfs has quotas on");
        assertTrue(u.get().referencedBytes() > 0);

        d.delete(snap);
        d.delete(clone);
        assertFalse(d.exists(snap));
        assertFalse(d.exists(clone));
        assertThrows(IllegalArgumentException.class, () -> d.delete("/srv/twinshift-lab/btrfs/pg13-main"));
        assertTrue(d.exists("/srv/twinshift-lab/btrfs/pg13-main"));
    }

    @Test
    void reflinkCopiesOnXfs() throws Exception {
        ReflinkDriver d = new ReflinkDriver(shell);
        String src = XFS + "/src";
        shell.check(RemoteCommand.of("mkdir", "-p", src).asRoot());
        sh("head -c 8388608 /dev/urandom > \"$1/big\"; chmod 0700 \"$1\"", src).requireSuccess();
        String snap = XFS + "/snap";
        d.cloneOf(src, snap);
        assertEquals(shell.check(RemoteCommand.of("md5sum", src + "/big").asRoot()).stdout().split(" ")[0],
                shell.check(RemoteCommand.of("md5sum", snap + "/big").asRoot()).stdout().split(" ")[0]);
        assertEquals("700", shell.check(RemoteCommand.of("stat", "-c", "%a", snap).asRoot()).stdout().strip());
        // Shared extents: filefrag -v marks them "shared" on XFS.
        String frag = shell.check(RemoteCommand.of("filefrag", "-v", snap + "/big").asRoot()).stdout();
        assertTrue(frag.contains("shared"), frag);
        assertThrows(dev.twinshift.ssh.SshException.class, () -> d.cloneOf(src, "/srv/twinshift-lab/btrfs/.twinshift/"
                + RUN + "-cross/x"), "reflinks cannot cross filesystems");
        d.delete(snap);
        assertFalse(d.exists(snap));
    }

    @Test
    void plainCopy() throws Exception {
        PlainCopyDriver d = new PlainCopyDriver(shell);
        shell.check(RemoteCommand.of("mkdir", "-p", PLAIN + "/src").asRoot());
        sh("echo data > \"$1/src/f\"", PLAIN).requireSuccess();
        d.cloneOf(PLAIN + "/src", PLAIN + "/copy");
        assertEquals("data\n", cat(PLAIN + "/copy/f"));
        assertEquals(1, d.list(PLAIN).stream().filter(e -> e.location().endsWith("/copy")).count());
        d.delete(PLAIN + "/copy");
        assertFalse(d.exists(PLAIN + "/copy"));
    }
}
