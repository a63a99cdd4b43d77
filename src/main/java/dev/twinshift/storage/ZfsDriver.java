package dev.twinshift.storage;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ZFS datasets: native atomic snapshots ({@code DATASET@NAME}) and clones, which live as datasets
 * under {@code POOL/twinshift/clones/NAME}. Locations are dataset and snapshot names; the sidecars
 * stay in the catalog directory at the pool's mount point. Works with zfs-fuse's older command set
 * (no {@code zfs list -p}).
 */
public final class ZfsDriver implements StorageDriver {
    static final String CLONES = "twinshift/clones/";

    private final RemoteShell shell;

    public ZfsDriver(RemoteShell shell) {
        this.shell = shell;
    }

    @Override
    public StorageMethod method() {
        return StorageMethod.ZFS_DATASET;
    }

    static String pool(String datasetOrSnapshot) {
        String ds = datasetOrSnapshot.contains("@") ? datasetOrSnapshot.substring(0, datasetOrSnapshot.indexOf('@'))
                : datasetOrSnapshot;
        int slash = ds.indexOf('/');
        return slash < 0 ? ds : ds.substring(0, slash);
    }

    @Override
    public String snapshotLocation(Catalog catalog, String volumeKey, String volume, String name) {
        return volume + "@" + name;
    }

    @Override
    public String cloneLocation(Catalog catalog, String snapshot, String name) {
        return pool(snapshot) + "/" + CLONES + name;
    }

    @Override
    public String volumeKey(Catalog catalog, String location) {
        return key(location);
    }

    /** "pool/pg15" gives "pg15", "pool/twinshift/clones/try" gives "clone_try". */
    static String key(String dataset) {
        String p = pool(dataset);
        String rel = dataset.length() > p.length() ? dataset.substring(p.length() + 1) : "";
        if (rel.startsWith(CLONES)) {
            return "clone_" + rel.substring(CLONES.length()).replace('/', '_');
        }
        return rel.isEmpty() ? p : rel.replace('/', '_');
    }

    @Override
    public void snapshot(String source, String target) throws SshException, InterruptedException {
        if (!target.startsWith(source + "@")) {
            throw new IllegalArgumentException("a ZFS snapshot of " + source + " must be named " + source + "@NAME, not " + target);
        }
        if (exists(target)) {
            throw new IllegalStateException(target + " already exists on " + shell.serverName());
        }
        zfs("snapshot", target);
    }

    @Override
    public void cloneOf(String snapshot, String target) throws SshException, InterruptedException {
        if (exists(target)) {
            throw new IllegalStateException(target + " already exists on " + shell.serverName());
        }
        zfs("clone", "-p", snapshot, target);
    }

    /**
     * Destroys a snapshot, or a clone dataset made by the catalog. Never recursive: a dataset with
     * snapshots, or a snapshot with clones, is refused by zfs itself with its own message.
     */
    @Override
    public void delete(String location) throws SshException, InterruptedException {
        boolean snapshot = location.contains("@");
        if (!snapshot && !location.startsWith(pool(location) + "/" + CLONES)) {
            throw new IllegalArgumentException("refusing to destroy " + location + ": it is not a clone Twinshift made");
        }
        // Right after its server stops, zfs-fuse may still call a dataset busy for some seconds.
        for (int attempt = 1; ; attempt++) {
            CommandResult r = shell.run(RemoteCommand.of("zfs", "destroy", location).asRoot(),
                    ExecOptions.defaults().withTimeout(Duration.ofMinutes(30)), LineListener.IGNORE);
            if (r.ok()) {
                return;
            }
            if (attempt >= 30 || !r.stderr().contains("busy")) {
                r.requireSuccess();
            }
            Thread.sleep(1000);
        }
    }

    @Override
    public boolean exists(String location) throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("zfs", "list", "-H", "-o", "name", location).asRoot()).ok();
    }

    /** Snapshots of a dataset with their creation time. */
    @Override
    public List<VolumeEntry> list(String dataset) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("zfs", "get", "-H", "-p", "-r", "-d", "1", "-o", "name,value",
                "creation", dataset).asRoot());
        if (!r.ok()) {
            if (!exists(dataset)) {
                return List.of();
            }
            r.requireSuccess();
        }
        List<VolumeEntry> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 2 && f[0].startsWith(dataset + "@")) {
                out.add(new VolumeEntry(f[0], Instant.ofEpochSecond(Long.parseLong(f[1].strip())), true));
            }
        }
        return out;
    }

    @Override
    public Optional<SpaceUsage> usage(String location) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("zfs", "get", "-H", "-p", "-o", "value", "referenced,used", location)
                .asRoot());
        if (!r.ok()) {
            return Optional.empty();
        }
        String[] v = r.stdout().strip().split("\n");
        try {
            return Optional.of(new SpaceUsage(Long.parseLong(v[0].strip()), Long.parseLong(v[1].strip())));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public String mountPathOf(String location) throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("zfs", "get", "-H", "-o", "value", "mountpoint", location).asRoot())
                .requireSuccess().stdout().strip();
    }

    private void zfs(String... args) throws SshException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("zfs"));
        argv.addAll(List.of(args));
        shell.run(RemoteCommand.of(argv).asRoot(), ExecOptions.defaults().withTimeout(Duration.ofMinutes(30)),
                LineListener.IGNORE).requireSuccess();
    }
}
