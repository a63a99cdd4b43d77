package dev.twinshift.storage;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces a live ZFS dataset's content with a snapshot without destroying any snapshot (as
 * {@code zfs rollback -r} would, the safety snapshot included):
 *
 * <ol>
 * <li>clone the snapshot to {@code POOL/twinshift/replaced/KEY-STAMP-new}, unmounted, with the live
 * dataset's local properties;</li>
 * <li>promote the clone while its origin is in the volume's lineage, so that it owns the snapshot and
 * every earlier one (they keep their names once it takes the live name) and the live dataset becomes a
 * clone that can be renamed;</li>
 * <li>unmount the live dataset and rename it to {@code POOL/twinshift/replaced/KEY-STAMP} (it keeps the
 * snapshots taken after the target, the safety snapshot among them);</li>
 * <li>rename the clone to the live name and give it the live mount point back.</li>
 * </ol>
 *
 * Every step is undone in reverse order by {@link #undo}.
 */
final class ZfsSwap {
    private final RemoteShell shell;
    private final ZfsDriver zfs;
    private final Progress progress;
    private final String live;
    private final String key;
    private final String mountpoint;
    private final boolean mountpointLocal;
    private final Map<String, String> localProperties;

    private String fresh;
    private String aside;
    private boolean freshMade;
    private final List<String> demoted = new ArrayList<>();
    private boolean liveUnmounted;
    private boolean liveAside;
    private boolean freshInPlace;

    private ZfsSwap(RemoteShell shell, ZfsDriver zfs, Progress progress, String live, String key, String mountpoint,
                    boolean mountpointLocal, Map<String, String> localProperties) {
        this.shell = shell;
        this.zfs = zfs;
        this.progress = progress;
        this.live = live;
        this.key = key;
        this.mountpoint = mountpoint;
        this.mountpointLocal = mountpointLocal;
        this.localProperties = localProperties;
    }

    /** Checks, before anything is touched, that the swap can be done safely; refuses otherwise. */
    static ZfsSwap plan(RemoteShell shell, ZfsDriver zfs, Progress progress, ClusterVolume v)
            throws RefusedException, SshException, InterruptedException {
        String live = v.volumePath();
        String id = v.cluster().id();
        String untouched = "; " + id + " was not touched";
        if (!live.contains("/")) {
            throw new RefusedException("PGDATA of " + id + " is the root dataset of pool " + live
                    + ", which cannot be renamed aside; give PGDATA a dataset of its own" + untouched);
        }
        if (live.startsWith(ZfsDriver.pool(live) + "/twinshift/")) {
            throw new RefusedException("PGDATA of " + id + " is " + live + ", a dataset Twinshift manages (a clone or a"
                    + " set-aside volume); roll back only a cluster's own dataset" + untouched);
        }
        CommandResult children = shell.run(RemoteCommand.of("zfs", "list", "-H", "-o", "name", "-t", "filesystem,volume",
                "-r", live).asRoot()).requireSuccess();
        List<String> nested = children.stdout().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.equals(live))
                .toList();
        if (!nested.isEmpty()) {
            throw new RefusedException("ZFS dataset " + live + " has datasets inside it (" + String.join(", ", nested)
                    + "): its snapshots do not contain them, so a rollback would mix two points in time" + untouched);
        }
        String[] mp = zfs.property(live, "mountpoint");
        // PGDATA itself, or the directory of the dataset that holds it (then PGDATA is inside it).
        String dataDir = PgCluster.stripSlash(v.storage().volumeRoot());
        if (!PgCluster.stripSlash(mp[0]).equals(dataDir)) {
            throw new RefusedException("ZFS dataset " + live + " is mounted at " + mp[0] + ", not at " + dataDir
                    + " where PGDATA of " + id + " is" + untouched);
        }
        boolean local;
        if (mp[1].equals("local") || mp[1].equals("received")) {
            local = true;
        } else if (mp[1].startsWith("inherited") || mp[1].equals("default")) {
            local = false;
        } else {
            throw new RefusedException("the mount point of ZFS dataset " + live + " comes from " + mp[1]
                    + ", which Twinshift cannot give a replacement" + untouched);
        }
        Map<String, String> props = new LinkedHashMap<>();
        String all = shell.run(RemoteCommand.of("zfs", "get", "-H", "-s", "local", "-o", "property,value", "all", live)
                .asRoot()).requireSuccess().stdout();
        for (String line : all.split("\n")) {
            String[] f = line.split("\t", 2);
            if (f.length == 2 && !f[0].strip().equals("mountpoint")) {
                props.put(f[0].strip(), f[1].strip());
            }
        }
        return new ZfsSwap(shell, zfs, progress, live, v.volumeKey(), dataDir, local, props);
    }

    String aside() {
        return aside;
    }

    /**
     * Makes the replacement from {@code snapshot}: nothing live is changed, but promotions move
     * snapshots between datasets (under the same names once the swap is done, or undone).
     */
    void prepare(String snapshot, String stamp) throws SshException, InterruptedException {
        aside = ZfsDriver.asideName(live, key, stamp);
        fresh = aside + "-new";
        if (zfs.exists(aside) || zfs.exists(fresh)) {
            throw new IllegalStateException(aside + " already exists on " + shell.serverName());
        }
        String parent = ZfsDriver.replacedParent(live);
        if (!zfs.exists(parent)) {
            CommandResult r = shell.run(RemoteCommand.of("zfs", "create", "-p", "-o", "mountpoint=none", parent).asRoot());
            if (!r.ok() && !zfs.exists(parent)) {
                r.requireSuccess();
            }
        }
        progress.step("clone " + snapshot + " -> " + fresh + " (unmounted until it takes the place of " + live + ")");
        List<String> clone = new ArrayList<>(List.of("clone", "-o", "mountpoint=none"));
        for (Map.Entry<String, String> p : localProperties.entrySet()) {
            clone.add("-o");
            clone.add(p.getKey() + "=" + p.getValue());
        }
        clone.add(snapshot);
        clone.add(fresh);
        zfs.zfs(clone.toArray(String[]::new));
        freshMade = true;
        // Each promotion hands the clone the origin's snapshots up to the cloned one; a second is needed
        // when the target sits on a set-aside dataset that is itself a clone of the live one.
        for (int i = 0; i < 16; i++) {
            String origin = zfs.property(fresh, "origin")[0];
            if (origin.equals("-") || !origin.contains("@")) {
                break;
            }
            String originDataset = origin.substring(0, origin.indexOf('@'));
            if (!ZfsDriver.inLineage(live, key, originDataset)) {
                break;
            }
            progress.step("promote " + fresh + " (takes over the snapshots of " + originDataset + " up to " + origin + ")");
            zfs.zfs("promote", fresh);
            demoted.add(originDataset);
        }
    }

    /** Puts the replacement in the live dataset's place, mounted at PGDATA. */
    void swap() throws SshException, InterruptedException {
        progress.step("unmount " + live + " (" + mountpoint + ")");
        zfs.retryingBusy(live, mountpoint, "set", "mountpoint=none", live);
        liveUnmounted = true;
        progress.step("set the live dataset aside: " + live + " -> " + aside);
        // zfs-fuse can call a dataset busy for a while after it was unmounted.
        zfs.retryingBusy(live, null, "rename", live, aside);
        liveAside = true;
        progress.step("put " + fresh + " in its place: " + fresh + " -> " + live);
        zfs.zfs("rename", fresh, live);
        freshInPlace = true;
        mountAtDataDirectory(live);
    }

    /** Undoes whatever was done, in reverse order; what cannot be undone is added to {@code cause}. */
    void undo(Exception cause) throws InterruptedException {
        try {
            if (freshInPlace) {
                zfs.retryingBusy(live, mountpoint, "set", "mountpoint=none", live);
                zfs.zfs("rename", live, fresh);
                freshInPlace = false;
            }
            if (liveAside) {
                zfs.zfs("rename", aside, live);
                liveAside = false;
            }
            if (liveUnmounted) {
                mountAtDataDirectory(live);
                liveUnmounted = false;
            }
            for (int i = demoted.size() - 1; i >= 0; i--) {
                zfs.zfs("promote", demoted.get(i));
                demoted.remove(i);
            }
            if (freshMade) {
                zfs.delete(fresh);
                freshMade = false;
            }
        } catch (SshException | RuntimeException e) {
            cause.addSuppressed(new IllegalStateException("putting ZFS dataset " + live + " back failed: " + e.getMessage()
                    + "; by hand: " + manualSteps(), e));
        }
    }

    /** What is left to do by hand to get back to the state before, in order. */
    private String manualSteps() {
        List<String> steps = new ArrayList<>();
        if (freshInPlace) {
            steps.add("zfs set mountpoint=none " + live);
            steps.add("zfs rename " + live + " " + fresh);
        }
        if (liveAside) {
            steps.add("zfs rename " + aside + " " + live);
        }
        if (liveUnmounted) {
            steps.add(mountpointLocal ? "zfs set mountpoint=" + mountpoint + " " + live : "zfs inherit mountpoint " + live);
        }
        for (int i = demoted.size() - 1; i >= 0; i--) {
            steps.add("zfs promote " + demoted.get(i));
        }
        if (freshMade) {
            steps.add("zfs destroy " + fresh);
        }
        return String.join("; ", steps);
    }

    /**
     * Destroys datasets earlier rollbacks of this volume set aside that hold no snapshot any more (their
     * content was only kept for those). zfs itself refuses any that still has snapshots or clones.
     */
    void removeEmptyAsides() throws SshException, InterruptedException {
        String parent = ZfsDriver.replacedParent(live);
        CommandResult ds = shell.run(RemoteCommand.of("zfs", "list", "-H", "-o", "name", "-t", "filesystem", "-r", parent)
                .asRoot());
        if (!ds.ok()) {
            return;
        }
        String snaps = zfs.snapshotNames(parent);
        for (String d : ds.stdout().lines().map(String::strip).toList()) {
            if (d.equals(live) || !ZfsDriver.inLineage(live, key, d) || d.equals(aside)
                    || snaps.lines().anyMatch(s -> s.startsWith(d + "@"))) {
                continue;
            }
            CommandResult r = shell.run(RemoteCommand.of("zfs", "destroy", d).asRoot());
            progress.step(r.ok() ? "removed " + d + " (set aside by an earlier rollback, no snapshot left on it)"
                    : "kept " + d + ": " + r.stderr().strip());
        }
    }

    private void mountAtDataDirectory(String dataset) throws SshException, InterruptedException {
        if (mountpointLocal) {
            zfs.zfs("set", "mountpoint=" + mountpoint, dataset);
        } else {
            zfs.zfs("inherit", "mountpoint", dataset);
        }
        String[] mp = zfs.property(dataset, "mountpoint");
        String mounted = zfs.property(dataset, "mounted")[0];
        if (!PgCluster.stripSlash(mp[0]).equals(mountpoint) || !mounted.equals("yes")) {
            throw new IllegalStateException(dataset + " should be mounted at " + mountpoint + " but has mountpoint " + mp[0]
                    + " (mounted: " + mounted + ")");
        }
    }
}
