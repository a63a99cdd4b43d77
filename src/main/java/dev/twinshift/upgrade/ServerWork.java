package dev.twinshift.upgrade;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.SocketDirectories;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the rehearsal and the cutover both do on the server: make the new cluster's data directory
 * and carry the old configuration into the new one, the same way on a twin as on live, so that the
 * rehearsal proves what the cutover will do.
 */
final class ServerWork {
    private final RemoteShell shell;
    private final UpgradeListener listener;

    ServerWork(RemoteShell shell, UpgradeListener listener) {
        this.shell = shell;
        this.listener = listener;
    }

    /**
     * An empty data directory for the new version: a btrfs subvolume when asked (so it can be
     * snapshotted like the old one), owned by the cluster's user, mode 0700.
     */
    void createDataDirectory(String path, boolean subvolume, String likeDirectory, String owner)
            throws SshException, InterruptedException {
        if (subvolume) {
            root("btrfs", "subvolume", "create", path);
        } else {
            root("mkdir", "-p", "--", path);
        }
        // btrfs refuses to reflink between a no-copy-on-write file (chattr +C, which Debian's
        // pg_createcluster sets on btrfs) and an ordinary one, and pg_upgrade --clone then fails with
        // "Invalid argument": the new directory takes the old one's attribute before any file is made
        // in it, so its files inherit it.
        shell.run(RemoteCommand.of("sh", "-c", """
                a=$(lsattr -d "$1" 2>/dev/null | cut -d' ' -f1)
                case "$a" in *C*) chattr +C "$2" ;; esac
                exit 0""", "sh", likeDirectory, path).asRoot()).requireSuccess();
        root("chown", owner + ":", path);
        root("chmod", "0700", path);
    }

    /**
     * Carries the old cluster's configuration into {@code toDir} as Debian's pg_upgradecluster does:
     * postgresql.conf with the settings the new version knows (asked of the new server, which reads
     * {@code askDir}), the overrides in place, and pg_hba.conf, pg_ident.conf and conf.d as they are.
     *
     * @return how many settings the new version does not know (commented out)
     */
    int carryConfiguration(UpgradePlan plan, String toDir, String askDir, Map<String, String> overrides)
            throws SshException, InterruptedException {
        String from = plan.oldConfigDirectory();
        String oldConf = shell.run(RemoteCommand.of("cat", "--", from + "/postgresql.conf").asRoot()).requireSuccess().stdout();
        Set<String> known = NewVersionSettings.known(shell, plan, askDir, oldConf);
        ConfigCarryOver.Result carried = ConfigCarryOver.carry(oldConf, known, overrides);
        for (String n : carried.notes()) {
            listener.log("configuration: " + n);
        }
        root("mkdir", "-p", "--", toDir);
        writeFile(toDir + "/postgresql.conf", carried.text(), plan.owner());
        shell.run(RemoteCommand.of("sh", "-c", """
                for f in pg_hba.conf pg_ident.conf conf.d; do
                  [ -e "$1/$f" ] && { cp -a "$1/$f" "$2/" && chown -R "$3:" "$2/$f" || exit 1; }
                done
                exit 0""", "sh", from, toDir, plan.owner()).asRoot()).requireSuccess();
        return carried.notes().size();
    }

