package dev.twinshift.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinshift.ssh.SshTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The local lab as the integration tests see it: the descriptor that {@code src/test/lab/lab.sh up}
 * leaves behind. Without a lab the tests are skipped with the reason, except under CI, where a
 * missing lab is a failure.
 */
public final class Lab {
    public static final Path DEFAULT_DESCRIPTOR = Path.of("/var/lib/twinshift-lab/console.json");

    private final JsonNode descriptor;

    private Lab(JsonNode descriptor) {
        this.descriptor = descriptor;
    }

    public static Path descriptorPath() {
        String env = System.getenv("TWINSHIFT_LAB_DESCRIPTOR");
        return env == null || env.isBlank() ? DEFAULT_DESCRIPTOR : Path.of(env);
    }

    /** The lab, or a skipped test (a failed one under CI) saying why it is not there. */
    public static Lab require() {
        Path p = descriptorPath();
        String reason = null;
        JsonNode node = null;
        if (!Files.isReadable(p)) {
            reason = "the lab is not up (" + p + " missing): run `sudo bash src/test/lab/lab.sh up`";
        } else {
            try {
                node = new ObjectMapper().readTree(p.toFile());
            } catch (IOException e) {
                reason = "cannot read " + p + ": " + e.getMessage();
            }
        }
        if (reason != null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail("CI needs the lab: " + reason);
            }
            System.err.println("[lab] skipped: " + reason);
            Assumptions.abort(reason);
        }
        return new Lab(node);
    }

    public JsonNode descriptor() {
        return descriptor;
    }

    /** The admin account: key login, passwordless sudo. */
    public SshTarget admin() {
        return new SshTarget("twinshift-lab", descriptor.path("host").asText("127.0.0.1"),
                descriptor.path("port").asInt(2222), descriptor.path("user").asText(),
                List.of(Path.of(descriptor.path("identityFile").asText())), null);
    }

    public String hostKeyFingerprint() {
        return descriptor.path("hostKeyFingerprint").asText();
    }
}
