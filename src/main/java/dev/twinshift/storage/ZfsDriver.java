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
import java.util.regex.Pattern;

/**
 * ZFS datasets: native atomic snapshots ({@code DATASET@NAME}) and clones, which live as datasets
 * under {@code POOL/twinshift/clones/NAME}. Locations are dataset and snapshot names; the sidecars
 * stay in the catalog directory at the pool's mount point. Works with zfs-fuse's older command set
 * (no {@code zfs list -p}).
 *
 * <p>A rollback sets the live dataset aside as {@code POOL/twinshift/replaced/KEY-STAMP} and promotes
 * a clone of the snapshot into its place, which moves snapshots between those datasets: a snapshot of
 * a volume is found by its name among the live dataset and its set-aside predecessors (its lineage).
 */
public final class ZfsDriver implements StorageDriver {
    static final String CLONES = "twinshift/clones/";
    static final String REPLACED = "twinshift/replaced";
    private static final Pattern ASIDE_SUFFIX = Pattern.compile("\\d{8}T\\d{6}Z(-new)?");
    /* zfs-fuse can call a dataset busy for some seconds after its server stopped or it was unmounted. */
    private static final int BUSY_SECONDS = 30;

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

    /** Where rollbacks set live datasets of this pool aside. */
    static String replacedParent(String datasetOrSnapshot) {
        return pool(datasetOrSnapshot) + "/" + REPLACED;
    }

    /** A set-aside dataset's name, or with {@code -new} the replacement being made. */
    static String asideName(String live, String key, String stamp) {
        return replacedParent(live) + "/" + key + "-" + stamp;
    }

    /**
     * Whether {@code dataset} holds snapshots of the volume {@code key} whose live dataset is {@code live}:
     * the live one, a predecessor a rollback set aside, or a replacement a rollback left half-made.
     */
    static boolean inLineage(String live, String key, String dataset) {
        if (dataset.equals(live)) {
            return true;
        }
        String prefix = replacedParent(live) + "/" + key + "-";
        return dataset.startsWith(prefix) && ASIDE_SUFFIX.matcher(dataset.substring(prefix.length())).matches();
    }

    /**
     * Where the snapshot called {@code name} of volume {@code key} is among {@code snapshots} (output of
     * {@code zfs list -H -t snapshot -o name}); empty when nowhere or, ambiguously, in several datasets.
     */
    static Optional<String> locate(String live, String key, String name, String snapshots) {
        List<String> found = new ArrayList<>();
        for (String line : snapshots.split("\n")) {
            String s = line.strip();
            int at = s.indexOf('@');
            if (at > 0 && s.substring(at + 1).equals(name) && inLineage(live, key, s.substring(0, at))) {
                found.add(s);
            }
        }
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
    }

