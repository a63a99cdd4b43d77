package dev.twinshift.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** The filesystem holding a path, from {@code findmnt -J -T PATH -o TARGET,SOURCE,FSTYPE,OPTIONS}. */
public record FindmntOutput(String target, String source, String fsType, String options) {

    public static FindmntOutput parse(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("findmnt printed something that is not JSON: " + e.getMessage(), e);
        }
        JsonNode fs = root == null ? null : root.path("filesystems");
        if (fs == null || !fs.isArray() || fs.isEmpty()) {
            throw new IllegalArgumentException("findmnt found no filesystem");
        }
        // With -T there is one entry; nested children would only appear in tree mode.
        JsonNode n = fs.get(0);
        return new FindmntOutput(n.path("target").asText(), n.path("source").asText(), n.path("fstype").asText(),
                n.path("options").asText(""));
    }

    /** The value of a mount option ("subvol" gives "/pg13-main"), null when absent. */
    public String option(String name) {
        for (String o : options.split(",")) {
            if (o.equals(name)) {
                return "";
            }
            if (o.startsWith(name + "=")) {
                return o.substring(name.length() + 1);
            }
        }
        return null;
    }
}
