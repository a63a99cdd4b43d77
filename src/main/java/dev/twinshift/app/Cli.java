package dev.twinshift.app;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.HostKeyPrompt;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshConnector;
import dev.twinshift.ssh.SshException;
import dev.twinshift.ssh.SshTarget;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Json;
import dev.twinshift.storage.LockedException;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.RefusedException;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The command-line face of the core: the same services the console uses, for scripts and for
 * administrators at a terminal.
 *
 * <pre>
 * twinshift --server tsadmin@db1:22 clusters
 * twinshift --server tsadmin@db1 snapshot create --cluster 13/main --label before-upgrade
 * twinshift --server tsadmin@db1 clone create --cluster 13/main --from 20250102T030405Z-before-upgrade try1
 * twinshift --server tsadmin@db1 rollback --cluster 13/main --to 20250102T030405Z-before-upgrade --yes
 * </pre>
 */
// scope = INHERIT hands --help/-h and --version/-V down to every subcommand: help is a help request
// everywhere, answered before required options are checked.
@Command(name = "twinshift", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "Snapshots, clones, rollback and rehearsed major upgrades of PostgreSQL clusters on copy-on-write storage, over SSH.",
        subcommands = {ClustersCli.class, SnapshotCli.class, CloneCli.class, RollbackCli.class, LockCli.class,
                UpgradeCli.class, BisectCli.class, ScheduleCli.class})
public final class Cli {

    /** Opens the shell to a server; the console's SSH connector by default, another one in tests. */
    @FunctionalInterface
    public interface ShellFactory {
        RemoteShell open(SshTarget target) throws Exception;
    }

    static final int EXIT_REFUSED = 3;

    @Option(names = "--server", scope = ScopeType.INHERIT, paramLabel = "USER@HOST[:PORT]",
            description = "the server to work on")
    String server;

    @Option(names = "--identity", scope = ScopeType.INHERIT, paramLabel = "FILE", description = "private key to log in with")
    Path identity;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print results as JSON")
    boolean json;

    @Option(names = "--accept-new-host-key", scope = ScopeType.INHERIT,
            description = "trust a host key not yet in known_hosts: it is added and its fingerprint printed"
                    + " (as OpenSSH's StrictHostKeyChecking=accept-new); a changed key is still refused")
    boolean acceptNewHostKey;

    @Spec
    CommandSpec spec;

    private final ShellFactory factory;
    private RemoteShell shell;

    /** Opens shells through {@code factory}; the host-key options do not apply to it. */
    public Cli(ShellFactory factory) {
        this.factory = factory;
    }

    /** Connects with the console's SSH layer (~/.ssh/known_hosts, the agent, the audit log). */
    public Cli() {
        this.factory = null;
    }

    public static void main(String[] args) {
        System.exit(run(new Cli(), args));
    }

    /** Runs one command line; returns the exit code (0 done, 1 failed, 2 usage, 3 refused or locked). */
    public static int run(Cli cli, String... args) {
        return run(cli, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int run(Cli cli, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(cli);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            String msg = e instanceof SshException s ? s.explain() : e.getMessage();
            line.getErr().println("twinshift: " + (msg == null ? e.toString() : msg));
            line.getErr().flush();
            return e instanceof RefusedException || e instanceof LockedException || e instanceof IllegalArgumentException
                    ? EXIT_REFUSED : 1;
        });
        try {
            return cl.execute(args);
        } finally {
            cli.close();
        }
    }

