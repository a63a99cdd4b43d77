package dev.twinshift.ssh;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where and as whom to connect.
 *
 * @param alias         the name the administrator knows the server by (a ~/.ssh/config Host alias, say)
 * @param identityFiles private keys to try, in order, after the ssh-agent's keys
 * @param jump          the jump host to tunnel through (ProxyJump), itself possibly behind another; null for none
 */
public record SshTarget(String alias, String host, int port, String user, List<Path> identityFiles, SshTarget jump) {

    public SshTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, got " + port);
        }
        alias = alias == null || alias.isBlank() ? host : alias;
        identityFiles = identityFiles == null ? List.of() : List.copyOf(identityFiles);
    }

    public static SshTarget of(String user, String host, int port) {
        return new SshTarget(null, host, port, user, List.of(), null);
    }

    public SshTarget withIdentity(Path key) {
        return new SshTarget(alias, host, port, user, List.of(key), jump);
    }

    public SshTarget withJump(SshTarget j) {
        return new SshTarget(alias, host, port, user, identityFiles, j);
    }

    /** user@host:port, as shown to the administrator. */
    public String display() {
        return user + "@" + host + (port == 22 ? "" : ":" + port);
    }
}
