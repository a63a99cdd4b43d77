package dev.twinshift.ssh;

import java.time.Duration;

/**
 * How a remote command ended. {@code stdout} and {@code stderr} hold what was captured (capture can
 * be limited, see {@link ExecOptions}); the listener saw every line regardless.
 */
public record CommandResult(RemoteCommand command, int exitCode, String stdout, String stderr, Duration duration) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result, or throws a readable error naming the command, its exit code and stderr. */
    public CommandResult requireSuccess() throws SshException {
        if (!ok()) {
            throw SshException.commandFailed(this);
        }
        return this;
    }
}
