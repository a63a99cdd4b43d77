package dev.twinshift.inventory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreferencesStoreTest {
    private static final Clock NOON = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);

    @TempDir Path dir;

    private PreferencesStore store() {
        return new PreferencesStore(dir.resolve("twinshift/preferences.json"), NOON);
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("twinshift"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void noFileMeansDefaultsAndNoComplaint() {
        PreferencesStore.Loaded l = store().load();
        assertEquals(Preferences.defaults(), l.preferences());
        assertTrue(l.problem().isEmpty());
    }

    @Test
    void savedPreferencesComeBack() throws Exception {
        Preferences p = Preferences.defaults().withTheme(Preferences.DARK)
                .withWindow(new Preferences.WindowBounds(10, 20, 1500, 900, true))
                .withDividers("sidebar", new double[] {0.3});
        store().save(p);
        Preferences back = store().load().preferences();
        assertEquals(Preferences.DARK, back.theme());
        assertEquals(new Preferences.WindowBounds(10, 20, 1500, 900, true), back.window());
        assertArrayEquals(new double[] {0.3}, back.dividers().get("sidebar"));
        assertEquals(List.of("preferences.json"), files(), "no temporary file left behind");
    }

    @Test
    void aDamagedFileIsKeptAsideAndReported() throws Exception {
        Path f = dir.resolve("twinshift/preferences.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"version\": 1, \"theme\": \"da");
        PreferencesStore.Loaded l = store().load();
        assertEquals(Preferences.defaults(), l.preferences());
        assertTrue(l.problem().orElseThrow().contains("preferences.json.corrupt-20240501-120000"), l.problem().get());
        assertEquals("{\"version\": 1, \"theme\": \"da", Files.readString(f.resolveSibling("preferences.json.corrupt-20240501-120000")));
        assertFalse(Files.exists(f), "the damaged file is out of the way of the next save");

        Files.writeString(f, "[1, 2]");
        assertTrue(store().load().problem().isPresent(), "JSON that is not preferences is no better");
        assertTrue(files().contains("preferences.json.corrupt-20240501-120000-2"), "an earlier kept file is not replaced: " + files());
    }

    @Test
    void aNewerFormatIsKeptAsideNotOverwritten() throws Exception {
        Path f = dir.resolve("twinshift/preferences.json");
        Files.createDirectories(f.getParent());
        String newer = "{\"version\": 7, \"theme\": \"dark\", \"layout\": {\"panels\": 4}}";
        Files.writeString(f, newer);
        PreferencesStore.Loaded l = store().load();
        assertTrue(l.problem().orElseThrow().contains("newer Twinshift"), l.problem().get());
        assertEquals(Preferences.LIGHT, l.preferences().theme(), "defaults, not a guess at the newer format");
        assertEquals(newer, Files.readString(f.resolveSibling("preferences.json.v7-20240501-120000")));
    }

    @Test
    void unknownValuesFallBackInsteadOfFailing() throws Exception {
        Path f = dir.resolve("twinshift/preferences.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"version\": 1, \"theme\": \"solarized\", \"extra\": true}");
        PreferencesStore.Loaded l = store().load();
        assertTrue(l.problem().isEmpty());
        assertEquals(Preferences.LIGHT, l.preferences().theme());
    }
}
