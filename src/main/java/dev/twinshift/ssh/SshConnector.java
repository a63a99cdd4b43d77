package dev.twinshift.ssh;

import java.nio.file.Path;

/**
 * Opens connections: host keys checked against a known_hosts file, keys from the ssh-agent and
 * the target's identity files, then a password from the prompt if allowed.
 */
public final class SshConnector {
    private final Path knownHosts;
    private final AuditLog audit;

    public SshConnector(Path knownHosts, AuditLog audit) {
        this.knownHosts = knownHosts;
        this.audit = audit;
    }

    /** The usual setup: ~/.ssh/known_hosts and the audit log in the user's Twinshift data dir. */
    public static SshConnector standard() {
        throw new UnsupportedOperationException("TODO");
    }

    public Path knownHosts() {
        return knownHosts;
    }

    public AuditLog audit() {
        return audit;
    }

    public SshConnection connect(SshTarget target, HostKeyPrompt hostKeys, PasswordPrompt passwords) throws SshException {
        throw new UnsupportedOperationException("TODO");
    }
}
