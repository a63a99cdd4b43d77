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

    public Psql(RemoteShell shell, String osUser, String socketDirectory, int port, String psqlPath) {
        this.shell = shell;
        this.osUser = osUser;
        this.socketDirectory = socketDirectory;
        this.port = port;
        this.psqlPath = psqlPath;
    }

    public static Psql forCluster(RemoteShell shell, PgCluster c) {
        return new Psql(shell, c.owner(), c.socketDirectory(), c.port(), c.binDir() + "/psql");
    }

    public int port() {
        return port;
    }

    public String socketDirectory() {
        return socketDirectory;
    }

    RemoteCommand command(String db, String sql) {
        return RemoteCommand.of(psqlPath, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", SEP,
                "-h", socketDirectory, "-p", Integer.toString(port), "-d", db, "-c", sql).asUser(osUser);
    }

    /** Runs the statement and returns psql's result, failing on an SQL error. */
    public CommandResult exec(String db, String sql, Duration timeout) throws SshException, InterruptedException {
        return shell.run(command(db, sql), ExecOptions.defaults().withTimeout(timeout), LineListener.IGNORE)
                .requireSuccess();
    }

    /** Runs a psql script (SQL and backslash commands) read from stdin, failing on the first error. */
    public CommandResult script(String db, String script, Duration timeout) throws SshException, InterruptedException {
        RemoteCommand cmd = RemoteCommand.of(psqlPath, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", SEP,
                "-h", socketDirectory, "-p", Integer.toString(port), "-d", db, "-f", "-").asUser(osUser);
        return shell.run(cmd, ExecOptions.defaults().withTimeout(timeout)
                .withStdin(script.getBytes(java.nio.charset.StandardCharsets.UTF_8)), LineListener.IGNORE).requireSuccess();
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
            return r.ok() && r.stdout().strip().equals("1");
        } catch (SshException e) {
            return false;
        }
    }
}
