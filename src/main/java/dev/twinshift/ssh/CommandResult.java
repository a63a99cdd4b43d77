package dev.twinshift.ssh;

import java.time.Duration;

/**
 * How a remote command ended. {@code stdout} and {@code stderr} hold what was captured (capture can
 * be limited, see {@link ExecOptions}); the listener saw every line regardless.
 *
 * @param cause what made the command fail when the server could tell (see {@link FailureCause}),
 *              e.g. "no space left on /srv/data: 4096 bytes free"; null when not known or not failed
 */
public record CommandResult(RemoteCommand command, int exitCode, String stdout, String stderr, Duration duration,
                            String cause) {

    public CommandResult(RemoteCommand command, int exitCode, String stdout, String stderr, Duration duration) {
        this(command, exitCode, stdout, stderr, duration, null);
    }

    public boolean ok() {
        return exitCode == 0;
    }

    public CommandResult withCause(String c) {
        return new CommandResult(command, exitCode, stdout, stderr, duration, c);
    }

    /** Returns this result, or throws a readable error naming the command, its exit code and stderr. */
    public CommandResult requireSuccess() throws SshException {
        if (!ok()) {
            throw SshException.commandFailed(this);
        }
        return this;
    }
}