    private void close() {
        if (shell instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing left to do with it
            }
        }
    }

    private static final String SERVER_FORM = "expected USER@HOST[:PORT], e.g. tsadmin@db1:22 or tsadmin@[::1]:2222";

    /**
     * USER@HOST[:PORT]; USER defaults to the local user, PORT to 22, an IPv6 address goes in brackets
     * when a port follows. Empty parts are refused: {@code tsadmin@:2222} would otherwise connect to
     * whatever an empty host name resolves to.
     */
    static SshTarget parseServer(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("say which server: --server USER@HOST[:PORT]");
        }
        String user = System.getProperty("user.name");
        String rest = s.strip();
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
            if (user.isEmpty()) {
                throw badServer(s, "the user before '@' is empty");
            }
        }
        int port = 22;
        String host = rest;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw badServer(s, "the '[' of an IPv6 address has no ']'");
            }
            host = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw badServer(s, "after ']' only ':PORT' may follow, not '" + after + "'");
                }
                port = parsePort(s, after.substring(1));
            }
        } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') == rest.lastIndexOf(':')) {
            // One colon: HOST:PORT. Several without brackets: a bare IPv6 address, as ssh takes it.
            int colon = rest.indexOf(':');
            host = rest.substring(0, colon);
            port = parsePort(s, rest.substring(colon + 1));
        }
        if (host.isEmpty()) {
            throw badServer(s, "the host is empty");
        }
        return SshTarget.of(user, host, port);
    }

    private static int parsePort(String server, String port) {
        if (port.isEmpty()) {
            throw badServer(server, "the port after ':' is empty (leave out ':' for port 22)");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw badServer(server, "'" + port + "' is not a port number");
        }
        if (p < 1 || p > 65535) {
            throw badServer(server, "port " + p + " is not between 1 and 65535");
        }
        return p;
    }

    private static IllegalArgumentException badServer(String server, String why) {
        return new IllegalArgumentException("--server '" + server + "': " + why + "; " + SERVER_FORM + ".");
    }

    private RemoteShell connect(SshTarget target) throws SshException {
        SshConnector connector = SshConnector.standard();
        PrintWriter err = spec.commandLine().getErr();
        Console console = terminal();
        List<String> unanswered = new ArrayList<>();
        HostKeyPrompt keys = (host, port, type, fp) -> {
            if (acceptNewHostKey) {
                err.println("Trusting the new " + type + " host key of " + host + ":" + port + " (" + fp
                        + ") as --accept-new-host-key asks; adding it to " + connector.knownHosts() + ".");
                err.flush();
                return true;
            }
            if (console == null) {
                unanswered.add(unknownKeyAdvice(host, port, type, fp, connector.knownHosts()));
                return false;
            }
            String a = console.readLine("The host key of %s:%d is not known.%n%s key fingerprint is %s.%n"
                    + "Trust it and add it to known_hosts? [y/N] ", host, port, type, fp);
            return a != null && a.strip().equalsIgnoreCase("y");
        };
        PasswordPrompt pw = console == null ? PasswordPrompt.NONE : u -> console.readPassword("Password for %s: ", u);
        try {
            return connector.connect(target, keys, pw);
        } catch (SshException e) {
            if (e.kind() == SshException.Kind.HOST_KEY_REJECTED && !unanswered.isEmpty()) {
                throw new SshException(SshException.Kind.HOST_KEY_REJECTED, unanswered.get(unanswered.size() - 1), e);
            }
            throw e;
        }
    }

    /** What to do about an unknown host key when there is nobody at a terminal to ask. */
    static String unknownKeyAdvice(String host, int port, String type, String fingerprint, Path knownHosts) {
        return "The " + type + " host key of " + host + ":" + port + " is not in " + knownHosts + "; its fingerprint is "
                + fingerprint + ", and there is no terminal to ask whether to trust it. Compare the fingerprint with the"
                + " server's own (`ssh-keygen -lf` of its /etc/ssh/ssh_host_*_key.pub), then run again with"
                + " --accept-new-host-key, or add the key once with `ssh-keyscan -p " + port + " " + host + " >> "
                + knownHosts + "`.";
    }

    /**
     * The console if stdin and stdout are a terminal. From JDK 22 on System.console() may return a
     * console for redirected streams too; asking it would read an answer from a pipe.
     */
    private static Console terminal() {
        Console c = System.console();
        if (c == null) {
            return null;
        }
        try {
            Object t = Console.class.getMethod("isTerminal").invoke(c);
            return Boolean.TRUE.equals(t) ? c : null;
        } catch (ReflectiveOperationException e) {
            return c; // before JDK 22 a non-null console is a terminal
        }
    }

    RemoteShell shell() throws Exception {
        if (shell == null) {
            SshTarget t = parseServer(server);
            if (identity != null) {
                t = t.withIdentity(identity);
            }
            shell = factory == null ? connect(t) : factory.open(t);
        }
        return shell;
    }

    Actor actor() {
        return Actor.local(parseServer(server).user());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    Progress progress() {
        PrintWriter err = spec.commandLine().getErr();
        return m -> {
            err.println("  " + m);
            err.flush();
        };
    }

    /** JSON with --json, lines or a table otherwise: how every command answers. */
    Output output() {
        return new Output(this);
    }

    void printJson(Object o) throws Exception {
        out().println(Json.mapper().writeValueAsString(o));
        out().flush();
    }

    PgCluster cluster(String id) throws Exception {
        return new ClusterDiscovery(shell()).find(id);
    }

    Catalog catalogOf(String clusterId) throws Exception {
        return ClusterVolume.resolve(shell(), cluster(clusterId)).catalog();
    }

    static String size(long bytes) {
        if (bytes < 0) {
            return "?";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format("%.1f %s", v, units[u]);
    }

    /** Kept for the commands that print a table without a JSON form beside it. */
    static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
        Output.table(out, header, rows);
    }
}
