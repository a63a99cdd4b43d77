package dev.twinshift.lab;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.ListeningPorts;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A throw-away cluster for destructive tests: its own btrfs subvolume (or ZFS dataset) in the lab,
 * created with Debian's pg_createcluster and dropped again (with everything the catalog holds for it)
 * on close.
 */
public final class ScratchCluster implements AutoCloseable {
    /**
     * Where scratch clusters live: the lab's btrfs, or another btrfs mount given as
     * {@code -Dtwinshift.lab.btrfs=...} (its own catalog and lock, so that lab tests can run beside others).
     */
    public static final String BTRFS = System.getProperty("twinshift.lab.btrfs", "/srv/twinshift-lab/btrfs");
    public static final String ZFS_POOL = "twinshift-lab";
    public static final String ZFS_MOUNT = "/srv/twinshift-lab/zfs";

    private final RemoteShell shell;
    private final String version;
    private final String name;
    private final String path;
    private final String base;
    private final String dataset;
    private List<String> initdbArgs = List.of();
    /* What close() removes besides the cluster, and the catalog's key for it: the data directory itself, or the
       subvolume that holds it; null for a cluster made inside another's volume (that one removes the volume). */
    private String volume;
    private String volumeKey;
    private String catalogRoot;
    private String walDirectory;

    private ScratchCluster(RemoteShell shell, String version, String name, String base, String dataset) {
        this(shell, version, name, base, base + "/" + name, dataset);
    }

    private ScratchCluster(RemoteShell shell, String version, String name, String base, String path, String dataset) {
        this.shell = shell;
        this.version = version;
        this.name = name;
        this.base = base;
        this.path = path;
        this.dataset = dataset;
        this.volume = path;
        this.volumeKey = name;
        this.catalogRoot = base + "/.twinshift";
    }

