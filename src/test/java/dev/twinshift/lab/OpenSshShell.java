package dev.twinshift.lab;

import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.SshException;
import dev.twinshift.ssh.SshTarget;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs each command through the OpenSSH client, sharing one master connection. The command line
 * sent is exactly {@link RemoteCommand#toShell()}, as the JSch connection sends it.
 */
public final class OpenSshShell implements RemoteShell {
    private final SshTarget target;
    private boolean masterStarted;

    public OpenSshShell(SshTarget target) {
        this.target = target;
    }

    /** The lab's admin account. */
    public static OpenSshShell admin(Lab lab) {
        return new OpenSshShell(lab.admin());
    }

    @Override
    public String serverName() {
        return target.alias();
    }

    /*
     * The shared master is started on its own with its output discarded: a master forked from a
     * command's ssh would keep that command's stderr open and its reader would never see the end.
     * "auto" joins a master another instance started; the initial command ends at once, so the
     * master lives on only ControlPersist seconds after its last client (with -N it never would).
     */
    private synchronized void ensureMaster() {
        if (masterStarted) {
            return;
        }
        masterStarted = true;
        List<String> argv = base("auto");
        argv.addAll(List.of("-o", "ControlPersist=30", target.user() + "@" + target.host(), "true"));
        try {
            Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // each command then connects on its own
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> base(String master) {
        List<String> argv = new ArrayList<>(List.of("ssh", "-T",
                "-o", "BatchMode=yes",
                "-o", "UserKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=no",
                "-o", "LogLevel=ERROR",
                "-o", "ControlMaster=" + master,
                "-o", "ControlPath=/tmp/twinshift-it-%C",
                "-p", Integer.toString(target.port())));
        if (!target.identityFiles().isEmpty()) {
            argv.add("-i");
            argv.add(target.identityFiles().get(0).toString());
            argv.add("-o");
            argv.add("IdentitiesOnly=yes");
        }
        return argv;
    }

    @Override
    public RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException {
        ensureMaster();
        List<String> argv = base("no");
        argv.add(target.user() + "@" + target.host());
        argv.add(command.toShell());
        return new ProcessCommand(command, argv, options, listener);
    }
}
