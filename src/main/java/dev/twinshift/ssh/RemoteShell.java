package dev.twinshift.ssh;

import java.time.Duration;

/**
 * Runs commands on one server. Implementations reuse one connection and run commands as
 * concurrent channels; every command is written to the audit log.
 */
public interface RemoteShell {

    /** A short name of the server for logs and messages. */
    String serverName();

    RunningCommand start(RemoteCommand command, ExecOptions options, LineListener listener) throws SshException;

    default CommandResult run(RemoteCommand command, ExecOptions options, LineListener listener)
            throws SshException, InterruptedException {
        return start(command, options, listener).await();
    }

    default CommandResult run(RemoteCommand command) throws SshException, InterruptedException {
        return run(command, ExecOptions.defaults(), LineListener.IGNORE);
    }

    default CommandResult run(RemoteCommand command, Duration timeout) throws SshException, InterruptedException {
        return run(command, ExecOptions.defaults().withTimeout(timeout), LineListener.IGNORE);
    }

    /** Runs the command and fails with a readable error unless it exits 0. */
    default CommandResult check(RemoteCommand command) throws SshException, InterruptedException {
        return run(command).requireSuccess();
    }
}
