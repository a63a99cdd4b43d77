package dev.twinshift.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way a remote process is stopped: the shipped {@code job-cancel.sh}, for a detached job (by
 * its directory) and for a command of an SSH session (by its process id) alike. It stops the process
 * group and every descendant, TERM then KILL, and fails when something survives; see the script.
 */
final class RemoteStop {
    static final String SCRIPT = resource("job-cancel.sh");

    private RemoteStop() {}

    /** Stops the detached job in {@code directory}, as root (every job is started by root). */
    static RemoteCommand job(String directory) {
        return RemoteCommand.of("sh", "-c", SCRIPT, "job-cancel", directory).asRoot();
    }

    /**
     * The ways to stop process {@code pid}, to try in order until one succeeds. A command that ran under
     * sudo is stopped as root (its sudo parent is root's), then as the user it ran as, then as the
     * login user; a plain command by the login user, who owns it.
     */
    static List<RemoteCommand> process(long pid, String runAs) {
        RemoteCommand plain = RemoteCommand.of("sh", "-c", SCRIPT, "job-cancel", "--pid", Long.toString(pid));
        List<RemoteCommand> attempts = new ArrayList<>();
        if (runAs != null) {
            attempts.add(plain.asRoot());
            if (!"root".equals(runAs)) {
                attempts.add(plain.asUser(runAs));
            }
        }
        attempts.add(plain);
        return attempts;
    }

    static String resource(String name) {
        try (InputStream in = RemoteStop.class.getResourceAsStream("/dev/twinshift/remote/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
