package dev.twinshift.postgres;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.FailureCause;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.ShellQuote;
import dev.twinshift.ssh.SshException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a clone's data directory as its own PostgreSQL server, with the same major version's
 * binaries, and makes sure it can never reach production: own port and socket, only localhost, no
 * WAL archiving, no restore or primary connection, no WAL senders, no logical replication workers,
 * no external pid file or statistics directory shared with the source, replication slots dropped and
 * subscriptions disabled and detached from their remote slots.
 *
 * <p>The settings are applied three times over, each beating the one before: appended to a copy of
 * the source's postgresql.conf, appended to the clone's own postgresql.auto.conf (so even a manual
 * {@code pg_ctl start} of the clone stays safe), and given on the server's command line.
 */
public final class CloneServer {
    static final String BEGIN = "# twinshift-clone-begin";
    static final String END = "# twinshift-clone-end";
    /** sun_path is 108 bytes with the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;

    /**
     * @param name                  the clone's name
     * @param version               major version; binaries from /usr/lib/postgresql/VERSION/bin
     * @param owner                 OS user that runs it
     * @param dataDirectory         the clone's PGDATA
     * @param runDirectory          the clone's own directory for config, log (and socket when the path is short)
     * @param sourceConfigDirectory where the source kept postgresql.conf when not in PGDATA (Debian), else null
     * @param port                  port to listen on
     * @param socketDirectory       Unix socket directory
     */
    public record Spec(String name, String version, String owner, String dataDirectory, String runDirectory,
                       String sourceConfigDirectory, int port, String socketDirectory) {

        public String binDir() {
            return "/usr/lib/postgresql/" + version + "/bin";
        }

        public String confDir() {
            return runDirectory + "/conf";
        }

        public String logFile() {
            return runDirectory + "/postgresql.log";
        }

        public int major() {
            try {
                return Integer.parseInt(version.contains(".") ? version.substring(0, version.indexOf('.')) : version);
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        /** libpq key/value form over the Unix socket. */
        public String connectionString(String db) {
            return "host=" + socketDirectory + " port=" + port + " dbname=" + db + " user=" + owner;
        }

        /** URI form over TCP to localhost (needs a matching pg_hba.conf host line). */
        public String localhostUri(String db) {
            return "postgresql://" + owner + "@localhost:" + port + "/" + db;
        }
    }

    private final RemoteShell shell;

    public CloneServer(RemoteShell shell) {
        this.shell = shell;
    }

    /**
     * The clone's run directory when the socket path fits in it; else null: the socket then needs a
     * private directory made by {@link SocketDirectories#make} (never a name that can be predicted).
     */
    public static String socketDirectoryFor(String runDirectory, int port) {
        String inRun = runDirectory + "/.s.PGSQL." + port;
        return inRun.length() <= MAX_SOCKET_PATH ? runDirectory : null;
    }

    /** The settings that keep a clone away from production, in the order they are written. */
    public static Map<String, String> safetySettings(Spec s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("port", Integer.toString(s.port()));
        m.put("listen_addresses", "localhost");
        m.put("unix_socket_directories", s.socketDirectory());
        // Debian points this at /var/run/postgresql/VER-NAME.pid, which the source's init scripts rely on.
        m.put("external_pid_file", s.runDirectory() + "/postgres.pid");
        m.put("cluster_name", "twinshift-clone-" + s.name());
        m.put("archive_mode", "off");
        m.put("archive_command", "");
        if (s.major() >= 12) {
            m.put("restore_command", "");
            m.put("primary_conninfo", "");
            m.put("primary_slot_name", "");
        }
        m.put("max_wal_senders", "0");
        if (s.major() >= 10) {
            m.put("max_logical_replication_workers", "0");
        }
        // A commit would wait forever for a standby that is never coming.
        m.put("synchronous_standby_names", "");
        if (s.major() > 0 && s.major() < 15) {
            // Debian points this at /var/run/postgresql/VER-NAME.pg_stat_tmp, shared with the source otherwise.
            m.put("stats_temp_directory", s.runDirectory() + "/pg_stat_tmp");
        }
        m.put("logging_collector", "off");
        m.put("log_destination", "stderr");
        return m;
    }

    /** Everything given on the command line: the safety settings plus where the files are. */
    public static Map<String, String> commandLineSettings(Spec s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("config_file", s.confDir() + "/postgresql.conf");
        m.put("data_directory", s.dataDirectory());
        m.put("hba_file", s.confDir() + "/pg_hba.conf");
        m.put("ident_file", s.confDir() + "/pg_ident.conf");
        m.putAll(safetySettings(s));
        return m;
    }

    /** Lines for a configuration file, between markers so that a later start replaces them. */
    public static String confBlock(Map<String, String> settings) {
        StringBuilder b = new StringBuilder("\n").append(BEGIN)
                .append(" (written by Twinshift: this is a clone; these settings keep it away from production)\n");
        for (Map.Entry<String, String> e : settings.entrySet()) {
            b.append(e.getKey()).append(" = ").append(confQuote(e.getValue())).append('\n');
        }
        return b.append(END).append('\n').toString();
    }

    static String confQuote(String v) {
        if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a setting cannot contain a line break");
        }
        return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** The string pg_ctl hands to a shell as the server's options: each argument quoted. */
    public static String pgCtlOptions(Map<String, String> settings) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            args.add("-c");
            args.add(e.getKey() + "=" + e.getValue());
        }
        return ShellQuote.join(args);
    }

