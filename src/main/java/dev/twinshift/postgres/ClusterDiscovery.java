package dev.twinshift.postgres;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the PostgreSQL clusters of a server. Read-only: it never starts, stops or writes anything.
 * Debian's {@code pg_lsclusters} is the truth where it exists; elsewhere, running postmasters and
 * their {@code postmaster.pid}.
 */
public final class ClusterDiscovery {
    private final RemoteShell shell;

    public ClusterDiscovery(RemoteShell shell) {
        this.shell = shell;
    }

    /**
     * Every cluster with its details (pg_wal, tablespaces, size). An account without passwordless
     * sudo still sees the clusters; the details that need root (PGDATA is mode 0700) stay unknown.
     * One broken entry (its data directory gone or unreadable) is listed with its {@link PgCluster#problem}
     * and never hides the others.
     */
    public List<PgCluster> discover() throws SshException, InterruptedException {
        List<PgCluster> base = listClusters();
        List<PgCluster> out = new ArrayList<>();
        for (PgCluster c : base) {
            out.add(inspect(c, true));
        }
        return out;
    }

    /**
     * The entry as listed, with where its files are (no size) and, if it is broken, why: for a look at
     * one entry, such as the cluster whose name an upgrade would take.
     */
    public PgCluster checked(PgCluster c) throws SshException, InterruptedException {
        return inspect(c, false);
    }

    private PgCluster inspect(PgCluster c, boolean measure) throws SshException, InterruptedException {
        try {
            return details(c, measure);
        } catch (SshException e) {
            if (e.kind() == SshException.Kind.SUDO_PASSWORD_REQUIRED) {
                return c;
            }
            if (e.kind() == SshException.Kind.COMMAND_FAILED) {
                return c.withProblem("its data directory " + c.dataDirectory() + " could not be read: " + e.getMessage());
            }
            throw e;
        }
    }

    /** The cluster called {@code id} ("13/main"), with its details. */
    public PgCluster find(String id) throws SshException, InterruptedException {
        return details(required(id), true);
    }

    /**
     * The cluster called {@code id} with where its files are (pg_wal, tablespaces) but not its size:
     * measuring reads every file of PGDATA, seconds on a large cluster, too slow inside a downtime.
     */
    public PgCluster locate(String id) throws SshException, InterruptedException {
        return details(required(id), false);
    }

    /** The cluster called {@code id} as pg_lsclusters lists it, without any details, if it exists. */
    public Optional<PgCluster> listed(String id) throws SshException, InterruptedException {
        return listClusters().stream().filter(x -> x.id().equals(id)).findFirst();
    }

