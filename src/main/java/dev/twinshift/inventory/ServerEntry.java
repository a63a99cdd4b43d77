package dev.twinshift.inventory;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.twinshift.ssh.SshTarget;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A server the administrator works with. Saved without any secret: keys stay in their files and
 * the agent, passwords are asked for each connection.
 *
 * @param name         what the list shows; unique in the inventory
 * @param identityFile a private key path, or null to rely on the agent and the default keys
 * @param jump         the name of another entry to tunnel through, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ServerEntry(String name, String host, int port, String user, String identityFile, String jump, Source source) {

    public enum Source { MANUAL, SSH_CONFIG, LAB }

    public ServerEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        source = source == null ? Source.MANUAL : source;
        identityFile = identityFile == null || identityFile.isBlank() ? null : identityFile;
        jump = jump == null || jump.isBlank() ? null : jump;
    }

    public String display() {
        return user + "@" + host + (port == 22 ? "" : ":" + port);
    }

    /** The SSH target without its jump host; {@link Inventory#target} resolves the chain. */
    SshTarget directTarget() {
        List<Path> keys = identityFile == null ? List.of() : List.of(Path.of(expandHome(identityFile)));
        return new SshTarget(name, host, port, user, keys, null);
    }

    static String expandHome(String p) {
        if (p.equals("~") || p.startsWith("~/")) {
            return System.getProperty("user.home") + p.substring(1);
        }
        return p;
    }

    public static ServerEntry fromTarget(SshTarget t, Source source) {
        String key = t.identityFiles().isEmpty() ? null : t.identityFiles().get(0).toString();
        return new ServerEntry(t.alias(), t.host(), t.port(), t.user(), key, t.jump() == null ? null : t.jump().alias(), source);
    }
}
