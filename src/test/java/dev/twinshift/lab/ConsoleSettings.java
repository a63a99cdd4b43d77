package dev.twinshift.lab;

import dev.twinshift.app.TwinshiftApp;
import dev.twinshift.ssh.AuditLog;
import dev.twinshift.ssh.SshConnector;
import java.nio.file.Path;

/**
 * Settings that keep a started console's own files (servers, SSH config, known hosts, audit) in one
 * fresh folder: a test starts from a newcomer's state, and the host-key dialog shows.
 */
public final class ConsoleSettings {
    private ConsoleSettings() {}

    public static TwinshiftApp.Settings inFolder(Path dir, Path labDescriptor) {
        return new TwinshiftApp.Settings(dir.resolve("servers.json"), labDescriptor, dir.resolve("ssh_config"),
                new SshConnector(dir.resolve("known_hosts"), new AuditLog(dir.resolve("audit.jsonl"))));
    }
}
