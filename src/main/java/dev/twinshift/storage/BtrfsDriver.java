package dev.twinshift.storage;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** btrfs subvolumes: atomic read-only snapshots, writable snapshots as clones, instant either way. */
public final class BtrfsDriver extends PathDriver {

    public BtrfsDriver(RemoteShell shell) {
        super(shell);
    }

    @Override
    public StorageMethod method() {
        return StorageMethod.BTRFS_SUBVOLUME;
    }

    @Override
    public void cloneOf(String snapshot, String target) throws SshException, InterruptedException {
        requireAbsent(target);
        shell.run(RemoteCommand.of("btrfs", "subvolume", "snapshot", snapshot, target).asRoot()).requireSuccess();
    }

    @Override
    public void delete(String location) throws SshException, InterruptedException {
        StorageDriver.requireInCatalog(location);
        shell.run(RemoteCommand.of("btrfs", "subvolume", "delete", location).asRoot()).requireSuccess();
    }

    /**
     * Subvolumes directly in {@code container}: the subvolume roots there (inode 256 on btrfs) with their
     * birth time, which for a snapshot is when it was taken; read-only ones as btrfs lists them.
     */
    @Override
    public List<VolumeEntry> list(String container) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("find", container, "-mindepth", "1", "-maxdepth", "1", "-type", "d",
                "-inum", "256", "-exec", "stat", "-c", "%n\t%W", "--", "{}", "+").asRoot());
        if (!r.ok()) {
            if (!exists(container)) {
                return List.of();
            }
            r.requireSuccess();
        }
        Set<String> readOnly = new HashSet<>();
        CommandResult ro = shell.run(RemoteCommand.of("btrfs", "subvolume", "list", "-r", "-a", container).asRoot());
        if (ro.ok()) {
            for (String line : ro.stdout().split("\n")) {
                int p = line.indexOf(" path ");
                if (p >= 0) {
                    readOnly.add(line.substring(p + 6).strip());
                }
            }
        }
        List<VolumeEntry> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.split("\t");
            if (f.length != 2) {
                continue;
            }
            long birth = Long.parseLong(f[1].strip());
            boolean isRo = readOnly.stream().anyMatch(p -> f[0].endsWith("/" + stripTop(p)));
            out.add(new VolumeEntry(f[0], birth > 0 ? Instant.ofEpochSecond(birth) : null, isRo));
        }
        return out;
    }

    /* `btrfs subvolume list -a` prints paths as "<FS_TREE>/a/b". */
    private static String stripTop(String p) {
        return p.startsWith("<FS_TREE>/") ? p.substring("<FS_TREE>/".length()) : p;
    }

    @Override
    public Optional<SpaceUsage> usage(String location) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("btrfs", "qgroup", "show", "--raw", "-f", location).asRoot());
        return r.ok() ? BtrfsQgroupShow.parse(r.stdout()) : Optional.empty();
    }

    /**
     * A limit on the clone's exclusive bytes (what it wrote since the snapshot). Only where quotas are
     * already on: turning them on is left to the administrator, because qgroup accounting costs the
     * whole filesystem on every snapshot removal and extent change and is known to stall large ones;
     * without it the floor and the watcher still protect live.
     */
    @Override
    public String limitClone(String location, long bytes) throws SshException, InterruptedException {
        if (!quotasEnabled(location)) {
            return null;
        }
        shell.run(RemoteCommand.of("btrfs", "qgroup", "limit", "-e", Long.toString(bytes), location).asRoot())
                .requireSuccess();
        return "btrfs qgroup limit of " + bytes + " exclusive bytes";
    }

    /** Whether quotas are on (exclusive sizes are only known then). */
    public boolean quotasEnabled(String path) throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("btrfs", "qgroup", "show", path).asRoot()).ok();
    }
}
