package dev.twinshift.schedule;

import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.StorageMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One cluster's schedule as {@code CATALOG/schedule/KEY.conf} holds it: {@code key=value} lines that
 * {@code schedule.sh} reads without ever running them as shell. The same checks are made here before
 * writing, so a value the script would refuse is refused at the console with what to do.
 *
 * @param method how snapshot.sh takes it: BTRFS, ZFS, REFLINK or COPY
 */
public record ScheduleConf(String cluster, String pgdata, String source, String volumeKey, String method,
                           String dataSubpath, String owner, String bindir, boolean enabled, SnapshotPolicy policy) {

    private static final Pattern CLUSTER = Pattern.compile("[0-9][0-9.]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern ABS = Pattern.compile("/[A-Za-z0-9._/@+-]*");
    private static final Pattern ZFS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]*");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern SUB = Pattern.compile("[A-Za-z0-9._-][A-Za-z0-9._/-]*");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]*");

    public ScheduleConf {
        check("cluster", cluster, CLUSTER.matcher(cluster).matches());
        check("PGDATA", pgdata, ABS.matcher(pgdata).matches() && plain(pgdata));
        check("volume", source, (ABS.matcher(source).matches() || ZFS.matcher(source).matches()) && plain(source));
        check("volume key", volumeKey, KEY.matcher(volumeKey).matches());
        check("method", method, method.matches("BTRFS|ZFS|REFLINK|COPY"));
        check("data subpath", dataSubpath, dataSubpath.isEmpty() || SUB.matcher(dataSubpath).matches() && plain(dataSubpath));
        check("owner", owner, USER.matcher(owner).matches());
        check("bin directory", bindir, ABS.matcher(bindir).matches() && plain(bindir));
    }

    private static boolean plain(String p) {
        String s = (p.startsWith("/") ? "" : "/") + p + "/";
        return !s.contains("/../") && !s.contains("/./") && !s.contains("//");
    }

    private static void check(String what, String value, boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("the " + what + " \"" + value + "\" has characters the server's schedule"
                    + " refuses (letters, digits and . _ - / only, no .. or //); scheduled snapshots need plain names");
        }
    }

    /** snapshot.sh's name for a storage method. */
    public static String methodOf(StorageMethod m) {
        return switch (m) {
            case BTRFS_SUBVOLUME -> "BTRFS";
            case ZFS_DATASET -> "ZFS";
            case REFLINK -> "REFLINK";
            case PLAIN_COPY -> "COPY";
        };
    }

    /** The schedule of a cluster's volume as resolved now. */
    public static ScheduleConf of(ClusterVolume v, boolean enabled, SnapshotPolicy policy) {
        return new ScheduleConf(v.cluster().id(), v.cluster().dataDirectory(), v.volumePath(), v.volumeKey(),
                methodOf(v.storage().method()), v.dataSubpath(), v.cluster().owner(), v.cluster().binDir(), enabled, policy);
    }

    public ScheduleConf withEnabled(boolean e) {
        return new ScheduleConf(cluster, pgdata, source, volumeKey, method, dataSubpath, owner, bindir, e, policy);
    }

    public ScheduleConf withPolicy(SnapshotPolicy p) {
        return new ScheduleConf(cluster, pgdata, source, volumeKey, method, dataSubpath, owner, bindir, enabled, p);
    }

    /** The file's text. */
    public String toText() {
        return "# Written by Twinshift (twinshift schedule enable|disable|policy); read by schedule.sh, never run.\n"
                + "cluster=" + cluster + "\n" + "pgdata=" + pgdata + "\n" + "source=" + source + "\n"
                + "volumeKey=" + volumeKey + "\n" + "method=" + method + "\n" + "dataSubpath=" + dataSubpath + "\n"
                + "owner=" + owner + "\n" + "bindir=" + bindir + "\n" + "enabled=" + enabled + "\n"
                + "policy=" + policy + "\n";
    }

    /** Reads a file written by {@link #toText()} (or by hand, in the same form). */
    public static ScheduleConf parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("\"" + line + "\" is not key=value");
            }
            m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        String policy = m.getOrDefault("policy", "");
        return new ScheduleConf(req(m, "cluster"), req(m, "pgdata"), req(m, "source"), req(m, "volumeKey"), req(m, "method"),
                m.getOrDefault("dataSubpath", ""), req(m, "owner"), req(m, "bindir"), "true".equals(m.get("enabled")),
                policy.isBlank() ? SnapshotPolicy.DEFAULT : SnapshotPolicy.parse(policy));
    }

    private static String req(Map<String, String> m, String k) {
        String v = m.get(k);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("the schedule has no " + k + "=");
        }
        return v;
    }
}
