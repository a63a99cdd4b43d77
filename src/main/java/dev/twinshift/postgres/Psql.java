package dev.twinshift.postgres;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs SQL on a server through {@code psql} as the cluster's OS user over the Unix socket (peer
 * authentication, no password). SQL text here is fixed by the code; values from users never go into it.
 */
public final class Psql {
    /** Field separator for {@link #rows}: the ASCII unit separator never appears in catalog names. */
    static final String SEP = "\u001f";

    private final RemoteShell shell;
    private final String osUser;
    private final String socketDirectory;
    private final int port;
    private final String psqlPath;
    private final String identFile;
    /** The role psql logs in as; null: psql's default, the OS user's name. */
    private volatile String role;
    private volatile boolean roleLookedFor;

    public Psql(RemoteShell shell, String osUser, String socketDirectory, int port, String psqlPath) {
        this(shell, osUser, socketDirectory, port, psqlPath, null);
    }

    /**
     * @param identFile the server's pg_ident.conf, read (as root) for the roles its OS user may log in as
     *                  when no role of its own name exists; null when unknown
     */
    public Psql(RemoteShell shell, String osUser, String socketDirectory, int port, String psqlPath, String identFile) {
        this.shell = shell;
        this.osUser = osUser;
        this.socketDirectory = socketDirectory;
        this.port = port;
        this.psqlPath = psqlPath;
        this.identFile = identFile;
    }

    public static Psql forCluster(RemoteShell shell, PgCluster c) {
        String conf = c.configDirectory() != null ? c.configDirectory() : c.dataDirectory();
        return new Psql(shell, c.owner(), c.socketDirectory(), c.port(), c.binDir() + "/psql", conf + "/pg_ident.conf");
    }

    public int port() {
        return port;
    }

    public String socketDirectory() {
        return socketDirectory;
    }

    /** The bootstrap superuser (the role with oid 10, "the install user" pg_upgrade needs with -U). */
    public String installUser() throws SshException, InterruptedException {
        return value("postgres", "SELECT rolname FROM pg_catalog.pg_roles WHERE oid = 10");
    }

    RemoteCommand command(String db, String sql) {
        return RemoteCommand.of(argv("-d", db, "-c", sql)).asUser(osUser);
    }

    private List<String> argv(String... tail) {
        List<String> a = new ArrayList<>(List.of(psqlPath, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", SEP,
                "-h", socketDirectory, "-p", Integer.toString(port)));
        String r = role;
        if (r != null) {
            a.add("-U");
            a.add(r);
        }
        a.addAll(Arrays.asList(tail));
        return a;
    }

    /** Runs the statement and returns psql's result, failing on an SQL error. */
    public CommandResult exec(String db, String sql, Duration timeout) throws SshException, InterruptedException {
        ExecOptions o = ExecOptions.defaults().withTimeout(timeout);
        CommandResult r = shell.run(command(db, sql), o, LineListener.IGNORE);
        if (!r.ok() && roleRefused(r.stderr()) && findRole(r.stderr())) {
            r = shell.run(command(db, sql), o, LineListener.IGNORE);
        }
        return r.requireSuccess();
    }

