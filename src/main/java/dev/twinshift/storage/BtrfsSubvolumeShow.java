package dev.twinshift.storage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Output of {@code btrfs subvolume show PATH}: the subvolume's path from the top level on the first
 * line, then {@code Key: value} lines.
 */
public record BtrfsSubvolumeShow(String path, String name, String uuid, String parentUuid, String creationTime,
                                 long id, boolean readOnly, Map<String, String> fields) {

    public static BtrfsSubvolumeShow parse(String out) {
        String[] lines = out.split("\n");
        if (lines.length == 0 || lines[0].isBlank()) {
            throw new IllegalArgumentException("btrfs subvolume show printed nothing");
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].strip();
            int colon = l.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String key = l.substring(0, colon).strip();
            String value = l.substring(colon + 1).strip();
            f.putIfAbsent(key, value);
        }
        long id;
        try {
            id = Long.parseLong(f.getOrDefault("Subvolume ID", "-1"));
        } catch (NumberFormatException e) {
            id = -1;
        }
        String flags = f.getOrDefault("Flags", "-");
        return new BtrfsSubvolumeShow(lines[0].strip(), f.get("Name"), f.get("UUID"),
                dash(f.get("Parent UUID")), f.get("Creation time"), id, flags.contains("readonly"), Map.copyOf(f));
    }

    /** Whether this is the filesystem's top level (id 5), which cannot be snapshotted in place of a volume. */
    public boolean topLevel() {
        return id == 5 || "<FS_TREE>".equals(name);
    }

    private static String dash(String s) {
        return s == null || s.equals("-") ? null : s;
    }
}
