package dev.twinshift.ui.wizard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.ShellTranscript;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ui.tasks.CurrentThreadTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.wizard.UpgradeWizardViewModel.Page;
import dev.twinshift.upgrade.PgUpgradeCheckReport;
import dev.twinshift.upgrade.PgUpgradeCheckReport.Severity;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wizard on the real engine: {@link RemoteUpgradeEngine}, the planner, the preflight with its
 * snapshot, clones, blocker queries and {@code pg_upgrade --check}, all run for real against a shell
 * that answers what the lab answered (captured by {@link WizardTranscriptCaptureIT} from a scratch 13
 * cluster upgraded to 15) and refuses any command it was never asked. What is asserted is what the
 * administrator reads on the pages, so a change in how the engine asks, parses or words things shows
 * here, not only in the engine's own tests.
 */
class WizardReplayTest {
    private static final String CLUSTER = "13/wz52a976";

    private ShellTranscript.Replay shell;

    private UpgradeWizardViewModel wizardOn(String transcript) throws Exception {
        shell = ShellTranscript.Replay.of(WizardReplayTest.class, transcript, "lab");
        PgCluster c = new ClusterDiscovery(shell).find(CLUSTER);
        UpgradeWizardViewModel w = new UpgradeWizardViewModel(new CurrentThreadTaskExecutor(),
                new RemoteUpgradeEngine(shell, "tsadmin", c), new LogBuffer(10_000));
        w.open();
        return w;
    }

    @AfterEach
    void askedNothingUnrecorded() {
        if (shell != null) {
            assertEquals(List.of(), shell.unexpected(), "every command the engine ran was one the lab answered");
        }
    }

    @Test
    void thePlanPageShowsWhatThePlannerReadFromTheServer() throws Exception {
        UpgradeWizardViewModel w = wizardOn("preflight-clean.jsonl");
        assertEquals(List.of("15"), w.versions(), "the installed majors newer than 13");
        assertEquals("15", w.targetVersionProperty().get());
        assertEquals(List.of(), w.refusals());
        String text = w.planTextProperty().get();
        assertEquals(PLAN_TEXT, text);
        assertTrue(w.canNextProperty().get(), w.messageProperty().get());
    }

    @Test
    void aCleanPreflightLetsTheAdministratorGoOn() throws Exception {
        UpgradeWizardViewModel w = wizardOn("preflight-clean.jsonl");
        w.next();
        assertEquals(Page.PREFLIGHT, w.pageProperty().get());
        assertEquals("", w.messageProperty().get());
        assertEquals("No blocker: pg_upgrade --check passed on a clone of " + CLUSTER + ". Rehearse the upgrade next.",
                w.preflightVerdictProperty().get());
        assertFalse(w.blockedProperty().get());
        assertTrue(w.findings().stream().noneMatch(f -> f.severity() == Severity.FATAL), w.findings().toString());
        assertTrue(w.canNextProperty().get(), "on to the rehearsal");
        assertTrue(w.preflightSteps().stream().allMatch(s -> s.state() == StepState.DONE), w.preflightSteps().toString());
    }

    @Test
    void aRegprocColumnBlocksThePreflightAndIsNamedWithItsFix() throws Exception {
        UpgradeWizardViewModel w = wizardOn("preflight-regproc.jsonl");
        w.next();
        assertEquals(Page.PREFLIGHT, w.pageProperty().get());
        assertEquals("", w.messageProperty().get());
        assertTrue(w.blockedProperty().get());
        assertFalse(w.canNextProperty().get(), "no rehearsal of an upgrade pg_upgrade refuses");
        assertFalse(w.canRehearseProperty().get());
        assertEquals("1 blocker stops the upgrade: fix it on " + CLUSTER + " and run the preflight again.",
                w.preflightVerdictProperty().get());
        PgUpgradeCheckReport.Finding first = w.findings().get(0);
        assertEquals(Severity.FATAL, first.severity(), "blockers come first: " + w.findings());
        assertEquals("Checking for reg* data types in user tables", first.check());
        assertTrue(first.explanation().contains("app: public.callbacks.handler (regproc)"), first.explanation());
        assertTrue(first.fix().contains("ALTER TABLE"), first.fix());
        assertTrue(first.detailFile() != null && first.detailFile().endsWith("tables_using_reg.txt"),
                "pg_upgrade's own list is named: " + first.detailFile());
    }

    /** The plan page, as the lab's answers make it: ports, method, directory, space and locale read from the server. */
    static final String PLAN_TEXT = """
            13/wz52a976 (port 54100) -> 15/wz52a976, which takes port 54100; 13/wz52a976 is kept, stopped, with start set \
            to manual.
            Method: reflinked files (pg_upgrade --clone): seconds whatever the size, old cluster left intact.
            New data directory: /srv/twinshift-lab/btrfs/wz52a976-pg15 (port 54330 until the cutover).
            Space: about 256 MiB needed on /srv/twinshift-lab/btrfs, 7.3 GiB free.
            Carried over: encoding SQL_ASCII, locale C, postgresql.conf, pg_hba.conf, pg_ident.conf.""";
}