    /**
     * Creates and starts {@code VERSION/PREFIX<random>} whose PGDATA is {@code VOLUME/VERSION/NAME} (Debian's layout) inside a
     * new btrfs subvolume {@code VOLUME} in the lab: the layout of a {@code /var/lib/postgresql} on a subvolume of its own.
     */
    public static ScratchCluster createInSubvolume(RemoteShell shell, String version, String prefix) throws Exception {
        String name = prefix + UUID.randomUUID().toString().substring(0, 6);
        String vol = BTRFS + "/" + name + "-vol";
        ScratchCluster sc = new ScratchCluster(shell, version, name, BTRFS, vol + "/" + version + "/" + name, null);
        sc.volume = vol;
        sc.volumeKey = name + "-vol";
        try {
            shell.check(RemoteCommand.of("btrfs", "subvolume", "create", vol).asRoot());
            shell.check(RemoteCommand.of("mkdir", "-p", "--", sc.path).asRoot());
            shell.check(RemoteCommand.of("chown", "postgres:postgres", vol + "/" + version).asRoot());
            sc.createCluster();
            return sc;
        } catch (Exception e) {
            try {
                sc.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Creates and starts a second cluster {@code VERSION/PREFIX<random>} in the volume of {@code holder} (made by
     * {@link #createInSubvolume}), at {@code VOLUME/VERSION/NAME}. Closing it drops only the cluster.
     */
    public static ScratchCluster createBeside(ScratchCluster holder, String prefix) throws Exception {
        String name = prefix + UUID.randomUUID().toString().substring(0, 6);
        ScratchCluster sc = new ScratchCluster(holder.shell, holder.version, name, holder.base,
                holder.volume + "/" + holder.version + "/" + name, null);
        sc.volume = null;
        return sc.createOn(RemoteCommand.of("mkdir", "--", sc.path));
    }

    /**
     * Creates and starts {@code VERSION/PREFIX<random>} as a plain directory in {@code base}, its catalog
     * at {@code catalogRoot} (for storage whose catalog is not at {@code base}).
     */
    public static ScratchCluster createPlain(RemoteShell shell, String version, String prefix, String base,
                                             String catalogRoot, String volumeKey) throws Exception {
        String name = prefix + UUID.randomUUID().toString().substring(0, 6);
        ScratchCluster sc = new ScratchCluster(shell, version, name, base, null);
        sc.catalogRoot = catalogRoot;
        sc.volumeKey = volumeKey.replace("NAME", name);
        return sc.createOn(RemoteCommand.of("mkdir", sc.path));
    }

    /**
     * Creates and starts {@code VERSION/PREFIX<random>} on a new btrfs subvolume with its pg_wal in a plain
     * directory beside it, outside PGDATA (initdb's --waldir).
     */
    public static ScratchCluster createWithWalElsewhere(RemoteShell shell, String version, String prefix) throws Exception {
        String name = prefix + UUID.randomUUID().toString().substring(0, 6);
        ScratchCluster sc = new ScratchCluster(shell, version, name, BTRFS, null);
        sc.walDirectory = BTRFS + "/" + name + "-wal";
        return sc.createOn(RemoteCommand.of("btrfs", "subvolume", "create", sc.path));
    }

    /** Creates and starts {@code VERSION/PREFIX<random>} on a new btrfs subvolume. */
    public static ScratchCluster create(RemoteShell shell, String version, String prefix) throws Exception {
        return create(shell, version, prefix, BTRFS, true);
    }

    /**
     * Creates and starts {@code VERSION/PREFIX<random>} in {@code base}: as a btrfs subvolume, or as a
     * plain directory (for the reflink and plain-copy paths). {@code base} must be a mount point.
     */
    public static ScratchCluster create(RemoteShell shell, String version, String prefix, String base, boolean subvolume)
            throws Exception {
        String name = prefix + UUID.randomUUID().toString().substring(0, 6);
        ScratchCluster sc = new ScratchCluster(shell, version, name, base, null);
        String path = sc.path;
        return sc.createOn(subvolume ? RemoteCommand.of("btrfs", "subvolume", "create", path) : RemoteCommand.of("mkdir", path));
    }

    /**
     * Creates and starts {@code VERSION/PREFIX<random>} on a new btrfs subvolume, with arguments for
     * initdb (for example {@code -U dba} for a bootstrap superuser other than postgres).
     */
    public static ScratchCluster createWithInitdb(RemoteShell shell, String version, String prefix, List<String> initdbArgs)
            throws Exception {
        String name = prefix + UUID.randomUUID().toString().substring(0, 6);
        ScratchCluster sc = new ScratchCluster(shell, version, name, BTRFS, null);
        sc.initdbArgs = List.copyOf(initdbArgs);
        return sc.createOn(RemoteCommand.of("btrfs", "subvolume", "create", sc.path));
    }

    /**
     * Creates and starts {@code VERSION/PREFIX<random>} on a new dataset {@code twinshift-lab/NAME}
     * mounted at {@code /srv/twinshift-lab/zfs/NAME}: with that mount point set on the dataset itself
     * (as the lab's 15/zfs has it), or inherited from the pool.
     */
    public static ScratchCluster createZfs(RemoteShell shell, String version, String prefix, boolean localMountpoint)
            throws Exception {
        String name = prefix + UUID.randomUUID().toString().substring(0, 6);
        ScratchCluster sc = new ScratchCluster(shell, version, name, ZFS_MOUNT, ZFS_POOL + "/" + name);
        return sc.createOn(localMountpoint ? RemoteCommand.of("zfs", "create", "-o", "mountpoint=" + sc.path, sc.dataset)
                : RemoteCommand.of("zfs", "create", sc.dataset));
    }

    /**
     * Creates and starts {@code VERSION/PREFIX<random>} whose PGDATA is {@code VERSION/NAME} inside a new dataset
     * {@code twinshift-lab/NAME} (mounted at {@code /srv/twinshift-lab/zfs/NAME}).
     */
    public static ScratchCluster createInZfsDataset(RemoteShell shell, String version, String prefix) throws Exception {
        String name = prefix + UUID.randomUUID().toString().substring(0, 6);
        String mnt = ZFS_MOUNT + "/" + name;
        ScratchCluster sc = new ScratchCluster(shell, version, name, ZFS_MOUNT, mnt + "/" + version + "/" + name,
                ZFS_POOL + "/" + name);
        sc.volume = mnt;
        try {
            shell.check(RemoteCommand.of("zfs", "create", "-o", "mountpoint=" + mnt, sc.dataset).asRoot());
            shell.check(RemoteCommand.of("mkdir", "-p", "--", sc.path).asRoot());
            shell.check(RemoteCommand.of("chown", "postgres:postgres", mnt + "/" + version).asRoot());
            sc.createCluster();
            return sc;
        } catch (Exception e) {
            try {
                sc.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Makes the volume with {@code makeVolume}, then the cluster on it; whatever was made goes on failure. */
    private ScratchCluster createOn(RemoteCommand makeVolume) throws Exception {
        try {
            shell.check(makeVolume.asRoot());
            createCluster();
            return this;
        } catch (Exception e) {
            try {
                close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void createCluster() throws Exception {
        shell.check(RemoteCommand.of("chown", "postgres:postgres", path).asRoot());
        shell.check(RemoteCommand.of("chmod", "0700", path).asRoot());
        Set<Integer> reserved = new HashSet<>();
        for (PgCluster c : new ClusterDiscovery(shell).listClusters()) {
            reserved.add(c.port());
        }
        // Below the clone range, so clones started by the tests never compete for it.
        int port = 0;
        Set<Integer> listening = ListeningPorts.listening(shell);
        for (int p = 54100; p < 54300; p++) {
            if (!reserved.contains(p) && !listening.contains(p)) {
                port = p;
                break;
            }
        }
        if (walDirectory != null) {
            shell.check(RemoteCommand.of("mkdir", "--", walDirectory).asRoot());
            shell.check(RemoteCommand.of("chown", "postgres:postgres", walDirectory).asRoot());
            shell.check(RemoteCommand.of("chmod", "0700", walDirectory).asRoot());
        }
        List<String> argv = new ArrayList<>(List.of("pg_createcluster", "--start-conf=manual", "-d", path, "-p",
                Integer.toString(port), "--start", version, name));
        List<String> initdb = new ArrayList<>(initdbArgs);
        if (walDirectory != null) {
            initdb.add("--waldir=" + walDirectory);
        }
        if (!initdb.isEmpty()) {
            argv.add("--");
            argv.addAll(initdb);
        }
        shell.run(RemoteCommand.of(argv).asRoot(),
                ExecOptions.defaults().withTimeout(Duration.ofMinutes(5)), LineListener.IGNORE).requireSuccess();
    }

    public String id() {
        return version + "/" + name;
    }

    public String name() {
        return name;
    }

    public String path() {
        return path;
    }

    /** The ZFS dataset of a {@link #createZfs} cluster, else null. */
    public String dataset() {
        return dataset;
    }

    /** The cluster as discovery sees it now (running state included). */
    public PgCluster cluster() throws SshException, InterruptedException {
        return new ClusterDiscovery(shell).find(id());
    }

    public Psql psql() throws SshException, InterruptedException {
        return Psql.forCluster(shell, cluster());
    }

    public void sql(String db, String sql) throws SshException, InterruptedException {
        psql().exec(db, sql, Duration.ofMinutes(5));
    }

    public void pgctlcluster(String action) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of("pg_ctlcluster", version, name, action).asRoot(),
                ExecOptions.defaults().withTimeout(Duration.ofMinutes(5)), LineListener.IGNORE).requireSuccess();
    }

    /** Drops the cluster and removes its subvolume and whatever the catalog made of it. */
    @Override
    public void close() throws Exception {
        if (dataset != null) {
            // pg_dropcluster cannot remove a mount point: stop, destroy the datasets, then drop.
            shell.run(RemoteCommand.of("pg_ctlcluster", version, name, "stop", "-m", "fast").asRoot(),
                    ExecOptions.defaults().withTimeout(Duration.ofMinutes(5)), LineListener.IGNORE);
            closeZfs();
            shell.run(RemoteCommand.of("pg_dropcluster", version, name).asRoot(),
                    ExecOptions.defaults().withTimeout(Duration.ofMinutes(5)), LineListener.IGNORE).requireSuccess();
            return;
        }
        shell.run(RemoteCommand.of("pg_dropcluster", "--stop", version, name).asRoot(),
                ExecOptions.defaults().withTimeout(Duration.ofMinutes(5)), LineListener.IGNORE);
        String script = """
                for s in "$1" "$2"/snapshots/"$3"/* "$2"/replaced/"$3"-* "$2"/journal/*-rollback-"$3".jsonl; do
                  [ -e "$s" ] || continue
                  if [ "$(stat -c %i "$s")" = 256 ]; then btrfs subvolume delete "$s" >/dev/null; else rm -rf "$s"; fi
                done
                rmdir "$2"/snapshots/"$3" 2>/dev/null
                exit 0
                """;
        if (volume == null) {
            return; // its volume belongs to the cluster it was made beside
        }
        CommandResult r = shell.run(RemoteCommand.of("sh", "-c", script, "sh", volume, catalogRoot, volumeKey).asRoot());
        r.requireSuccess();
        if (walDirectory != null) {
            shell.run(RemoteCommand.of("rm", "-rf", "--", walDirectory).asRoot()).requireSuccess();
        }
    }

    /*
     * The dataset, the datasets rollbacks set aside for it (which may be clones of it or it of them, so
     * several passes) and its sidecars. zfs-fuse may call a dataset busy right after its server stopped.
     */
    private void closeZfs() throws Exception {
        String script = """
                live="$1"; replaced="$2"; key="$3"; catalog="$4"; mnt="$5"
                i=0
                while [ $i -lt 30 ]; do
                  left=""
                  for d in $( { zfs list -H -o name -t filesystem "$live"; zfs list -H -o name -t filesystem -r "$replaced"; } 2>/dev/null \
                              | grep -E "^($live|$replaced/$key-[0-9]{8}T[0-9]{6}Z(-new)?)$"); do
                    zfs destroy -R "$d" >/dev/null 2>&1 || left="$left $d"
                  done
                  [ -z "$left" ] && break
                  i=$((i + 1)); sleep 1
                done
                rm -rf -- "$catalog/snapshots/$key"
                rmdir -- "$mnt" 2>/dev/null
                [ -z "$left" ] || { echo "could not destroy:$left" >&2; exit 1; }
                """;
        shell.run(RemoteCommand.of("sh", "-c", script, "sh", dataset, ZFS_POOL + "/twinshift/replaced", name,
                ZFS_MOUNT + "/.twinshift", volume).asRoot(), ExecOptions.defaults().withTimeout(Duration.ofMinutes(5)),
                LineListener.IGNORE).requireSuccess();
    }

    /** md5 of every row of every user table, per table: what a rollback must bring back exactly. */
    public static List<String> checksums(Psql psql, String db) throws SshException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (List<String> t : psql.rows(db, "SELECT quote_ident(schemaname) || '.' || quote_ident(relname)"
                + " FROM pg_stat_user_tables ORDER BY 1")) {
            String table = t.get(0);
            out.add(table + "=" + psql.value(db, "SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, ','"
                    + " ORDER BY x::text)), '') FROM " + table + " x"));
        }
        return out;
    }
}