    /** Every snapshot in the pool, one name a line. */
    String snapshotNames(String pool) throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-r", pool).asRoot())
                .requireSuccess().stdout();
    }

    /** The snapshot where it is now: a rollback may have moved it to another dataset of its lineage. */
    @Override
    public String currentLocation(SnapshotRecord s) throws SshException, InterruptedException {
        if (s.location() == null || !s.location().contains("@") || s.sourcePath() == null || exists(s.location())) {
            return s.location();
        }
        return currentLocation(s, snapshotNames(pool(s.location())));
    }

    /** The same, looked up in a listing of {@link #snapshotNames} (one listing for many snapshots). */
    static String currentLocation(SnapshotRecord s, String snapshotNames) {
        if (s.location() == null || !s.location().contains("@") || s.sourcePath() == null
                || snapshotNames.lines().anyMatch(l -> l.strip().equals(s.location()))) {
            return s.location();
        }
        return locate(s.sourcePath(), s.volume(), s.name(), snapshotNames).orElse(s.location());
    }

    /** The datasets cloned from {@code snapshot} (zfs-fuse has no {@code clones} property to ask). */
    List<String> dependents(String snapshot) throws SshException, InterruptedException {
        String out = shell.run(RemoteCommand.of("zfs", "list", "-H", "-o", "name,origin", "-t", "filesystem", "-r",
                pool(snapshot)).asRoot()).requireSuccess().stdout();
        List<String> deps = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 2 && f[1].strip().equals(snapshot)) {
                deps.add(f[0].strip());
            }
        }
        return deps;
    }

    /** Whether {@code dataset} is one a rollback set aside. */
    static boolean isAside(String dataset) {
        return !dataset.contains("@") && dataset.startsWith(replacedParent(dataset) + "/");
    }

    /** A property's value and where it comes from ("local", "default", "inherited from POOL"). */
    String[] property(String dataset, String property) throws SshException, InterruptedException {
        String out = shell.run(RemoteCommand.of("zfs", "get", "-H", "-o", "value,source", property, dataset).asRoot())
                .requireSuccess().stdout().strip();
        String[] f = out.split("\t", 2);
        return new String[] {f[0].strip(), f.length > 1 ? f[1].strip() : ""};
    }

    /**
     * Runs a zfs command that unmounts or destroys {@code dataset}, retrying while zfs-fuse calls it
     * busy; fails with the reason once it stays busy.
     */
    void retryingBusy(String dataset, String mountpoint, String... args) throws SshException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("zfs"));
        argv.addAll(List.of(args));
        for (int attempt = 1; ; attempt++) {
            CommandResult r = shell.run(RemoteCommand.of(argv).asRoot(),
                    ExecOptions.defaults().withTimeout(Duration.ofMinutes(30)), LineListener.IGNORE);
            if (r.ok()) {
                return;
            }
            if (!r.stderr().contains("busy")) {
                r.requireSuccess();
            }
            if (attempt >= BUSY_SECONDS) {
                throw new IllegalStateException("ZFS dataset " + dataset + " is still busy after " + BUSY_SECONDS
                        + " s (`" + String.join(" ", argv) + "`: " + r.stderr().strip() + ")"
                        + (mountpoint == null ? "" : "; a process may hold files open under " + mountpoint
                        + " (see `fuser -vm " + mountpoint + "`)"));
            }
            Thread.sleep(1000);
        }
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
    public void cloneOf(String snapshot, String target) throws SshException, InterruptedException {
        if (exists(target)) {
            throw new IllegalStateException(target + " already exists on " + shell.serverName());
        }
        zfs("clone", "-p", snapshot, target);
    }

    /**
     * Destroys a snapshot, a clone dataset made by the catalog, or a dataset a rollback set aside.
     * Never recursive: a dataset with snapshots, or a snapshot with clones, is refused by zfs itself
     * with its own message.
     */
    @Override
    public void delete(String location) throws SshException, InterruptedException {
        boolean snapshot = location.contains("@");
        if (!snapshot && !location.startsWith(pool(location) + "/" + CLONES)
                && !location.startsWith(replacedParent(location) + "/")) {
            throw new IllegalArgumentException("refusing to destroy " + location + ": it is not a clone Twinshift made");
        }
        retryingBusy(location, null, "destroy", location);
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

    /**
     * A quota on the clone dataset: what it references now (shared with its origin) plus what it may
     * still write. A refreservation on the live dataset would guarantee live's space instead, but it
     * changes the live dataset and takes its whole size out of the pool at once, so it stays the
     * administrator's choice.
     */
    @Override
    public String limitClone(String location, long bytes) throws SshException, InterruptedException {
        long referenced = Long.parseLong(shell.run(RemoteCommand.of("zfs", "get", "-H", "-p", "-o", "value",
                "referenced", location).asRoot()).requireSuccess().stdout().strip());
        long quota = referenced + bytes;
        zfs("set", "quota=" + quota, location);
        return "ZFS quota of " + quota + " bytes (" + referenced + " shared with its origin + " + bytes + ")";
    }

    @Override
    public String mountPathOf(String location) throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("zfs", "get", "-H", "-o", "value", "mountpoint", location).asRoot())
                .requireSuccess().stdout().strip();
    }

    /** Runs {@code zfs ARGS...} as root; a long destroy or promote gets half an hour. */
    void zfs(String... args) throws SshException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("zfs"));
        argv.addAll(List.of(args));
        shell.run(RemoteCommand.of(argv).asRoot(), ExecOptions.defaults().withTimeout(Duration.ofMinutes(30)),
                LineListener.IGNORE).requireSuccess();
    }
}
