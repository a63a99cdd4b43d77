package dev.twinshift.upgrade;

import dev.twinshift.postgres.ListeningPorts;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.Names;
import dev.twinshift.storage.StorageMethod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides how a cluster will be upgraded, from facts read beforehand. Pure: the same facts give the
 * same plan, and every refusal says what to change.
 */
public final class UpgradePlanner {
    static final long MIN_HEADROOM = 256L * 1024 * 1024;

    /** A plan, or why there cannot be one. */
    public record Result(UpgradePlan plan, List<String> refusals) {
        public boolean ok() {
            return plan != null;
        }
    }

    private UpgradePlanner() {}

    /**
     * @param targetVersion the major to upgrade to, or null for the newest installed
     * @param newName       the new cluster's name, or null for the old name (or NAME_MAJOR when that is taken)
     */
    public static Result plan(UpgradeFacts f, String targetVersion, String newName, Instant now) {
        PgCluster c = f.cluster();
        List<String> no = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int oldMajor = major(c.version());
        if (c.manager() != PgCluster.Manager.POSTGRESQL_COMMON) {
            no.add(c.id() + " is not managed by Debian's postgresql-common (pg_lsclusters): the cutover hands the port"
                    + " and configuration over the way pg_upgradecluster does, which needs it");
        }
        if (!c.walInsideDataDirectory()) {
            no.add("pg_wal of " + c.id() + " is outside PGDATA (" + c.walDirectory() + "): the pre-upgrade snapshot would"
                    + " not capture it; move pg_wal back into PGDATA first");
        }
        if (!c.tablespaces().isEmpty()) {
            no.add(c.id() + " has tablespaces: the pre-upgrade snapshot would miss them; Twinshift does not upgrade"
                    + " clusters with tablespaces yet");
        }
        String target = targetVersion;
        List<String> newer = f.installedVersions().stream().filter(v -> major(v) > oldMajor)
                .sorted(Comparator.comparingInt(UpgradePlanner::major)).toList();
        if (target == null) {
            target = newer.isEmpty() ? null : newer.get(newer.size() - 1);
            if (target == null) {
                no.add("no PostgreSQL newer than " + c.version() + " is installed on the server (found "
                        + String.join(", ", f.installedVersions()) + "): install the target first, for example"
                        + " apt-get install postgresql-15");
            }
        } else if (!newer.contains(target)) {
            no.add("PostgreSQL " + target + " is " + (major(target) <= oldMajor ? "not newer than " + c.version()
                    : "not installed on the server (found " + String.join(", ", f.installedVersions())
                    + "); install postgresql-" + target + " first"));
            target = null;
        }
        UpgradeMethod method = null;
        if (f.storage() == StorageMethod.ZFS_DATASET) {
            no.add(c.dataDirectory() + " is a ZFS dataset: ZFS has no reflinks for pg_upgrade --clone and upgrading"
                    + " on ZFS is not supported yet; snapshots and clones of it work");
        } else if (f.storage() == StorageMethod.BTRFS_SUBVOLUME || f.storage() == StorageMethod.REFLINK) {
            method = UpgradeMethod.CLONE;
        } else {
            method = UpgradeMethod.COPY;
            notes.add("the filesystem under " + c.dataDirectory() + " has no reflinks: pg_upgrade copies every file, so"
                    + " the cutover's downtime grows with the size of the cluster");
        }
        if (f.encoding() == null || f.lcCollate() == null) {
            no.add("the encoding and locale of " + c.id() + " could not be read: start it, the plan reads them from"
                    + " template1");
        }
        String name = null;
        String dataDir = null;
        if (target != null) {
            if (newName != null) {
                try {
                    name = Names.requireValid("new cluster name", newName);
                } catch (IllegalArgumentException e) {
                    no.add(e.getMessage());
                }
                if (name != null && f.existingClusters().contains(target + "/" + name)) {
                    no.add("a cluster " + describe(f, target + "/" + name) + " already exists: choose another name for"
                            + " the new cluster");
                    name = null;
                }
            } else {
                String same = target + "/" + c.name();
                name = f.existingClusters().contains(same) ? c.name() + "_" + major(target) : c.name();
                if (f.existingClusters().contains(target + "/" + name)) {
                    no.add("clusters " + describe(f, same) + " and " + describe(f, target + "/" + name)
                            + " already exist: give the new cluster a name");
                    name = null;
                } else if (!name.equals(c.name())) {
                    // Never silently: the administrator may expect the old name and find a broken entry in its way.
                    String problem = f.brokenClusters().get(same);
                    notes.add(same + " exists already" + (problem == null ? "" : " (broken: " + problem + ")")
                            + ", so the new cluster is " + target + "/" + name);
                }
            }
            if (name != null) {
                dataDir = newDataDirectory(c.dataDirectory(), c.version(), target, c.name(), name);
                if (f.pathsTaken().contains(dataDir)) {
                    no.add(dataDir + " already exists: move it away or give the new cluster another name");
                }
            }
        }
        long size = Math.max(0, c.sizeBytes());
        long headroom = method == UpgradeMethod.COPY ? size + size / 10 + MIN_HEADROOM
                : Math.max(MIN_HEADROOM, size / 20);
        if (method != null && f.freeBytes() >= 0 && f.freeBytes() < headroom) {
            no.add("the upgrade needs about " + human(headroom) + " free on " + f.filesystem() + " and "
                    + human(f.freeBytes()) + " are free: free space or grow the filesystem first");
        }
        if (f.installUser() != null && !f.installUser().equals("postgres")) {
            notes.add("the bootstrap superuser of " + c.id() + " is " + f.installUser() + ", not postgres: pg_upgrade"
                    + " runs with -U " + f.installUser() + " and the new cluster is initialised with the same");
        }
        if (!no.isEmpty()) {
            return new Result(null, List.copyOf(no));
        }
        int port = ListeningPorts.pickFree(f.takenPorts(), Set.of());
        String op = Catalog.STAMP.format(now) + "-upgrade-" + c.version() + "-" + c.name();
        UpgradePlan plan = new UpgradePlan(op, c.version(), c.name(), c.port(), c.dataDirectory(),
                Optional.ofNullable(c.configDirectory()).orElse("/etc/postgresql/" + c.version() + "/" + c.name()),
                c.owner(), target, name, dataDir, port, method, f.storage(), f.dataDirIsSubvolume(), f.encoding(),
                f.lcCollate(), f.lcCtype(), f.dataChecksums(), size, headroom, f.freeBytes(), f.filesystem(), f.cpus(), notes,
                f.installUser());
        return new Result(plan, List.of());
    }

