package dev.twinshift.ssh;

/**
 * A failure talking to a server, typed so the console can say what happened and what to do next.
 */
public class SshException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        UNKNOWN_HOST("Check the host name, or add it to ~/.ssh/config."),
        CONNECTION_REFUSED("Check that sshd runs on that host and port, and that no firewall blocks it."),
        CONNECT_TIMEOUT("Check the address and the network path (VPN, jump host)."),
        AUTH_FAILED("Check the user, load the key into ssh-agent, or choose the right key file."),
        HOST_KEY_REJECTED("The host key was not accepted; nothing was sent to the server."),
        HOST_KEY_CHANGED("The server's key differs from the one in known_hosts. Verify it with the server's"
                + " administrator; if the change is expected, remove the old line from known_hosts."),
        CONNECTION_LOST("The connection dropped. Reconnect; an operation that runs detached on the server"
                + " keeps running and can be reattached."),
        SUDO_PASSWORD_REQUIRED("Give this account passwordless sudo for the commands Twinshift runs"
                + " (see README), or connect as an account that has it."),
        COMMAND_TIMEOUT("The command took longer than allowed and was stopped on the server."),
        CANCELLED("Cancelled on request; the remote process was stopped."),
        // The message quotes the command's own error output (or says there was none).
        COMMAND_FAILED(""),
        NO_SPACE("Free space on that filesystem (destroy clones you no longer need, delete old snapshots), then"
                + " try again."),
        OTHER("");

        private final String hint;

        Kind(String hint) {
            this.hint = hint;
        }

        public String hint() {
            return hint;
        }
    }

    private final Kind kind;
    private final transient CommandResult result;

    public SshException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public SshException(Kind kind, String message, Throwable cause) {
        this(kind, message, cause, null);
    }

    private SshException(Kind kind, String message, Throwable cause, CommandResult result) {
        super(message, cause);
        this.kind = kind;
        this.result = result;
    }

    public static SshException commandFailed(CommandResult r) {
        String err = r.stderr() == null ? "" : r.stderr().strip();
        if (err.length() > 2000) {
            err = err.substring(err.length() - 2000);
        }
        if (needsSudoPassword(r)) {
            return new SshException(Kind.SUDO_PASSWORD_REQUIRED,
                    "sudo needs a password for: " + r.command().toShell(), null, r);
        }
        String failed = "`" + r.command().toShell() + "` exited " + r.exitCode() + (err.isEmpty() ? "" : ": " + err);
        if (r.cause() != null) {
            // The cause first: it is what the reader needs, the command line is the evidence.
            return new SshException(Kind.NO_SPACE, r.cause() + " (" + failed + ")", null, r);
        }
        if (err.isEmpty()) {
            failed += " (it wrote nothing to its error output)";
        }
        return new SshException(Kind.COMMAND_FAILED, failed, null, r);
    }

    /**
     * True when sudo refused to run the command because it wanted a password: {@code sudo -n}
     * exits 1 with that message instead of prompting. Only for commands that went through sudo, so
     * a program that merely prints the phrase is not mistaken for it.
     */
    public static boolean needsSudoPassword(CommandResult r) {
        if (r.command().runAs() == null || r.exitCode() != 1 || r.stderr() == null) {
            return false;
        }
        String err = r.stderr();
        return err.contains("sudo: a password is required") || err.contains("sudo: a terminal is required");
    }

    public Kind kind() {
        return kind;
    }

    /** The failed command's result, for {@link Kind#COMMAND_FAILED}, out-of-space and sudo errors; otherwise null. */
    public CommandResult result() {
        return result;
    }

    /** The message followed by what to do next. */
    public String explain() {
        return kind.hint().isEmpty() ? getMessage() : getMessage() + "\n" + kind.hint();
    }
}
