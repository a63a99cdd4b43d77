package dev.twinshift.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The console's preferences, one JSON file beside the saved servers. A file this version cannot
 * read (damaged, or written by a newer Twinshift) is renamed aside and reported, so whatever it
 * held can still be recovered; the console then starts from defaults. Blocking: never on the FX thread.
 */
public final class PreferencesStore {
    public static final String FILE_NAME = "preferences.json";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path file;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public PreferencesStore(Path file) {
        this(file, Clock.systemDefaultZone());
    }

    PreferencesStore(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** Beside the server list: $XDG_CONFIG_HOME/twinshift/preferences.json, or ~/.config/twinshift/. */
    public static Path defaultFile() {
        return Inventory.defaultFile().resolveSibling(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /**
     * What was read, and a sentence for the administrator when the file could not be used.
     *
     * @param problem empty when the file was read or did not exist yet
     */
    public record Loaded(Preferences preferences, Optional<String> problem) { }

    public Loaded load() {
        if (!Files.exists(file)) {
            return new Loaded(Preferences.defaults(), Optional.empty());
        }
        JsonNode tree;
        try {
            tree = json.readTree(file.toFile());
        } catch (IOException e) {
            return keptAside("corrupt", "could not be read (" + firstLine(e.getMessage()) + ")");
        }
        if (tree == null || !tree.isObject()) {
            return keptAside("corrupt", "does not hold preferences");
        }
        int version = tree.path("version").asInt(0);
        if (version > Preferences.CURRENT_VERSION) {
            return keptAside("v" + version, "was written by a newer Twinshift (format " + version
                    + ", this one reads " + Preferences.CURRENT_VERSION + ")");
        }
        try {
            Preferences p = json.treeToValue(tree, Preferences.class);
            return new Loaded(new Preferences(Preferences.CURRENT_VERSION, p.theme(), p.window(), p.dividers()), Optional.empty());
        } catch (IOException | IllegalArgumentException e) {
            return keptAside("corrupt", "could not be read (" + firstLine(e.getMessage()) + ")");
        }
    }

    /** Replaces the file in one move, so a crash leaves the old preferences or the new ones, never half. */
    public synchronized void save(Preferences p) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), FILE_NAME + ".", ".tmp");
            try {
                json.writeValue(tmp.toFile(), p);
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the preferences to " + file + ": " + e.getMessage(), e);
        }
    }

    private Loaded keptAside(String why, String what) {
        String stamp = LocalDateTime.now(clock).format(STAMP);
        Path aside = file.resolveSibling(file.getFileName() + "." + why + "-" + stamp);
        for (int n = 2; Files.exists(aside); n++) {
            aside = file.resolveSibling(file.getFileName() + "." + why + "-" + stamp + "-" + n);
        }
        String message;
        try {
            Files.move(file, aside);
            message = "The preferences file " + file + " " + what + ". It was kept as " + aside.getFileName()
                    + "; the console starts with default preferences.";
        } catch (IOException e) {
            // Not moved: then it must not be overwritten either, so saving stays off for this run.
            throw new UncheckedIOException("The preferences file " + file + " " + what + " and could not be moved aside: "
                    + e.getMessage(), e);
        }
        return new Loaded(Preferences.defaults(), Optional.of(message));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
