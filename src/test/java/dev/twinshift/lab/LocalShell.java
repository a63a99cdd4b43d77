package dev.twinshift.lab;

import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.ShellQuote;
import dev.twinshift.ssh.SshException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs commands on this machine through {@code bash -c}, for quick tries. When this process is root
 * and sudo is absent, {@code asRoot()} runs directly and {@code asUser(u)} goes through runuser.
 */
public final class LocalShell implements RemoteShell {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @Override
    public String serverName() {
        return "localhost";
    }

    @Override
    public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException {
        String line;
        if (command.runAs() != null && ROOT) {
            List<String> argv = new ArrayList<>();
            if (!"root".equals(command.runAs())) {
                argv.addAll(List.of("runuser", "-u", command.runAs(), "--"));
            }
            argv.addAll(command.argv());
            line = ShellQuote.join(argv);
        } else {
            line = command.toShell();
        }
        return new ProcessCommand(command, List.of("bash", "-c", line), options, listener);
    }
}