    /** Exit 0: a postmaster runs on this data directory; 3: no postmaster.pid; 4: a stale one. */
    static final String RUNNING_SCRIPT = """
            f="$1/postmaster.pid"
            [ -f "$f" ] || exit 3
            pid=$(head -n 1 "$f")
            case "$pid" in ''|*[!0-9]*) exit 4;; esac
            [ "$(readlink -f "/proc/$pid/cwd" 2>/dev/null)" = "$(readlink -f "$1")" ] && exit 0
            exit 4
            """;

    /** Whether a postmaster runs on the clone's data directory (not merely a postmaster.pid copied from the source). */
    public boolean isRunning(Spec s) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("sh", "-c", RUNNING_SCRIPT, "sh", s.dataDirectory()).asRoot());
        if (r.exitCode() == 0) {
            return true;
        }
        if (r.exitCode() == 3 || r.exitCode() == 4) {
            return false;
        }
        r.requireSuccess();
        return false;
    }

    /** Replaces a marked block in a config file (or appends it), reading the new block from stdin. */
    static final String REPLACE_BLOCK_SCRIPT = """
            f=$1
            if [ -f "$f" ]; then
              sed -i '/^# twinshift-clone-begin/,/^# twinshift-clone-end/d' "$f"
            fi
            cat >> "$f"
            """;

    /** Writes the clone's configuration; the clone must not be running. */
    public void prepare(Spec s) throws SshException, InterruptedException {
        if (s.major() < 10) {
            throw new IllegalArgumentException("clones of PostgreSQL " + s.version() + " are not supported (10 or later)");
        }
        String data = s.dataDirectory();
        String run = s.runDirectory();
        // Files that came with the snapshot and belong to the source's life, not the clone's.
        root("rm", "-f", "--", data + "/postmaster.pid", data + "/standby.signal", data + "/recovery.signal",
                data + "/recovery.conf", data + "/postmaster.opts");
        root("mkdir", "-p", "--", run);
        root("rm", "-rf", "--", s.confDir());
        if (s.sourceConfigDirectory() != null) {
            root("cp", "-a", "--", s.sourceConfigDirectory(), s.confDir());
        } else {
            root("mkdir", "-p", "--", s.confDir());
            for (String f : List.of("postgresql.conf", "pg_hba.conf", "pg_ident.conf")) {
                CommandResult t = shell.run(RemoteCommand.of("test", "-f", data + "/" + f).asRoot());
                if (t.ok()) {
                    root("cp", "-a", "--", data + "/" + f, s.confDir() + "/" + f);
                }
            }
            // The source's configuration is gone with it (a Debian cluster dropped after its snapshot, as
            // an upgrade's rollback drops the new one): the clone then takes local connections only,
            // each as its own OS user, which is what the console and the tests use.
            shell.run(RemoteCommand.of("sh", "-c", """
                    [ -f "$1/postgresql.conf" ] || : > "$1/postgresql.conf"
                    [ -f "$1/pg_ident.conf" ] || : > "$1/pg_ident.conf"
                    [ -f "$1/pg_hba.conf" ] || printf 'local all all peer\n' > "$1/pg_hba.conf"
                    """, "sh", s.confDir()).asRoot()).requireSuccess();
        }
        if (s.major() < 15) {
            root("mkdir", "-p", "--", run + "/pg_stat_tmp");
        }
        if (!s.socketDirectory().equals(run)) {
            // Made by mktemp for this start; root never creates or chowns a socket directory by a known name.
            SocketDirectories.requirePrivate(shell, s.socketDirectory(), s.owner());
        }
        root("chown", "-R", s.owner() + ":", run);
        root("chmod", "0700", run);

        Map<String, String> all = commandLineSettings(s);
        Map<String, String> forConf = new LinkedHashMap<>(all);
        forConf.remove("config_file");
        replaceBlock(s, s.confDir() + "/postgresql.conf", confBlock(forConf));
        // postgresql.auto.conf overrides postgresql.conf (an ALTER SYSTEM on the source may have set
        // archive_command); paths to files are not allowed there.
        Map<String, String> forAuto = new LinkedHashMap<>(safetySettings(s));
        replaceBlock(s, data + "/postgresql.auto.conf", confBlock(forAuto));
    }

    private void replaceBlock(Spec s, String file, String block) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of("sh", "-c", REPLACE_BLOCK_SCRIPT, "sh", file).asUser(s.owner()),
                ExecOptions.defaults().withStdin(block.getBytes(StandardCharsets.UTF_8)), LineListener.IGNORE)
                .requireSuccess();
    }

    /** Starts the clone and waits until it accepts connections (crash recovery included). */
    public void start(Spec s, Duration timeout) throws SshException, InterruptedException {
        RemoteCommand cmd = RemoteCommand.of(s.binDir() + "/pg_ctl", "start", "-D", s.dataDirectory(), "-w", "-t",
                Long.toString(timeout.toSeconds()), "-l", s.logFile(), "-o", pgCtlOptions(commandLineSettings(s)))
                .asUser(s.owner());
        CommandResult r = shell.run(cmd, ExecOptions.defaults().withTimeout(timeout.plusSeconds(30)), LineListener.IGNORE);
        if (!r.ok()) {
            CommandResult log = shell.run(RemoteCommand.of("tail", "-n", "20", "--", s.logFile()).asRoot());
            String tail = log.ok() ? log.stdout() : "";
            // The server's reason is in its log, not in pg_ctl's output: a full disk is named from there too.
            String cause = FailureCause.diagnose(shell, "root", r.stderr() + "\n" + tail,
                    List.of(s.dataDirectory(), s.runDirectory()));
            throw new SshException(cause == null ? SshException.Kind.COMMAND_FAILED : SshException.Kind.NO_SPACE,
                    (cause == null ? "" : cause + ": ") + "clone " + s.name() + " did not start (pg_ctl exited "
                    + r.exitCode() + "): " + r.stderr().strip() + (log.ok() ? "\nlast lines of " + s.logFile() + ":\n"
                    + tail.strip() : ""));
        }
    }

    /**
     * Drops the replication slots the clone inherited (they would only pin WAL in the clone) and
     * disables every subscription and detaches it from its publisher's slot, so that even a DROP
     * SUBSCRIPTION in the clone cannot drop the slot production's subscriber uses.
     */
    public void neutralizeReplication(Spec s) throws SshException, InterruptedException {
        Psql psql = psql(s);
        psql.exec("postgres", "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active",
                Duration.ofMinutes(2));
        List<List<String>> dbs = psql.rows("postgres",
                "SELECT d.datname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid GROUP BY d.datname");
        for (List<String> row : dbs) {
            String db = row.get(0);
            String script = """
                    SELECT format('ALTER SUBSCRIPTION %I DISABLE', s.subname) FROM pg_subscription s
                     WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \\gexec
                    SELECT format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', s.subname) FROM pg_subscription s
                     WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \\gexec
                    """;
            psql.script(db, script, Duration.ofMinutes(2));
        }
    }

    /** A prepared transaction as pg_prepared_xacts lists it. */
    public record PreparedTransaction(String gid, String owner, String database, String prepared) {
    }

    /**
     * Rolls back every prepared transaction the clone inherited from its snapshot, each in its own
     * database (ROLLBACK PREPARED works only there). In a clone nobody will ever commit them, and
     * their row locks would make the first UPDATE of those rows wait forever. Live keeps its own.
     *
     * @return what was rolled back
     */
    public List<PreparedTransaction> rollBackPreparedTransactions(Spec s) throws SshException, InterruptedException {
        Psql psql = psql(s);
        List<PreparedTransaction> found = new ArrayList<>();
        for (List<String> r : psql.rows("postgres", "SELECT gid, owner, database, prepared FROM pg_catalog.pg_prepared_xacts"
                + " ORDER BY database, prepared, gid")) {
            found.add(new PreparedTransaction(r.get(0), r.get(1), r.get(2), r.get(3)));
        }
        java.util.Set<String> dbs = new java.util.LinkedHashSet<>();
        found.forEach(p -> dbs.add(p.database()));
        for (String db : dbs) {
            // Each ROLLBACK PREPARED its own statement (it cannot run in a transaction block); the gid is
            // quoted by the server, never by string concatenation here.
            psql.script(db, "SELECT format('ROLLBACK PREPARED %L', gid) FROM pg_catalog.pg_prepared_xacts"
                    + " WHERE database = current_database() \\gexec\n", Duration.ofMinutes(5));
        }
        return found;
    }

    public void stop(Spec s) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of(s.binDir() + "/pg_ctl", "stop", "-D", s.dataDirectory(), "-m", "fast", "-w", "-t",
                "300").asUser(s.owner()), ExecOptions.defaults().withTimeout(Duration.ofMinutes(6)), LineListener.IGNORE)
                .requireSuccess();
    }

    public Psql psql(Spec s) {
        return new Psql(shell, s.owner(), s.socketDirectory(), s.port(), s.binDir() + "/psql",
                s.confDir() + "/pg_ident.conf");
    }

    private void root(String... argv) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of(argv).asRoot()).requireSuccess();
    }
}
