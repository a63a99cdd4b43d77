package dev.twinshift.upgrade;

import dev.twinshift.postgres.ClusterControl;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.ListeningPorts;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.StorageAssessment;
import dev.twinshift.storage.StorageMethod;
import dev.twinshift.storage.StorageProbe;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;

/** Reads what an upgrade plan needs from a server, and finds upgrades journaled there. */
public final class Upgrades {
    /** Majors whose server binaries, pg_upgrade included, are installed (Debian and RHEL layouts). */
    static final String INSTALLED = """
            for d in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin; do
              [ -x "$d/pg_upgrade" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ] || continue
              v=${d%/bin}; v=${v##*/}; v=${v#pgsql-}; echo "$v"
            done
            exit 0
            """;

    private final RemoteShell shell;

    public Upgrades(RemoteShell shell) {
        this.shell = shell;
    }

    public List<String> installedVersions() throws SshException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (String l : shell.run(RemoteCommand.of("sh", "-c", INSTALLED)).requireSuccess().stdout().split("\n")) {
            if (!l.isBlank()) {
                out.add(l.strip());
            }
        }
        return out;
    }

    /** Everything the planner needs, read without changing anything. */
    public UpgradeFacts facts(PgCluster cluster) throws SshException, InterruptedException {
        ClusterDiscovery discovery = new ClusterDiscovery(shell);
        PgCluster c = discovery.withDetails(cluster);
        List<String> versions = installedVersions();
        Set<String> ids = new HashSet<>();
        Set<Integer> ports = new HashSet<>(ListeningPorts.listening(shell));
        Map<String, String> broken = new HashMap<>();
        for (PgCluster other : discovery.listClusters()) {
            ids.add(other.id());
            ports.add(other.port());
            // The entries whose names the new cluster could take: a plan says why it steps around one.
            boolean candidate = false;
            for (String v : versions) {
                candidate |= other.id().equals(v + "/" + c.name()) || other.id().equals(v + "/" + c.name() + "_"
                        + UpgradePlanner.major(v));
            }
            if (candidate) {
                PgCluster checked = discovery.checked(other);
                if (checked.broken()) {
                    broken.put(other.id(), checked.problem());
                }
            }
        }
        StorageAssessment a = new StorageProbe(shell).assess(c.dataDirectory());
        long free = -1;
        CommandResult df = shell.run(RemoteCommand.of("df", "-B1", "--output=avail", c.dataDirectory()).asRoot());
        if (df.ok()) {
            String[] lines = df.stdout().strip().split("\n");
            free = Long.parseLong(lines[lines.length - 1].strip());
        }
        String enc = null;
        String collate = null;
        String ctype = null;
        boolean checksums = false;
        String installUser = null;
        if (new ClusterControl(shell).isRunning(c)) {
            Psql psql = Psql.forCluster(shell, c);
            List<String> row = psql.rows("postgres", "SELECT pg_encoding_to_char(encoding), datcollate, datctype"
                    + " FROM pg_database WHERE datname = 'template1'").get(0);
            enc = row.get(0);
            collate = row.get(1);
            ctype = row.get(2);
            checksums = "on".equals(psql.value("postgres", "SHOW data_checksums"));
            installUser = psql.installUser();
        }
        Set<String> taken = new HashSet<>();
        for (String v : versions) {
            for (String name : List.of(c.name(), c.name() + "_" + UpgradePlanner.major(v))) {
                String candidate = UpgradePlanner.newDataDirectory(c.dataDirectory(), c.version(), v, c.name(), name);
                if (shell.run(RemoteCommand.of("test", "-e", candidate).asRoot()).ok()) {
                    taken.add(candidate);
                }
            }
        }
        int cpus = 1;
        CommandResult nproc = shell.run(RemoteCommand.of("nproc"));
        if (nproc.ok() && nproc.stdout().strip().matches("[0-9]+")) {
            cpus = Integer.parseInt(nproc.stdout().strip());
        }
        // A PGDATA inside a subvolume gets its new PGDATA beside it in the same subvolume (pg_upgrade
        // --clone works within one btrfs filesystem), snapshotted through that subvolume like the old.
        boolean ownSubvolume = a.method() == StorageMethod.BTRFS_SUBVOLUME && !a.nested();
        String catalogDir = a.method() == StorageMethod.ZFS_DATASET ? a.mountTarget() : ClusterVolume.catalogDirectory(a);
        return new UpgradeFacts(c, versions, ids, ports, a.method(), ownSubvolume, catalogDir, free, enc, collate, ctype,
                checksums, taken, cpus, broken, installUser);
    }

    public UpgradePlanner.Result plan(PgCluster cluster, String targetVersion, String newName)
            throws SshException, InterruptedException {
        return UpgradePlanner.plan(facts(cluster), targetVersion, newName, Instant.now());
    }

    /** Every upgrade journaled in the catalog of the cluster's filesystem, newest first. */
    public List<UpgradeState> journaled(Catalog catalog) throws SshException, InterruptedException {
        List<UpgradeState> out = new ArrayList<>();
        for (String op : Journal.operations(shell, catalog)) {
            out.add(UpgradeState.of(op, new Journal(shell, catalog, op).read()));
        }
        return out;
    }

    /** Upgrades of this cluster that neither completed nor were rolled back: a console must offer resume or rollback. */
    public List<UpgradeState> unfinished(Catalog catalog, String clusterId) throws SshException, InterruptedException {
        List<UpgradeState> out = new ArrayList<>();
        for (UpgradeState s : journaled(catalog)) {
            if (s.operation().contains("-upgrade-") && s.unfinished() && s.plan() != null && (s.plan().oldId().equals(clusterId) || s.plan().newId().equals(clusterId))) {
                out.add(s);
            }
        }
        return out;
    }
}