    private PgCluster required(String id) throws SshException, InterruptedException {
        List<PgCluster> all = listClusters();
        return all.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no cluster " + id + " on " + shell.serverName() + " (found: "
                        + String.join(", ", all.stream().map(PgCluster::id).toList()) + ")"));
    }

    /**
     * The clusters without the slower per-cluster details. Where Debian's postgresql-common is
     * installed its pg_lsclusters is the truth, and a failure of it is an error, never a reason to
     * guess from running processes (it fails for a moment while a cluster is being created or dropped,
     * so it is asked again first). Running postmasters are read only where it is absent.
     */
    public List<PgCluster> listClusters() throws SshException, InterruptedException {
        CommandResult last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (attempt > 0) {
                Thread.sleep(500L * attempt);
            }
            CommandResult json = shell.run(RemoteCommand.of("pg_lsclusters", "--json").asRoot());
            if (!json.ok() && json.stderr().contains("sudo: a password is required")) {
                // pg_lsclusters works for any user; root only makes its status checks more thorough.
                json = shell.run(RemoteCommand.of("pg_lsclusters", "--json"));
            }
            if (json.ok() && json.stdout().strip().startsWith("[")) {
                List<PgLsClusters.Entry> entries = PgLsClusters.parseJson(json.stdout());
                Map<String, String> names = userNames(entries.stream().map(PgLsClusters.Entry::ownerUid).toList());
                List<PgCluster> out = new ArrayList<>();
                for (PgLsClusters.Entry e : entries) {
                    String owner = e.ownerUid() == null ? null : names.getOrDefault(e.ownerUid(), e.ownerUid());
                    out.add(e.cluster().withOwner(owner));
                }
                return out;
            }
            // postgresql-common before 226 has no --json: its table then.
            CommandResult text = shell.run(RemoteCommand.of("pg_lsclusters", "--no-header").asRoot());
            if (!text.ok() && text.stderr().contains("sudo: a password is required")) {
                text = shell.run(RemoteCommand.of("pg_lsclusters", "--no-header"));
            }
            if (text.ok()) {
                return PgLsClusters.parseText(text.stdout());
            }
            last = text;
            // Only once it failed: whether it is there at all (this runs on every refresh).
            if (attempt == 0 && !shell.run(RemoteCommand.of("sh", "-c", "command -v pg_lsclusters")).ok()) {
                return fromPostmasters();
            }
        }
        throw new SshException(SshException.Kind.COMMAND_FAILED, "pg_lsclusters failed on " + shell.serverName()
                + " (exit " + last.exitCode() + "): " + last.stderr().strip()
                + "; check the clusters' configuration under /etc/postgresql");
    }

    private Map<String, String> userNames(List<String> uids) throws SshException, InterruptedException {
        Set<String> distinct = new LinkedHashSet<>();
        for (String u : uids) {
            if (u != null && u.chars().allMatch(Character::isDigit)) {
                distinct.add(u);
            }
        }
        Map<String, String> out = new HashMap<>();
        if (distinct.isEmpty()) {
            return out;
        }
        List<String> argv = new ArrayList<>(List.of("getent", "passwd"));
        argv.addAll(distinct);
        CommandResult r = shell.run(RemoteCommand.of(argv));
        for (String line : r.stdout().split("\n")) {
            String[] f = line.split(":");
            if (f.length > 2) {
                out.put(f[2], f[0]);
            }
        }
        return out;
    }

    /** Clusters that no manager knows: running postmasters, read from their postmaster.pid. */
    List<PgCluster> fromPostmasters() throws SshException, InterruptedException {
        CommandResult ps = shell.run(RemoteCommand.of("ps", "-eo", "pid=,ppid=,user=,args=")).requireSuccess();
        List<PgCluster> out = new ArrayList<>();
        for (PsPostmasters.Postmaster pm : PsPostmasters.parse(ps.stdout())) {
            CommandResult cwd = shell.run(RemoteCommand.of("readlink", "/proc/" + pm.pid() + "/cwd").asRoot());
            String dataDir = cwd.ok() && !cwd.stdout().isBlank() ? cwd.stdout().strip() : pm.dataDirectoryArg();
            if (dataDir == null) {
                continue;
            }
            CommandResult pidFile = shell.run(RemoteCommand.of("cat", "--", dataDir + "/postmaster.pid").asRoot());
            CommandResult ver = shell.run(RemoteCommand.of("cat", "--", dataDir + "/PG_VERSION").asRoot());
            if (!pidFile.ok() || !ver.ok()) {
                continue;
            }
            PostmasterPid pid = PostmasterPid.parse(pidFile.stdout());
            String name = dataDir.substring(dataDir.lastIndexOf('/') + 1);
            out.add(new PgCluster(ver.stdout().strip(), name.isEmpty() ? "data" : name, pid.port(), true, "online",
                    pm.user(), dataDir, null, pid.socketDirectory(), null, null, List.of(), -1,
                    PgCluster.Manager.POSTMASTER));
        }
        return out;
    }

    /** Adds where pg_wal really is, the tablespaces and the size of PGDATA. */
    public PgCluster withDetails(PgCluster c) throws SshException, InterruptedException {
        return details(c, true);
    }

    private PgCluster details(PgCluster c, boolean measure) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("sh", "-c", ClusterDetails.SCRIPT, "sh", c.dataDirectory(),
                measure ? "size" : "no-size").asRoot()).requireSuccess();
        ClusterDetails d = ClusterDetails.parse(r.stdout());
        if (d.missing()) {
            // A half-dropped cluster (or a volume not mounted): the configuration is there, the data is not.
            return c.withProblem("data directory " + c.dataDirectory() + " is gone");
        }
        PgCluster withDetails = c.withDetails(d.walDirectory(), d.tablespaces(), d.sizeBytes());
        if (d.pgVersion() == null) {
            return withDetails.withProblem("data directory " + c.dataDirectory() + " has no PG_VERSION: it is not"
                    + " (or no longer) a PostgreSQL data directory");
        }
        return withDetails;
    }
}
