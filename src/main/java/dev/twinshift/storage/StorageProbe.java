package dev.twinshift.storage;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.util.ArrayList;
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
        Optional<String> holder = enclosingSubvolume(path, mnt.target());
        if (holder.isPresent()) {
            String sub = relative(holder.get(), path);
            return new StorageAssessment(path, "btrfs", mnt.source(), mnt.target(), StorageMethod.BTRFS_SUBVOLUME,
                    holder.get(), "a directory (" + sub + ") inside btrfs subvolume " + holder.get()
                    + ": atomic read-only snapshots and writable clones of the whole subvolume", null, sub);
        }
        return new StorageAssessment(path, "btrfs", mnt.source(), mnt.target(), StorageMethod.REFLINK, path,
                "a plain directory on btrfs: reflink copies work, but they are not atomic",
                "convert it to a subvolume: stop the cluster, `btrfs subvolume create NEW`,"
                        + " `cp -a --reflink=always OLD/. NEW/`, swap the two directories (`mv OLD OLD.old; mv NEW OLD`),"
                        + " start the cluster, then remove OLD.old");
    }

    /**
     * The nearest directory above {@code path}, below the mount point, that is a subvolume's root: on
     * btrfs those and only those have inode 256. The mount point itself does not count: it is the
     * filesystem's top level (or a subvolume mounted by itself), which the catalog cannot sit beside.
     */
    private Optional<String> enclosingSubvolume(String path, String mountTarget) throws SshException, InterruptedException {
        List<String> above = new ArrayList<>();
        String m = PgCluster.stripSlash(mountTarget);
        String p = PgCluster.stripSlash(path);
        for (int slash = p.lastIndexOf('/'); slash > 0; slash = p.lastIndexOf('/', slash - 1)) {
            String a = p.substring(0, slash);
            if (a.equals(m) || !PgCluster.isInside(a, m)) {
                break;
            }
            above.add(a);
        }
        if (above.isEmpty()) {
            return Optional.empty();
        }
        List<String> argv = new ArrayList<>(List.of("stat", "-c", "%i", "--"));
        argv.addAll(above);
        CommandResult r = shell.run(RemoteCommand.of(argv).asRoot());
        if (!r.ok()) {
            return Optional.empty();
        }
        String[] inodes = r.stdout().strip().split("\n");
        for (int i = 0; i < inodes.length && i < above.size(); i++) {
            if (inodes[i].strip().equals("256")) {
                return Optional.of(above.get(i));
            }
        }
        return Optional.empty();
    }

    /** {@code path} relative to {@code root}, which holds it. */
    static String relative(String root, String path) {
        String r = PgCluster.stripSlash(root);
        String p = PgCluster.stripSlash(path);
        return p.substring(r.equals("/") ? 1 : r.length() + 1);
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
        Optional<ZfsList.Dataset> holding = ZfsList.holding(ds, path);
        if (holding.isPresent()) {
            String sub = relative(holding.get().mountpoint(), path);
            return new StorageAssessment(path, "zfs", mnt.source(), mnt.target(), StorageMethod.ZFS_DATASET,
                    holding.get().name(), "a directory (" + sub + ") inside ZFS dataset " + holding.get().name()
                    + ": atomic snapshots and clones of the whole dataset", null, sub);
        }
        String holder = mnt.source();
        return plain(path, mnt, "on ZFS (" + holder + "), but `zfs list` shows no mounted dataset holding it",
                "give PGDATA its own dataset: stop the cluster, `zfs create " + holder + "/NEW`,"
                        + " copy PGDATA into it with `cp -a`, point the cluster at it, start");
    }

    private static StorageAssessment plain(String path, FindmntOutput mnt, String why, String advice) {
        return new StorageAssessment(path, mnt.fsType(), mnt.source(), mnt.target(), StorageMethod.PLAIN_COPY, path,
                why + ": only full copies (slow, and the cluster must be stopped for a consistent copy)", advice);
    }
}
