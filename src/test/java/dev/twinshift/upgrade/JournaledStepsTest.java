package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.LocalShell;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one way the engine's operations journal a step, on a journal written by the server's own append
 * (this machine standing in for the server): what a console that finds the journal later reads.
 */
class JournaledStepsTest {
    @TempDir
    Path root;

    private final List<String> heard = new ArrayList<>();
    private final UpgradeListener listener = new UpgradeListener() {
        @Override
        public void step(String step, String state, String message) {
            heard.add(step + " " + state + " " + message);
        }

        @Override
        public void log(String line) {
        }
    };

    private Journal journal() {
        return new Journal(new LocalShell(), new Catalog(new LocalShell(), root.toString()), "20261205T120000Z-test-13-main");
    }

    @Test
    void aStepIsOnTheServerBeforeItsWorkAndItsOutcomeWithItsFactsAfter() throws Exception {
        Journal journal = journal();
        List<Integer> linesWhenWorkRan = new ArrayList<>();
        JournaledSteps.Done done = new JournaledSteps("test", Actor.local("tsadmin"), journal, listener).run("copy", "Copy it",
                () -> {
                    linesWhenWorkRan.add(journal.read().size());
                    return new JournaledSteps.Done("copied 3 files", Map.of("files", "3"));
                });
        assertEquals(List.of(1), linesWhenWorkRan, "STARTED was written before the work ran");
        List<JournalEntry> lines = journal.read();
        assertEquals(2, lines.size());
        UpgradeState st = UpgradeState.of("20261205T120000Z-test-13-main", lines);
        assertTrue(st.done("copy"));
        assertEquals("3", st.data().get("files"));
        assertTrue(Long.parseLong(done.data().get("millis")) >= 0);
        assertEquals(List.of("copy STARTED Copy it", "copy DONE copied 3 files"), heard);
    }

    @Test
    void aFailedStepIsJournaledWithWhyAndItsExceptionGoesOnAsItCame() throws Exception {
        Journal journal = journal();
        UpgradeException boom = new UpgradeException("pg_upgrade exited with 1");
        UpgradeException thrown = assertThrows(UpgradeException.class, () -> new JournaledSteps("test", Actor.local("tsadmin"),
                journal, listener).run("pg_upgrade", "pg_upgrade", () -> {
                    throw boom;
                }));
        assertSame(boom, thrown);
        UpgradeState st = UpgradeState.of("20261205T120000Z-test-13-main", journal.read());
        assertEquals(UpgradeState.FAILED, st.steps().get("pg_upgrade"));
        assertEquals(java.util.Optional.of("pg_upgrade"), st.interruptedStep());
        assertEquals("pg_upgrade FAILED pg_upgrade exited with 1", heard.get(1));
    }

}
