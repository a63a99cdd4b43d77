package dev.twinshift.lab;

import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.upgrade.BlueGreen;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real PgBouncer (Debian's package) in front of a lab cluster, run as postgres from a private
 * directory: transaction pooling, the admin console for postgres, trust on the loopback only.
 */
public final class PgBouncerFixture implements AutoCloseable {
    private final RemoteShell shell;
    private final String dir;
    private final int port;

    private PgBouncerFixture(RemoteShell shell, String dir, int port) {
        this.shell = shell;
        this.dir = dir;
        this.port = port;
    }

    /** Starts PgBouncer with one [databases] entry per name, each to {@code dbname} on {@code backendPort}. */
    public static PgBouncerFixture start(RemoteShell shell, int backendPort, List<String> databases) throws Exception {
        String dir = shell.run(RemoteCommand.of("mktemp", "-d", "/var/lib/twinshift-lab/pgbouncer.XXXXXX").asRoot())
                .requireSuccess().stdout().strip();
        shell.check(RemoteCommand.of("chown", "postgres:postgres", dir).asRoot());
        Exception last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = 16000 + ThreadLocalRandom.current().nextInt(1000);
            StringBuilder ini = new StringBuilder("[databases]\n");
            for (String db : databases) {
                ini.append(db).append(" = host=/var/run/postgresql port=").append(backendPort).append(" dbname=").append(db)
                        .append('\n');
            }
            ini.append("""
                    [pgbouncer]
                    listen_addr = 127.0.0.1
                    listen_port = %d
                    unix_socket_dir = %s
                    auth_type = trust
                    auth_file = %s/users.txt
                    admin_users = postgres
                    pool_mode = transaction
                    max_client_conn = 200
                    default_pool_size = 20
                    pidfile = %s/pgbouncer.pid
                    logfile = %s/pgbouncer.log
                    """.formatted(port, dir, dir, dir, dir));
            write(shell, dir + "/pgbouncer.ini", ini.toString());
            write(shell, dir + "/users.txt", "\"postgres\" \"\"\n");
            CommandResult r = shell.run(RemoteCommand.of("pgbouncer", "-d", dir + "/pgbouncer.ini").asUser("postgres"),
                    Duration.ofSeconds(30));
            PgBouncerFixture f = new PgBouncerFixture(shell, dir, port);
            if (r.ok() && f.answers()) {
                return f;
            }
            last = new IllegalStateException("pgbouncer did not start on port " + port + ": " + r.stderr()
                    + shell.run(RemoteCommand.of("tail", "-n", "5", dir + "/pgbouncer.log").asRoot()).stdout());
            f.stopProcess();
        }
        throw last;
    }

    private static void write(RemoteShell shell, String path, String text) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of("sh", "-c", "cat > \"$1\"", "sh", path).asUser("postgres"),
                dev.twinshift.ssh.ExecOptions.defaults().withStdin(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                dev.twinshift.ssh.LineListener.IGNORE).requireSuccess();
    }

    private boolean answers() throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            try {
                if (shell.run(RemoteCommand.of("psql", "-X", "-At", "-h", dir, "-p", Integer.toString(port), "-U", "postgres",
                        "pgbouncer", "-c", "SHOW VERSION").asUser("postgres")).ok()) {
                    return true;
                }
            } catch (SshException e) {
                return false;
            }
            Thread.sleep(100);
        }
        return false;
    }

    public BlueGreen.Pooler pooler() {
        return new BlueGreen.Pooler(port, dir, "postgres", dir + "/pgbouncer.ini");
    }

    public int port() {
        return port;
    }

    public String socketDirectory() {
        return dir;
    }

    /** SHOW DATABASES: name -> port, and which are paused. */
    public Map<String, String> backendPorts() throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String line : admin("SHOW DATABASES").split("\n")) {
            String[] f = line.split("\\|", -1);
            if (f.length > 11 && !"pgbouncer".equals(f[0])) {
                out.put(f[0], f[2] + ("1".equals(f[11]) ? " paused" : ""));
            }
        }
        return out;
    }

    public String admin(String command) throws Exception {
        return shell.run(RemoteCommand.of("psql", "-X", "-At", "-h", dir, "-p", Integer.toString(port), "-U", "postgres",
                "pgbouncer", "-c", command).asUser("postgres")).requireSuccess().stdout();
    }

    /** Stops PgBouncer, keeping its directory (a test of an unreachable pooler starts it again). */
    public void stopProcess() throws InterruptedException {
        try {
            shell.run(RemoteCommand.of("sh", "-c", "[ -f \"$1/pgbouncer.pid\" ] && kill \"$(cat \"$1/pgbouncer.pid\")\"; "
                    + "i=0; while [ -f \"$1/pgbouncer.pid\" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; exit 0", "sh", dir)
                    .asRoot());
        } catch (SshException ignored) {
            // best effort; close() removes the directory
        }
    }

    public void restart() throws Exception {
        shell.check(RemoteCommand.of("pgbouncer", "-d", dir + "/pgbouncer.ini").asUser("postgres"));
        if (!answers()) {
            throw new IllegalStateException("pgbouncer did not come back on port " + port);
        }
    }

    @Override
    public void close() throws Exception {
        stopProcess();
        shell.run(RemoteCommand.of("rm", "-rf", "--", dir).asRoot());
    }
}