    /** Runs a psql script (SQL and backslash commands) read from stdin, failing on the first error. */
    public CommandResult script(String db, String script, Duration timeout) throws SshException, InterruptedException {
        ExecOptions o = ExecOptions.defaults().withTimeout(timeout)
                .withStdin(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        CommandResult r = shell.run(RemoteCommand.of(argv("-d", db, "-f", "-")).asUser(osUser), o, LineListener.IGNORE);
        if (!r.ok() && roleRefused(r.stderr()) && findRole(r.stderr())) {
            r = shell.run(RemoteCommand.of(argv("-d", db, "-f", "-")).asUser(osUser), o, LineListener.IGNORE);
        }
        return r.requireSuccess();
    }

    /** The server turned the login role away (no such role, or peer authentication refused it). */
    private boolean roleRefused(String stderr) {
        return roleRefused(stderr, role == null ? osUser : role);
    }

    /** A refusal at login (FATAL), not an SQL error about some other role. */
    static boolean roleRefused(String stderr, String loginRole) {
        return stderr.contains("FATAL:") && (stderr.contains("role \"" + loginRole + "\" does not exist")
                || stderr.contains("Peer authentication failed for user \"" + loginRole + "\""));
    }

    /**
     * Finds a role the OS user may log in as when the one of its own name does not exist: those
     * pg_ident.conf maps it to, then "postgres". True when one was found; otherwise an error that
     * says what to set up.
     */
    private synchronized boolean findRole(String refusal) throws SshException, InterruptedException {
        if (roleLookedFor) {
            return false;
        }
        roleLookedFor = true;
        List<String> tried = new ArrayList<>();
        for (String candidate : roleCandidates()) {
            if (candidate.equals(role == null ? osUser : role) || tried.contains(candidate)) {
                continue;
            }
            tried.add(candidate);
            CommandResult r = shell.run(RemoteCommand.of(psqlPath, "-X", "-q", "-A", "-t", "-h", socketDirectory, "-p",
                    Integer.toString(port), "-U", candidate, "-d", "postgres", "-c", "SELECT 1").asUser(osUser),
                    Duration.ofSeconds(30));
            if (r.ok()) {
                role = candidate;
                return true;
            }
        }
        throw new SshException(SshException.Kind.COMMAND_FAILED, "cannot log in to the cluster on port " + port
                + " as OS user " + osUser + ": " + refusal.strip()
                + (tried.isEmpty() ? "" : "; tried the roles " + String.join(", ", tried) + " as well")
                + ". Its bootstrap superuser (the role with oid 10) must be reachable from OS user " + osUser
                + " over the Unix socket: map it in " + (identFile == null ? "pg_ident.conf" : identFile)
                + " (for example `owner " + osUser + " <superuser>` with `map=owner` on the local line of pg_hba.conf)"
                + " and reload, or create a role " + osUser + ".");
    }

    private List<String> roleCandidates() throws SshException, InterruptedException {
        List<String> out = new ArrayList<>();
        if (identFile != null) {
            CommandResult r = shell.run(RemoteCommand.of("cat", "--", identFile).asRoot());
            if (r.ok()) {
                out.addAll(mappedRoles(r.stdout(), osUser));
            }
        }
        out.add("postgres");
        return out;
    }

    /** The database roles pg_ident.conf lets {@code osUser} log in as (plain entries; regular expressions are skipped). */
    static List<String> mappedRoles(String identConf, String osUser) {
        List<String> out = new ArrayList<>();
        for (String raw : identConf.split("\n")) {
            String line = raw.contains("#") ? raw.substring(0, raw.indexOf('#')) : raw;
            String[] f = line.strip().split("\\s+");
            if (f.length == 3 && f[1].equals(osUser) && !f[2].contains("\\") && !f[2].startsWith("+")) {
                String r = f[2].startsWith("\"") && f[2].endsWith("\"") && f[2].length() > 1
                        ? f[2].substring(1, f[2].length() - 1) : f[2];
                if (!out.contains(r)) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** The single value of a one-row, one-column query. */
    public String value(String db, String sql) throws SshException, InterruptedException {
        return exec(db, sql, Duration.ofMinutes(5)).stdout().strip();
    }

    /** Every row, each as its fields. */
    public List<List<String>> rows(String db, String sql) throws SshException, InterruptedException {
        String out = exec(db, sql, Duration.ofMinutes(5)).stdout();
        return parseRows(out);
    }

    static List<List<String>> parseRows(String out) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            rows.add(Arrays.asList(line.split(SEP, -1)));
        }
        return rows;
    }

    /** Whether the server answers {@code SELECT 1}. */
    public boolean answers(String db) throws InterruptedException {
        try {
            CommandResult r = shell.run(command(db, "SELECT 1"), Duration.ofSeconds(30));
            if (!r.ok() && roleRefused(r.stderr()) && findRole(r.stderr())) {
                r = shell.run(command(db, "SELECT 1"), Duration.ofSeconds(30));
            }
            return r.ok() && r.stdout().strip().equals("1");
        } catch (SshException e) {
            return false;
        }
    }
}
