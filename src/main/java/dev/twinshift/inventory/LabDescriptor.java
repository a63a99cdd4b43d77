package dev.twinshift.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The local lab leaves its connection details in a file; when it is there the console offers the
 * lab as a ready-made server, so a newcomer sees a real cluster without typing anything.
 */
public final class LabDescriptor {
    public static final Path DEFAULT = Path.of("/var/lib/twinshift-lab/console.json");

    private LabDescriptor() {}

    public static Path location() {
        String env = System.getenv("TWINSHIFT_LAB_DESCRIPTOR");
        return env == null || env.isBlank() ? DEFAULT : Path.of(env);
    }

    /** The lab's server entry, if a lab is up and its key is readable by this user. */
    public static Optional<ServerEntry> read(Path file) {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            String key = n.path("identityFile").asText(null);
            if (key != null && !Files.isReadable(Path.of(key))) {
                return Optional.empty();
            }
            return Optional.of(new ServerEntry(n.path("name").asText("Twinshift lab"), n.path("host").asText("127.0.0.1"),
                    n.path("port").asInt(2222), n.path("user").asText("tsadmin"), key, null, ServerEntry.Source.LAB));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
