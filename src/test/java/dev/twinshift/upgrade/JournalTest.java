package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.Json;
import dev.twinshift.storage.StorageMethod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The journal read back the way a console that reconnects reads it. */
class JournalTest {
    static final Actor A = new Actor("dba", "alice", "ws1");

    static UpgradePlan plan() {
        return new UpgradePlan("20261125T143000Z-upgrade-13-main", "13", "main", 5433, "/srv/pg13-main",
                "/etc/postgresql/13/main", "postgres", "15", "main", "/srv/pg15-main", 54330, UpgradeMethod.CLONE,
                StorageMethod.BTRFS_SUBVOLUME, true, "UTF8", "C.UTF-8", "C.UTF-8", false, 1L << 30, 256L << 20, 10L << 30,
                "/srv", 2, List.of());
    }

    static String lines(JournalEntry... entries) {
        StringBuilder b = new StringBuilder();
        for (JournalEntry e : entries) {
            b.append(Journal.toLine(e)).append('\n');
        }
        return b.toString();
    }

    static JournalEntry step(String step, String state, Map<String, String> data) {
        return new JournalEntry(Instant.parse("2026-11-25T14:31:00Z"), A, JournalEntry.STEP, step, state, null, data);
    }

    static JournalEntry planEntry() throws Exception {
        return new JournalEntry(Instant.parse("2026-11-25T14:30:00Z"), A, JournalEntry.PLAN, null, null, "planned",
                Map.of("plan", Json.mapper().writeValueAsString(plan())));
    }

    @Test
    void aJournalCutDuringPgUpgradeSaysWhereItStoppedAndWhatItKept() throws Exception {
        String text = lines(planEntry(), step(Cutover.PREPARE, "STARTED", Map.of()),
                step(Cutover.PREPARE, "DONE", Map.of("oldStartConf", "auto")),
                step(Cutover.STOP_OLD, "STARTED", Map.of()), step(Cutover.STOP_OLD, "DONE", Map.of()),
                step(Cutover.SNAPSHOT, "STARTED", Map.of()),
                step(Cutover.SNAPSHOT, "DONE", Map.of("snapshot", "pg13-main/20261125T143101Z-pre-upgrade")),
                step(Cutover.PG_UPGRADE, "STARTED", Map.of()))
                // the console died in the middle of writing its next line
                + "{\"at\":\"2026-11-25T14:32:00Z\",\"kind\":\"NO";
        UpgradeState st = UpgradeState.of("op", Journal.parse(text));
        assertEquals(plan(), st.plan(), "the plan comes back exactly, so a resume acts on the same plan");
        assertTrue(st.unfinished());
        assertEquals(Cutover.PG_UPGRADE, st.interruptedStep().orElseThrow());
        assertEquals("pg13-main/20261125T143101Z-pre-upgrade", st.data().get("snapshot"));
        assertEquals("auto", st.data().get("oldStartConf"));
        assertFalse(st.handedOver());
        assertTrue(st.describe().contains("during pg_upgrade") && st.describe().contains("pre-upgrade-snapshot"),
                st.describe());
    }

    @Test
    void outcomesEndTheOperation() throws Exception {
        List<JournalEntry> done = new ArrayList<>(Journal.parse(lines(planEntry(), step(Cutover.HAND_OVER, "DONE", Map.of()))));
        assertTrue(UpgradeState.of("op", done).handedOver());
        done.add(new JournalEntry(Instant.now(), A, JournalEntry.OUTCOME, null, UpgradeState.COMPLETED, "ok", Map.of()));
        assertFalse(UpgradeState.of("op", done).unfinished());
        List<JournalEntry> failedRollback = new ArrayList<>(done.subList(0, 2));
        failedRollback.add(new JournalEntry(Instant.now(), A, JournalEntry.OUTCOME, null, UpgradeState.ROLLBACK_FAILED,
                "disk full", Map.of()));
        assertTrue(UpgradeState.of("op", failedRollback).unfinished(), "a failed rollback must be offered again");
    }

    @Test
    void aLineNeverHoldsALineBreak() {
        String line = Journal.toLine(new JournalEntry(Instant.now(), A, JournalEntry.NOTE, null, null,
                "pg_upgrade said:\nfatal\n", Map.of()));
        assertFalse(line.contains("\n"));
        assertEquals("pg_upgrade said:\nfatal\n", Journal.parse(line).get(0).message());
    }

    @Test
    void aPlanJournaledBeforeTheInstallUserWasRecordedReadsAsPostgres() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode old = Json.mapper().valueToTree(plan());
        old.remove("installUser");
        UpgradePlan read = Json.mapper().treeToValue(old, UpgradePlan.class);
        assertEquals("postgres", read.installUser());
        assertEquals(plan(), read);
    }
}
