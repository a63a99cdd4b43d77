package dev.twinshift.inventory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.twinshift.ssh.SshTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The saved servers, one JSON file in the user's config directory. Writes go to a temporary file
 * that replaces the old one, so a crash never leaves half a list.
 */
public final class Inventory {
    private final Path file;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final List<ServerEntry> entries = new ArrayList<>();

    public Inventory(Path file) {
        this.file = file;
    }

    /** $XDG_CONFIG_HOME/twinshift/servers.json, or ~/.config/twinshift/servers.json. */
    public static Path defaultFile() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".config") : Path.of(xdg);
        return base.resolve("twinshift").resolve("servers.json");
    }

    public Path file() {
        return file;
    }

    public synchronized Inventory load() {
        entries.clear();
        if (Files.exists(file)) {
            try {
                entries.addAll(json.readValue(file.toFile(), new TypeReference<List<ServerEntry>>() { }));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the server list " + file + ": " + e.getMessage()
                        + " (fix or move the file aside; nothing was overwritten)", e);
            }
        }
        return this;
    }

    public synchronized List<ServerEntry> entries() {
        return List.copyOf(entries);
    }

    public synchronized Optional<ServerEntry> find(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** Adds or replaces the entry of the same name, then saves. */
    public synchronized void put(ServerEntry entry) {
        entries.removeIf(e -> e.name().equals(entry.name()));
        entries.add(entry);
        save();
    }

    /** Adds the entries whose names are not taken yet; returns how many were added. */
    public synchronized int addAll(List<ServerEntry> more) {
        Set<String> names = new HashSet<>();
        entries.forEach(e -> names.add(e.name()));
        int added = 0;
        for (ServerEntry e : more) {
            if (names.add(e.name())) {
                entries.add(e);
                added++;
            }
        }
        if (added > 0) {
            save();
        }
        return added;
    }

    public synchronized void remove(String name) {
        if (entries.removeIf(e -> e.name().equals(name))) {
            save();
        }
    }

    /** The entry as an SSH target, its jump chain resolved through other entries. */
    public synchronized SshTarget target(ServerEntry entry) {
        return target(entry, new HashSet<>());
    }

    private SshTarget target(ServerEntry entry, Set<String> seen) {
        if (!seen.add(entry.name())) {
            throw new IllegalStateException("jump hosts loop through " + entry.name() + ": fix the jump of one of " + seen);
        }
        SshTarget t = entry.directTarget();
        if (entry.jump() != null) {
            ServerEntry j = find(entry.jump()).orElseThrow(() -> new IllegalStateException(
                    "jump host \"" + entry.jump() + "\" of " + entry.name() + " is not in the server list: add it or clear the jump"));
            t = t.withJump(target(j, seen));
        }
        return t;
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            json.writeValue(tmp.toFile(), entries);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the server list to " + file + ": " + e.getMessage(), e);
        }
    }
}
