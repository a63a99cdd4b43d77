package dev.twinshift.storage;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.util.List;
import java.util.Optional;

/**
 * Looks at the storage under a path and says which copy method applies, why, and what to change
 * when no copy-on-write method does. Read-only.
 */
public final class StorageProbe {
    private final RemoteShell shell;

    public StorageProbe(RemoteShell shell) {
        this.shell = shell;
    }

    public StorageAssessment assess(String path) throws SshException, InterruptedException {
        FindmntOutput mnt = mount(path);
        String fs = mnt.fsType();
        if (fs.equals("btrfs")) {
            return btrfs(path, mnt);
        }
        if (fs.equals("zfs") || fs.endsWith(".zfs") || fs.equals("fuse.zfs")) {
            return zfs(path, mnt);
        }
        if (fs.equals("xfs")) {
            CommandResult info = shell.run(RemoteCommand.of("xfs_info", mnt.target()).asRoot());
            if (info.ok() && XfsInfo.reflink(info.stdout())) {
                return new StorageAssessment(path, fs, mnt.source(), mnt.target(), StorageMethod.REFLINK, path,
                        "XFS with reflink=1: copies share blocks (cp --reflink=always), but a copy is not atomic,"
                                + " so a running cluster cannot be captured this way",
                        "for instant crash-consistent snapshots of a running cluster, put PGDATA (with pg_wal) on"
                                + " a btrfs subvolume or a ZFS dataset");
            }
            return plain(path, mnt, info.ok()
                    ? "XFS made without reflink (xfs_info shows reflink=0)"
                    : "XFS, and xfs_info could not tell whether reflinks are on",
                    "XFS cannot gain reflinks after mkfs: move PGDATA to a filesystem made with `mkfs.xfs -m reflink=1`,"
                            + " a btrfs subvolume or a ZFS dataset");
        }
        return plain(path, mnt, fs + " has no snapshots or reflinks",
                "move PGDATA (with pg_wal) to a btrfs subvolume, a ZFS dataset, or XFS made with reflink=1");
    }

    private FindmntOutput mount(String path) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("findmnt", "-J", "-T", path, "-o", "TARGET,SOURCE,FSTYPE,OPTIONS").asRoot());
        if (r.ok()) {
            return FindmntOutput.parse(r.stdout());
        }
        if (!shell.run(RemoteCommand.of("test", "-e", path).asRoot()).ok()) {
            throw new SshException(SshException.Kind.COMMAND_FAILED, path + " does not exist on " + shell.serverName()
                    + ": there is no storage to look at");
        }
        // Without findmnt (busybox, old util-linux): the type from statfs, the mount point unknown.
        CommandResult st = shell.run(RemoteCommand.of("stat", "-f", "-c", "%T", path).asRoot()).requireSuccess();
        return new FindmntOutput(path, "?", st.stdout().strip(), "");
    }

    private StorageAssessment btrfs(String path, FindmntOutput mnt) throws SshException, InterruptedException {
        CommandResult show = shell.run(RemoteCommand.of("btrfs", "subvolume", "show", path).asRoot());
        if (show.ok()) {
            BtrfsSubvolumeShow s = BtrfsSubvolumeShow.parse(show.stdout());
            if (!s.topLevel()) {
                return new StorageAssessment(path, "btrfs", mnt.source(), mnt.target(), StorageMethod.BTRFS_SUBVOLUME,
                        path, "btrfs subvolume " + s.path() + ": atomic read-only snapshots and writable clones", null);
            }
        } else if (show.exitCode() == 127 || show.stderr().contains("command not found")) {
            return new StorageAssessment(path, "btrfs", mnt.source(), mnt.target(), StorageMethod.REFLINK, path,
                    "btrfs, but the btrfs tool is not installed, so subvolumes cannot be used",
                    "install btrfs-progs on the server");
        }
        return new StorageAssessment(path, "btrfs", mnt.source(), mnt.target(), StorageMethod.REFLINK, path,
                "a plain directory on btrfs: reflink copies work, but they are not atomic",
                "convert it to a subvolume: stop the cluster, `btrfs subvolume create NEW`,"
                        + " `cp -a --reflink=always OLD/. NEW/`, swap the two directories (`mv OLD OLD.old; mv NEW OLD`),"
                        + " start the cluster, then remove OLD.old");
    }

    private StorageAssessment zfs(String path, FindmntOutput mnt) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("zfs", "list", "-H", "-o", "name,mountpoint", "-t", "filesystem").asRoot());
        if (!r.ok()) {
            return plain(path, mnt, "ZFS, but `zfs list` failed: " + r.stderr().strip(), "check the zfs tools on the server");
        }
        List<ZfsList.Dataset> ds = ZfsList.parse(r.stdout());
        Optional<ZfsList.Dataset> exact = ZfsList.mountedAt(ds, path);
        if (exact.isPresent()) {
            return new StorageAssessment(path, "zfs", mnt.source(), mnt.target(), StorageMethod.ZFS_DATASET,
                    exact.get().name(), "ZFS dataset " + exact.get().name() + ": atomic snapshots and clones", null);
        }
        String holder = ZfsList.holding(ds, path).map(ZfsList.Dataset::name).orElse(mnt.source());
        return plain(path, mnt, "a directory inside ZFS dataset " + holder + ", not a dataset of its own",
                "give PGDATA its own dataset: stop the cluster, `zfs create " + holder + "/NEW`,"
                        + " copy PGDATA into it with `cp -a`, point the cluster at it, start");
    }

    private static StorageAssessment plain(String path, FindmntOutput mnt, String why, String advice) {
        return new StorageAssessment(path, mnt.fsType(), mnt.source(), mnt.target(), StorageMethod.PLAIN_COPY, path,
                why + ": only full copies (slow, and the cluster must be stopped for a consistent copy)", advice);
    }
}
