package dev.twinshift.ui.shell;

import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.HostKeyPrompt;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.SshException;
import dev.twinshift.ssh.SshTarget;
import dev.twinshift.ui.connections.Connector;
import dev.twinshift.ui.dashboard.ClusterRow;
import dev.twinshift.ui.dashboard.ServerInspector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Servers that exist only in the test: sessions open at once, each answers what the server's page
 * reads first (uname, os-release), and each server's clusters are what the test says.
 */
public final class FakeServers implements Connector, ServerInspector {
    final Set<String> open = ConcurrentHashMap.newKeySet();
    final Map<String, List<ClusterRow>> clusters = new ConcurrentHashMap<>();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger inspected = new AtomicInteger();

    TwinshiftApp.Servers asServers() {
        return new TwinshiftApp.Servers(this, this);
    }

    static ClusterRow row(String version, String name, int port, String status) {
        return new ClusterRow(version, name, port, status, "/srv/data/" + version + "/" + name, "in PGDATA", "btrfs (/srv/data)",
                "btrfs subvolume snapshot", "", null);
    }

    /** The server went away: its session is closed, as after a reboot, without the console asking. */
    void drop(String alias) {
        open.remove(alias);
    }

    @Override
    public RemoteShell open(SshTarget target, HostKeyPrompt hostKeys, PasswordPrompt passwords) {
        open.add(target.alias());
        opened.incrementAndGet();
        return new Shell(target.alias());
    }

    @Override
    public boolean isOpen(String alias) {
        return open.contains(alias);
    }

    @Override
    public void close(String alias) {
        open.remove(alias);
    }

    @Override
    public Result inspect(RemoteShell shell, java.util.function.Consumer<String> log) throws Exception {
        inspected.incrementAndGet();
        if (!open.contains(shell.serverName())) {
            throw new SshException(SshException.Kind.CONNECTION_LOST, "connection to " + shell.serverName() + " lost");
        }
        return new Result(List.copyOf(clusters.getOrDefault(shell.serverName(), List.of())), "");
    }

    /** A server that answers the facts a dashboard reads (uname, os-release) and nothing else. */
    public record Shell(String serverName) implements RemoteShell {
        @Override
        public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) {
            String out = switch (command.argv().get(0)) {
                case "uname" -> serverName + " 6.1.0-test x86_64\n";
                case "cat" -> "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
                default -> "";
            };
            CommandResult r = new CommandResult(command, 0, out, "", Duration.ZERO);
            return new RunningCommand() {
                @Override
                public CommandResult await() {
                    return r;
                }

                @Override
                public void cancel() { }

                @Override
                public boolean isDone() {
                    return true;
                }
            };
        }
    }
}