    /** Replaces a file in one rename, so that a reader never sees half of it. */
    void writeFile(String path, String text, String owner) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of("sh", "-c", "cat > \"$1.tmp\" && chown \"$2:\" \"$1.tmp\" && mv -f \"$1.tmp\" \"$1\"",
                        "write", path, owner).asRoot(),
                ExecOptions.defaults().withStdin(text.getBytes(StandardCharsets.UTF_8)), LineListener.IGNORE).requireSuccess();
    }

    /** Runs a command whose output the administrator should see, line by line, in the step's log. */
    void logged(RemoteCommand cmd, Duration timeout) throws SshException, InterruptedException {
        listener.log("$ " + String.join(" ", cmd.argv()));
        shell.run(cmd, ExecOptions.defaults().withTimeout(timeout), (s, l) -> listener.log(l)).requireSuccess();
    }

    boolean exists(String path) throws SshException, InterruptedException {
        return shell.run(RemoteCommand.of("test", "-e", path).asRoot()).ok();
    }

    /**
     * A new directory only {@code owner} may enter, for pg_upgrade's sockets: made by mktemp under
     * /tmp (short enough for any socket path, and never a name known in advance).
     */
    String socketDirectory(String owner) throws SshException, InterruptedException {
        return SocketDirectories.make(shell, "upgrade", owner);
    }

    void removeSocketDirectory(String path) throws InterruptedException {
        try {
            SocketDirectories.remove(shell, path);
        } catch (SshException e) {
            listener.log("could not remove " + path + ": " + e.getMessage());
        }
    }

    void root(String... argv) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of(argv).asRoot()).requireSuccess();
    }

    /** What start.conf says (auto, manual or disabled); auto when it cannot be read, as postgresql-common reads it. */
    String readStartConf(String confDir) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("cat", "--", confDir + "/start.conf").asRoot());
        if (!r.ok()) {
            return "auto";
        }
        for (String l : r.stdout().split("\n")) {
            String t = l.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                return t;
            }
        }
        return "auto";
    }

    static final String SET_PORT = """
            f="$1/postgresql.conf"
            if grep -Eq '^[[:space:]]*port[[:space:]]*=' "$f"; then
              sed -i -E "s/^[[:space:]]*port[[:space:]]*=.*/port = $2/" "$f"
            else
              printf 'port = %s\\n' "$2" >> "$f"
            fi
            """;

    /** The port in the postgresql.conf of {@code confDir}: the line replaced, or added when there is none. */
    void setPort(String confDir, int port) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of("sh", "-c", SET_PORT, "set-port", confDir, Integer.toString(port)).asRoot())
                .requireSuccess();
    }

    /**
     * The plan's new cluster, made by pg_createcluster beside the old one on the temporary port, with
     * the old one's encoding, locale and checksums, and its bootstrap superuser (pg_upgrade needs the
     * same in both).
     *
     * @param startConf start.conf's mode until the new cluster takes over: manual for the cutover
     */
    void createNewCluster(UpgradePlan plan, String startConf) throws SshException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("pg_createcluster", "--start-conf=" + startConf, "-d",
                plan.newDataDirectory(), "-p", Integer.toString(plan.newTemporaryPort()), "-e", plan.encoding(),
                "--lc-collate", plan.lcCollate(), "--lc-ctype", plan.lcCtype(), plan.newVersion(), plan.newName()));
        // initdb's own arguments: the old cluster's bootstrap superuser, which pg_upgrade needs in both.
        argv.addAll(List.of("--", "-U", plan.installUser()));
        if (plan.dataChecksums()) {
            argv.add("--data-checksums");
        }
        logged(RemoteCommand.of(argv).asRoot(), Duration.ofMinutes(10));
    }

    /** The new cluster's configuration, as Debian's pg_upgradecluster carries it, on the temporary port. */
    void carryToNewCluster(UpgradePlan plan) throws SshException, InterruptedException {
        String newConfDir = plan.newConfigDirectory();
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("data_directory", plan.newDataDirectory());
        overrides.put("hba_file", newConfDir + "/pg_hba.conf");
        overrides.put("ident_file", newConfDir + "/pg_ident.conf");
        overrides.put("external_pid_file", "/var/run/postgresql/" + plan.newVersion() + "-" + plan.newName() + ".pid");
        overrides.put("cluster_name", plan.newVersion() + "/" + plan.newName());
        overrides.put("port", Integer.toString(plan.newTemporaryPort()));
        carryConfiguration(plan, newConfDir, newConfDir, overrides);
    }

    /** The last lines of a cluster's log, for a message saying why it did not start; empty when unreadable. */
    String logTail(PgCluster c) throws InterruptedException {
        if (c.logFile() == null) {
            return "";
        }
        try {
            CommandResult r = shell.run(RemoteCommand.of("tail", "-n", "15", "--", c.logFile()).asRoot());
            return r.ok() ? "\nlast lines of " + c.logFile() + ":\n" + r.stdout().strip() : "";
        } catch (SshException e) {
            return "";
        }
    }
}
