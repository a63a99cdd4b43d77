package dev.twinshift.postgres;

import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;

/**
 * Private Unix socket directories under /tmp for servers whose own directory is too long for a
 * socket path (108 bytes with the NUL), and for pg_upgrade's temporary servers.
 *
 * <p>The name is chosen by {@code mktemp -d} on the server: a name anyone can predict lets another
 * local user plant a symlink there first, and root's {@code mkdir -p} and {@code chown} would then
 * follow it and hand the link's target to the cluster's owner. mktemp creates the directory itself
 * (it fails rather than reuse anything that exists), mode 0700, so the chown acts on that new
 * directory only; in the sticky /tmp nobody else can rename or replace it afterwards.
 */
public final class SocketDirectories {
    private SocketDirectories() {}

    /** What every directory made here starts with; only such paths are ever removed. */
    public static final String PREFIX = "/tmp/twinshift-";

    static final String MAKE = """
            d=$(mktemp -d "$1") || exit 1
            chown -- "$2:" "$d" && chmod 0700 -- "$d" && printf '%s\\n' "$d"
            """;

    /**
     * Makes a new directory {@code /tmp/twinshift-<purpose>-XXXXXXXX} that only {@code owner} may enter.
     *
     * @return its path on the server
     */
    public static String make(RemoteShell shell, String purpose, String owner) throws SshException, InterruptedException {
        if (!purpose.matches("[a-z]{1,16}")) {
            throw new IllegalArgumentException("not a socket directory purpose: " + purpose);
        }
        String path = shell.run(RemoteCommand.of("sh", "-c", MAKE, "sh", PREFIX + purpose + "-XXXXXXXX", owner).asRoot())
                .requireSuccess().stdout().strip();
        if (!path.startsWith(PREFIX + purpose + "-") || path.contains("\n")) {
            throw new SshException(SshException.Kind.COMMAND_FAILED, "mktemp -d gave an unexpected path: " + path);
        }
        return path;
    }

    /** Removes a directory made by {@link #make}; anything else is left alone. */
    public static void remove(RemoteShell shell, String path) throws SshException, InterruptedException {
        if (path == null || !path.startsWith(PREFIX) || path.contains("/..") || path.indexOf('/', PREFIX.length()) >= 0) {
            return;
        }
        shell.run(RemoteCommand.of("rm", "-rf", "--", path).asRoot());
    }

    static final String VERIFY = """
            [ -d "$1" ] && [ ! -L "$1" ] || { echo "$1 is not a directory" >&2; exit 1; }
            [ "$(stat -c %U -- "$1")" = "$2" ] || { echo "$1 is not owned by $2" >&2; exit 1; }
            [ "$(stat -c %a -- "$1")" = 700 ] || { echo "$1 is not private (mode 0700)" >&2; exit 1; }
            """;

    /** Refuses a socket directory that is not a real directory private to {@code owner}. */
    public static void requirePrivate(RemoteShell shell, String path, String owner) throws SshException, InterruptedException {
        shell.run(RemoteCommand.of("sh", "-c", VERIFY, "sh", path, owner).asRoot()).requireSuccess();
    }
}
