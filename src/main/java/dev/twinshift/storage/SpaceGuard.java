package dev.twinshift.storage;

import dev.twinshift.postgres.CloneServer;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.FailureCause;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps clones from taking the space the live cluster needs. On copy-on-write storage a clone's
 * writes come out of the same free space as the live cluster's, so: no clone is made or started
 * while the filesystem is under its floor ({@link SpacePolicy}); a clone gets a storage limit where
 * the storage has one; and every started clone is watched on the server by {@code space-watch.sh},
 * which stops the clones (never the live cluster) when free space falls under the floor and
 * records why beside the clone's sidecar, where {@link #stopReasons} finds it.
 */
public final class SpaceGuard {
    static final String SCRIPT = ServerScripts.text("space-watch.sh");
    /**
     * Beside the clone's sidecar (root's directory, not the clone's run directory, which its owner may
     * change: the watcher runs pg_ctl from this as root): what the watcher needs to know of a clone.
     */
    static final String WATCH_SUFFIX = ".space-watch";
    /** Beside the clone's sidecar: written by the watcher when it stopped the clone. */
    static final String STOP_SUFFIX = ".space-stop";

    /** Free space of the catalog's filesystem and its floor. */
    public record Standing(String mountPoint, long freeBytes, long sizeBytes, long floorBytes) {
        public boolean belowFloor() {
            return freeBytes < floorBytes;
        }

        /** Bytes a clone may still take before the floor is reached. */
        public long headroomBytes() {
            return Math.max(0, freeBytes - floorBytes);
        }

        public String describe() {
            return bytes(freeBytes) + " free on " + mountPoint + " (of " + bytes(sizeBytes) + "), floor "
                    + bytes(floorBytes);
        }
    }

    private final RemoteShell shell;

    public SpaceGuard(RemoteShell shell) {
        this.shell = shell;
    }

    static String bytes(long n) {
        return FailureCause.human(n) + " (" + n + " bytes)";
    }

    public String policyFile(Catalog catalog) {
        return catalog.root() + "/" + SpacePolicy.FILE;
    }

    /** The catalog's policy, or the defaults when it has none. */
    public SpacePolicy policy(Catalog catalog) throws SshException, InterruptedException {
        try {
            return catalog.readJson(policyFile(catalog), SpacePolicy.class).orElse(SpacePolicy.defaults());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; fix or remove it (keys: floorPercent, floorMinBytes,"
                    + " pollSeconds)", e);
        }
    }

    public Standing standing(Catalog catalog) throws SshException, InterruptedException {
        // What waits in the page cache is not allocated yet, and df would not count it (see space-watch.sh).
        shell.run(RemoteCommand.of("sync", "-f", "--", catalog.filesystemRoot()).asRoot(), Duration.ofMinutes(2));
        List<FailureCause.Free> m = FailureCause.measure(shell, "root", List.of(catalog.filesystemRoot()));
        if (m.isEmpty()) {
            throw new SshException(SshException.Kind.OTHER, "cannot measure the free space of " + catalog.filesystemRoot()
                    + " on " + shell.serverName() + " (df -B1 --output=avail,size,target failed)");
        }
        FailureCause.Free f = m.get(0);
        return new Standing(f.mountPoint(), f.availableBytes(), f.sizeBytes(), policy(catalog).floorFor(f.sizeBytes()));
    }

    /**
     * Refuses {@code what} (e.g. "start clone x") while the filesystem is under its floor.
     *
     * @param live the cluster whose space this is, for the message
     */
    public Standing requireAboveFloor(Catalog catalog, String what, String live)
            throws RefusedException, SshException, InterruptedException {
        Standing s = standing(catalog);
        if (s.belowFloor()) {
            throw new RefusedException("refusing to " + what + ": only " + bytes(s.freeBytes()) + " free on "
                    + s.mountPoint() + ", under the floor of " + bytes(s.floorBytes()) + " kept for the live cluster"
                    + (live == null ? "" : " " + live) + ". A clone's writes take this same space, which the live"
                    + " cluster needs for its WAL and data. Free space (destroy clones, delete old snapshots) or change"
                    + " the floor in " + policyFile(catalog) + ".");
        }
        return s;
    }

    /**
     * Makes the clone known to the watcher (and forgets why it was last stopped): written before the
     * clone starts, so the watcher never misses a running clone.
     */
    public void register(Catalog catalog, CloneServer.Spec spec) throws SshException, InterruptedException {
        String base = catalog.clonePath(spec.name());
        shell.run(RemoteCommand.of("sh", "-c", "printf '%s\\n%s\\n%s\\n' \"$3\" \"$4\" \"$5\" > \"$1.tmp\""
                        + " && mv -f -- \"$1.tmp\" \"$1\" && rm -f -- \"$2\"", "sh", base + WATCH_SUFFIX, base + STOP_SUFFIX,
                spec.dataDirectory(), spec.owner(), spec.binDir()).asRoot()).requireSuccess();
    }

    /** Forgets the clone (when it is destroyed). */
    public void unregister(Catalog catalog, String name) throws SshException, InterruptedException {
        String base = catalog.clonePath(name);
        shell.run(RemoteCommand.of("rm", "-f", "--", base + WATCH_SUFFIX, base + STOP_SUFFIX).asRoot()).requireSuccess();
    }

    /** Starts the catalog's watcher on the server unless one runs; it ends by itself with the last clone. */
    public void ensureWatcher(Catalog catalog) throws SshException, InterruptedException {
        String file = catalog.root() + "/space-watch.sh";
        shell.run(RemoteCommand.of("sh", "-c", "cat > \"$1.tmp\" && chmod 0755 \"$1.tmp\" && mv -f -- \"$1.tmp\" \"$1\"",
                        "sh", file).asRoot(),
                ExecOptions.defaults().withStdin(SCRIPT.getBytes(StandardCharsets.UTF_8)).withCaptureLimit(0),
                LineListener.IGNORE).requireSuccess();
        shell.run(RemoteCommand.of("sh", file, "start", catalog.root()).asRoot(), Duration.ofSeconds(90)).requireSuccess();
    }

    /** Why the watcher stopped each clone it stopped, by clone name; a later start clears it. */
    public Map<String, String> stopReasons(Catalog catalog) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("sh", "-c", "for f in \"$1\"/*\"$2\"; do [ -f \"$f\" ] || continue;"
                + " n=${f##*/}; printf '%s\\t%s\\n' \"${n%\"$2\"}\" \"$(head -n 1 \"$f\")\"; done; exit 0", "sh",
                catalog.clonesDir(), STOP_SUFFIX).asRoot()).requireSuccess();
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.stdout().split("\n")) {
            int t = line.indexOf('\t');
            if (t > 0) {
                out.put(line.substring(0, t), line.substring(t + 1));
            }
        }
        return out;
    }
}
