package dev.twinshift.postgres;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.util.List;

/** Starts, stops and questions a cluster the way its manager expects. */
public final class ClusterControl {
    private static final Duration START_STOP = Duration.ofMinutes(10);

    /*
     * pg_ctl gives up after 60 s by default; crash recovery of a cluster restored from an online
     * snapshot, or the shutdown checkpoint of a busy one, can take longer without anything being wrong.
     */
    private static final String WAIT = "PGCTLTIMEOUT=600";

    private final RemoteShell shell;

    public ClusterControl(RemoteShell shell) {
        this.shell = shell;
    }

    /**
     * Stops the cluster; one that is not running counts as stopped, so that a step interrupted after
     * its stop can be run again (pg_ctlcluster itself exits 2 for a cluster already down).
     */
    public void stop(PgCluster c) throws SshException, InterruptedException {
        RemoteCommand cmd = c.manager() == PgCluster.Manager.POSTGRESQL_COMMON
                ? RemoteCommand.of("env", WAIT, "pg_ctlcluster", c.version(), c.name(), "stop", "-m", "fast").asRoot()
                : RemoteCommand.of(c.binDir() + "/pg_ctl", "stop", "-D", c.dataDirectory(), "-m", "fast", "-w",
                        "-t", "600").asUser(c.owner());
        CommandResult r = exec(cmd);
        if (!r.ok() && isRunning(c)) {
            r.requireSuccess();
        }
    }

    /** Starts the cluster; one already running counts as started (see {@link #stop}). */
    public void start(PgCluster c) throws SshException, InterruptedException {
        RemoteCommand cmd = c.manager() == PgCluster.Manager.POSTGRESQL_COMMON
                ? RemoteCommand.of("env", WAIT, "pg_ctlcluster", c.version(), c.name(), "start").asRoot()
                : RemoteCommand.of(c.binDir() + "/pg_ctl", "start", "-D", c.dataDirectory(), "-w", "-t", "600",
                        "-l", c.dataDirectory() + "/postmaster.log").asUser(c.owner());
        CommandResult r = exec(cmd);
        if (!r.ok() && !isRunning(c)) {
            r.requireSuccess();
        }
    }

    /** Whether a postmaster runs on the data directory (pg_ctl status: exit 0 running, 3 not). */
    public boolean isRunning(PgCluster c) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of(c.binDir() + "/pg_ctl", "status", "-D", c.dataDirectory())
                .asUser(c.owner()));
        if (r.exitCode() == 0) {
            return true;
        }
        if (r.exitCode() == 3) {
            return false;
        }
        r.requireSuccess();
        return false;
    }

    /** The WAL position: from the server when it runs (after any CHECKPOINT), else from pg_controldata. */
    public WalPosition walPosition(PgCluster c, boolean running) throws SshException, InterruptedException {
        if (running) {
            List<List<String>> rows = Psql.forCluster(shell, c).rows("postgres",
                    "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END,"
                            + " (SELECT timeline_id FROM pg_control_checkpoint())");
            return new WalPosition(rows.get(0).get(0), Integer.parseInt(rows.get(0).get(1)));
        }
        CommandResult r = shell.run(RemoteCommand.of("env", "LC_ALL=C", c.binDir() + "/pg_controldata", "-D",
                c.dataDirectory()).asUser(c.owner())).requireSuccess();
        return WalPosition.fromControlData(r.stdout());
    }

    private CommandResult exec(RemoteCommand cmd) throws SshException, InterruptedException {
        return shell.run(cmd, ExecOptions.defaults().withTimeout(START_STOP), LineListener.IGNORE);
    }
}
