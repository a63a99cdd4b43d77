package dev.twinshift.postgres;

import java.util.List;
import java.util.Objects;

/**
 * A PostgreSQL cluster as found on a server.
 *
 * @param version         major version as its directory names spell it ("13", "15")
 * @param name            cluster name (Debian's; for an unmanaged postmaster, the data directory's last part)
 * @param port            port it listens on (or would)
 * @param running         whether a postmaster serves it now
 * @param status          status as reported ("online", "down", "online,recovery")
 * @param owner           the OS user that owns the data directory and runs the server
 * @param dataDirectory   PGDATA
 * @param configDirectory where postgresql.conf lives when it is not in PGDATA (Debian: /etc/postgresql/VER/NAME); null otherwise
 * @param socketDirectory the Unix socket directory clients use
 * @param logFile         server log file, null when unknown
 * @param walDirectory    where pg_wal really is (the symlink resolved); null when not looked at
 * @param tablespaces     user tablespaces (pg_tblspc links)
 * @param sizeBytes       size of PGDATA on disk, -1 when unknown
 * @param manager         how the cluster is managed, which decides how it is started and stopped
 * @param problem         why this entry is broken (its data directory is gone, unreadable, not a
 *                        cluster), null for a healthy one: a broken entry is listed, never acted on
 */
public record PgCluster(String version, String name, int port, boolean running, String status, String owner,
                        String dataDirectory, String configDirectory, String socketDirectory, String logFile,
                        String walDirectory, List<Tablespace> tablespaces, long sizeBytes, Manager manager,
                        String problem) {

    public enum Manager {
        /** Debian's postgresql-common: pg_ctlcluster, pg_lsclusters. */
        POSTGRESQL_COMMON,
        /** A postmaster found running, not known to any cluster manager. */
        POSTMASTER
    }

    /** A user tablespace: its OID (the link name in pg_tblspc) and the directory it points to. */
    public record Tablespace(String oid, String location) {
    }

    public PgCluster {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        tablespaces = tablespaces == null ? List.of() : List.copyOf(tablespaces);
        owner = owner == null || owner.isBlank() ? "postgres" : owner;
        socketDirectory = socketDirectory == null || socketDirectory.isBlank() ? "/var/run/postgresql" : socketDirectory;
        manager = manager == null ? Manager.POSTGRESQL_COMMON : manager;
        problem = problem == null || problem.isBlank() ? null : problem;
    }

    /** A healthy entry (no problem known). */
    public PgCluster(String version, String name, int port, boolean running, String status, String owner,
                     String dataDirectory, String configDirectory, String socketDirectory, String logFile,
                     String walDirectory, List<Tablespace> tablespaces, long sizeBytes, Manager manager) {
        this(version, name, port, running, status, owner, dataDirectory, configDirectory, socketDirectory, logFile,
                walDirectory, tablespaces, sizeBytes, manager, null);
    }

    /** Whether this entry is broken (see {@link #problem}). */
    public boolean broken() {
        return problem != null;
    }

    /** What an administrator can do about a broken entry. */
    public String repairAdvice() {
        if (manager == Manager.POSTGRESQL_COMMON) {
            return "restore the data directory, or remove the entry with `pg_dropcluster " + version + " " + name + "`"
                    + (configDirectory == null ? "" : " (its configuration is in " + configDirectory + ")");
        }
        return "restore the data directory " + dataDirectory;
    }

    /** "13/main", the name administrators use. */
    public String id() {
        return version + "/" + name;
    }

    /** The directory holding this version's server programs on a Debian-style layout. */
    public String binDir() {
        return "/usr/lib/postgresql/" + version + "/bin";
    }

    /** True when pg_wal is known to be inside PGDATA; false when outside or not known. */
    public boolean walInsideDataDirectory() {
        return walDirectory != null && isInside(walDirectory, dataDirectory);
    }

    PgCluster withDetails(String walDir, List<Tablespace> tbs, long size) {
        return new PgCluster(version, name, port, running, status, owner, dataDirectory, configDirectory,
                socketDirectory, logFile, walDir, tbs, size, manager, problem);
    }

    PgCluster withOwner(String o) {
        return new PgCluster(version, name, port, running, status, o, dataDirectory, configDirectory,
                socketDirectory, logFile, walDirectory, tablespaces, sizeBytes, manager, problem);
    }

    PgCluster withProblem(String why) {
        return new PgCluster(version, name, port, running, status, owner, dataDirectory, configDirectory,
                socketDirectory, logFile, walDirectory, tablespaces, sizeBytes, manager, why);
    }

    /** Whether {@code path} is {@code dir} or below it (both absolute, normalized). */
    public static boolean isInside(String path, String dir) {
        String d = stripSlash(dir);
        String p = stripSlash(path);
        return p.equals(d) || p.startsWith(d.equals("/") ? "/" : d + "/");
    }

    /** The path without trailing slashes ("/" stays "/"). */
    public static String stripSlash(String s) {
        String r = s;
        while (r.length() > 1 && r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }
}