    /** "15/main", with why it is broken when it is. */
    private static String describe(UpgradeFacts f, String id) {
        String problem = f.brokenClusters().get(id);
        return problem == null ? id : id + " (broken: " + problem + ")";
    }

    /**
     * Where the new PGDATA goes: beside the old one, on the same filesystem (pg_upgrade --clone needs
     * that), named after the new version the way the old one names its own.
     */
    static String newDataDirectory(String oldDir, String oldVersion, String newVersion, String oldName, String newName) {
        String dir = PgCluster.stripSlash(oldDir);
        int slash = dir.lastIndexOf('/');
        String parent = dir.substring(0, slash);
        String base = dir.substring(slash + 1);
        // Debian's own layout: /var/lib/postgresql/13/main -> /var/lib/postgresql/15/NEWNAME
        if (base.equals(oldName) && parent.endsWith("/" + oldVersion)) {
            return parent.substring(0, parent.length() - oldVersion.length()) + newVersion + "/" + newName;
        }
        String renamed = base.replace("pg" + oldVersion, "pg" + newVersion).replace(oldVersion + "-", newVersion + "-");
        if (!renamed.equals(base)) {
            if (!newName.equals(oldName)) {
                renamed = renamed.replace(oldName, newName);
            }
            return parent + "/" + renamed;
        }
        return parent + "/" + base + "-pg" + newVersion;
    }

    /** The major version of "13", "9.6" or "15.4": 13, 9, 15; -1 when it is not a version. */
    public static int major(String version) {
        try {
            return Integer.parseInt(version.contains(".") ? version.substring(0, version.indexOf('.')) : version);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A size as a DBA reads it: bytes, MiB or GiB. */
    public static String human(long bytes) {
        if (bytes < 1024 * 1024) {
            return bytes + " bytes";
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format("%.0f MiB", bytes / 1048576.0);
        }
        return String.format("%.1f GiB", bytes / 1073741824.0);
    }
}
