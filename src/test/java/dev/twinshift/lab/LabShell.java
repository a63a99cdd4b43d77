package dev.twinshift.lab;

import dev.twinshift.ssh.AuditLog;
import dev.twinshift.ssh.HostKeyPrompt;
import dev.twinshift.ssh.PasswordPrompt;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshConnection;
import dev.twinshift.ssh.SshConnector;
import dev.twinshift.ssh.SshException;
import dev.twinshift.ssh.SshTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place the integration tests get their shell to the lab from: the product's own
 * SSH layer, with the lab's host key trusted because the lab's descriptor names it.
 */
public final class LabShell {
    private static final Map<String, SshConnection> OPEN = new ConcurrentHashMap<>();

    private LabShell() {}

    /** The admin account (key login, passwordless sudo). */
    public static RemoteShell admin(Lab lab) {
        return of(lab.admin());
    }

    public static RemoteShell of(SshTarget target) {
        // Shared across test classes for speed; a test that closed it (the CLI closes its shell) gets a new one.
        return OPEN.compute(target.user() + "@" + target.host() + ":" + target.port(),
                (k, c) -> c != null && c.isConnected() ? c : connect(target));
    }

    /** A connection of its own, for a test that cuts it to see what survives. */
    public static SshConnection fresh(SshTarget target) {
        return connect(target);
    }

    private static SshConnection connect(SshTarget target) {
        try {
            Path dir = Files.createTempDirectory("twinshift-it-ssh");
            SshConnector c = new SshConnector(dir.resolve("known_hosts"), new AuditLog(dir.resolve("audit.jsonl")))
                    .withAgent(null).withDefaultIdentities(List.of());
            String expected = Lab.require().hostKeyFingerprint();
            HostKeyPrompt trustLab = (h, p, t, fp) -> fp.equals(expected);
            return c.connect(target, trustLab, PasswordPrompt.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SshException e) {
            throw new IllegalStateException("cannot reach the lab: " + e.explain(), e);
        }
    }
}
