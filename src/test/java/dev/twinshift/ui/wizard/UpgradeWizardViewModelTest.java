package dev.twinshift.ui.wizard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ui.tasks.CurrentThreadTaskExecutor;
import dev.twinshift.ui.tasks.ManualTaskExecutor;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.wizard.UpgradeWizardViewModel.Page;
import dev.twinshift.upgrade.PgUpgradeCheckReport;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.UpgradeState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pages' rules, from results the engine makes of real captured output; no server. */
class UpgradeWizardViewModelTest {

    private static UpgradeWizardViewModel wizard() {
        return new UpgradeWizardViewModel(new CurrentThreadTaskExecutor(), new ScriptedEngine(), new LogBuffer(100));
    }

    /** Walks the pages as the engine's answers would move them, up to the cutover page. */
    private static UpgradeWizardViewModel atCutover() {
        UpgradeWizardViewModel w = wizard();
        w.planned(WizardFixtures.planTo15());
        w.next();
        w.preflighted(WizardFixtures.preflight("clean.txt"));
        w.next();
        w.rehearsed(WizardFixtures.rehearsal());
        w.next();
        w.next();
        assertEquals(Page.CUTOVER, w.pageProperty().get());
        return w;
    }

    @Test
    void refusalsAreShownAsSentencesAndNextStaysOff() {
        UpgradeWizardViewModel w = wizard();
        UpgradePlanner.Result r = UpgradePlanner.plan(WizardFixtures.facts(List.of("13")), null, "new main", WizardFixtures.NOW);
        w.planned(r);
        assertNull(w.planProperty().get());
        assertFalse(w.refusals().isEmpty());
        assertTrue(w.refusals().get(0).startsWith("No PostgreSQL newer than 13 is installed"), w.refusals().toString());
        assertTrue(w.refusals().stream().allMatch(s -> s.endsWith(".")), "whole sentences: " + w.refusals());
        assertFalse(w.canNextProperty().get(), "no plan, no preflight");
        w.next();
        assertEquals(Page.TARGET, w.pageProperty().get());
    }

    @Test
    void onlyNewerInstalledVersionsAreOfferedAndNoneIsExplained() {
        UpgradeWizardViewModel w = wizard();
        w.opened(List.of(), List.of("11", "13", "15", "16"));
        assertEquals(List.of("15", "16"), w.versions());
        assertEquals("16", w.targetVersionProperty().get(), "the newest is proposed");

        UpgradeWizardViewModel none = wizard();
        none.opened(List.of(), List.of("13"));
        assertTrue(none.versions().isEmpty());
        assertTrue(none.refusals().get(0).contains("apt-get install postgresql-14"), none.refusals().toString());
    }

    @Test
    void thePlanSaysMethodSpaceAndPortAndLetsTheAdministratorGoOn() {
        UpgradeWizardViewModel w = wizard();
        w.planned(WizardFixtures.planTo15());
        String text = w.planTextProperty().get();
        assertTrue(text.contains("13/main (port 5433"), text);
        assertTrue(text.contains("pg_upgrade --clone"), text);
        assertTrue(text.contains("needed on /srv/twinshift-lab/btrfs"), text);
        assertTrue(w.canNextProperty().get());
        assertFalse(w.canBackProperty().get(), "the first page has nothing before it");

        w.newNameProperty().set("main15");
        assertNull(w.planProperty().get(), "a plan for another name is not this plan");
        assertFalse(w.canNextProperty().get());
        assertTrue(w.messageProperty().get().contains("Plan"), w.messageProperty().get());
    }

    @Test
    void nextIsOffWhileThePreflightFindsBlockers() {
        UpgradeWizardViewModel w = wizard();
        w.planned(WizardFixtures.planTo15());
        w.next();
        assertEquals(Page.PREFLIGHT, w.pageProperty().get());
        w.preflighted(WizardFixtures.preflight("reg-types.txt"));
        assertTrue(w.blockedProperty().get());
        assertFalse(w.canNextProperty().get(), "blockers stop the wizard");
        assertTrue(w.preflightVerdictProperty().get().contains("run the preflight again"), w.preflightVerdictProperty().get());
        PgUpgradeCheckReport.Finding first = w.findings().get(0);
        assertEquals(PgUpgradeCheckReport.Severity.FATAL, first.severity(), "blockers come first");
        assertTrue(first.check().contains("reg*"), first.check());
        assertTrue(w.canBackProperty().get(), "back to the target to change the plan");

        w.preflighted(WizardFixtures.preflight("clean.txt"));
        assertFalse(w.blockedProperty().get());
        assertTrue(w.canNextProperty().get(), "fixed and run again: on to the rehearsal");
    }

    @Test
    void checksAreParsedOneALineAndABadLineStopsTheRehearsal() {
        RehearsalModel.ParsedChecks p = RehearsalModel.parseChecks(
                "app: SELECT sum(total) FROM orders\n\n# a comment\n-- another\npostgres:SELECT 1\nSELECT 2\n");
        assertEquals(2, p.checks().size());
        assertEquals("app", p.checks().get(0).database());
        assertEquals("SELECT sum(total) FROM orders", p.checks().get(0).sql());
        assertEquals("SELECT 1", p.checks().get(1).sql());
        assertEquals(List.of("line 6 is not \"database: SELECT ...\""), p.problems());

        UpgradeWizardViewModel w = wizard();
        w.planned(WizardFixtures.planTo15());
        w.next();
        w.preflighted(WizardFixtures.preflight("clean.txt"));
        w.next();
        assertTrue(w.canRehearseProperty().get());
        w.checksTextProperty().set("SELECT 2");
        assertFalse(w.canRehearseProperty().get());
        assertTrue(w.checksProblemProperty().get().contains("line 1"), w.checksProblemProperty().get());
    }

    @Test
    void theReportShowsTablesEqualAndTheQueriesSideBySide() {
        UpgradeWizardViewModel w = atCutover();
        assertTrue(w.tablesSummaryProperty().get().startsWith("Tables equal"), w.tablesSummaryProperty().get());
        assertEquals(2, w.comparisons().size(), "the check and the workload query");
        assertTrue(w.reportTextProperty().get().startsWith("# Rehearsal of 13/main -> 15"), w.reportTextProperty().get());
        assertTrue(w.rehearsalVerdictProperty().get().contains("Ready for the cutover"), w.rehearsalVerdictProperty().get());
        assertTrue(w.downtimeTextProperty().get().contains("Expected downtime: about 5–11 s"), "pg_upgrade and the start on"
                + " the twin, then half as long again and the steps the twin does not time: " + w.downtimeTextProperty().get());
    }

    @Test
    void aDifferingSqlCheckIsNotReadyAndTheCutoverPageStaysClosed() {
        UpgradeWizardViewModel w = wizard();
        w.planned(WizardFixtures.planTo15());
        w.next();
        w.preflighted(WizardFixtures.preflight("clean.txt"));
        w.next();
        w.rehearsed(WizardFixtures.rehearsalWithADifferingCheck());
        w.next();
        assertEquals(Page.REPORT, w.pageProperty().get());
        String verdict = w.rehearsalVerdictProperty().get();
        assertTrue(verdict.startsWith("Not ready for the cutover") && verdict.contains("server major"), verdict);
        assertFalse(w.canNextProperty().get(), "the engine would refuse this cutover: the wizard does not offer it");
        w.next();
        assertEquals(Page.REPORT, w.pageProperty().get());
    }

    @Test
    void cutOverStaysOffUntilTheClusterIdIsTyped() {
        UpgradeWizardViewModel w = atCutover();
        assertFalse(w.canCutOverProperty().get());
        w.typedConfirmationProperty().set("13/mai");
        assertFalse(w.canCutOverProperty().get());
        w.typedConfirmationProperty().set("13/main");
        assertTrue(w.canCutOverProperty().get());
        w.typedConfirmationProperty().set("13/main ");
        assertFalse(w.canCutOverProperty().get(), "exactly the id");
    }

    @Test
    void anUnfinishedUpgradeOpensOnItsOwnPageWithResumeAndRollback() throws Exception {
        UpgradeWizardViewModel w = wizard();
        w.opened(List.of(WizardFixtures.stoppedDuringPgUpgrade()), List.of("13", "15"));
        assertEquals(Page.UNFINISHED, w.pageProperty().get());
        assertTrue(w.unfinishedTextProperty().get().contains("stopped during pg_upgrade"), w.unfinishedTextProperty().get());
        assertTrue(w.canResumeProperty().get());
        assertTrue(w.canRollBackProperty().get());
        assertFalse(w.canNextProperty().get());
        String warning = w.rollbackWarning();
        assertTrue(warning.contains("20261125T140300Z-pre-upgrade"), warning);
        assertTrue(warning.contains("Nothing written by clients is lost"), "15/main never took over: " + warning);
    }

    @Test
    void aRunEndedByCancellationLeavesTheWizardIdle() {
        ManualTaskExecutor tasks = new ManualTaskExecutor();
        UpgradeWizardViewModel w = new UpgradeWizardViewModel(tasks, new ScriptedEngine(), new LogBuffer(100));
        w.open();
        assertTrue(w.busyProperty().get());
        assertEquals(TaskCancel.Offer.Kind.CANCEL, tasks.pending().get(0).cancelPolicy().offer().kind(),
                "reading the journal changes nothing: it may be cancelled");
        tasks.cancel(0);
        assertFalse(w.busyProperty().get(), "a cancelled run is a run that ended");
        assertTrue(w.messageProperty().get().contains("cancelled"), w.messageProperty().get());
    }

    @Test
    void theCutoverIsCancelledThroughTheEngineAndEndsOnTheResultPageWhateverHappens() {
        ManualTaskExecutor tasks = new ManualTaskExecutor();
        UpgradeWizardViewModel w = new UpgradeWizardViewModel(tasks, new ScriptedEngine(), new LogBuffer(100));
        w.planned(WizardFixtures.planTo15());
        w.next();
        while (!tasks.pending().isEmpty()) {
            tasks.cancel(0);
        }
        w.preflighted(WizardFixtures.preflight("clean.txt"));
        w.next();
        w.rehearsed(WizardFixtures.rehearsal());
        w.next();
        w.next();
        w.typedConfirmationProperty().set("13/main");
        w.cutOver();
        assertEquals(1, tasks.pending().size());
        TaskCancel cancel = tasks.pending().get(0).cancelPolicy();
        assertEquals(TaskCancel.Offer.Kind.CANCEL, cancel.offer().kind(), cancel.offer().text());
        assertFalse(cancel.interruptsThread(), "a cutover is never interrupted: the engine carries the cancel out");
        assertTrue(w.busyProperty().get());

        tasks.run(0);
        assertFalse(w.busyProperty().get(), "the run ended: the wizard is idle again");
        assertEquals(Page.RESULT, w.pageProperty().get());
        assertFalse(w.messageProperty().get().isEmpty(), "it says what happened and where to look");
    }

    @Test
    void aCancelledCutoverSaysWhoCancelledAndThatItWasRolledBack() throws Exception {
        UpgradeState stopped = WizardFixtures.stoppedDuringPgUpgrade();
        dev.twinshift.storage.Actor a = new dev.twinshift.storage.Actor("tsadmin", "dba", "laptop");
        java.util.List<dev.twinshift.storage.JournalEntry> entries = new java.util.ArrayList<>();
        entries.add(dev.twinshift.upgrade.UpgradeState.cutoverPlanEntry(a, "upgrade planned", stopped.plan()));
        entries.add(dev.twinshift.storage.JournalEntry.step(a, "pg_upgrade", UpgradeState.DONE, null, java.util.Map.of()));
        entries.add(dev.twinshift.storage.JournalEntry.note(a, "cancelled by tsadmin (dba@laptop) inside the downtime",
                java.util.Map.of("cancelledBy", "tsadmin (dba@laptop)", "cancelledBefore", "port-swap")));
        entries.add(dev.twinshift.storage.JournalEntry.outcome(a, UpgradeState.ROLLED_BACK,
                "13/main runs again on port 5433 with its pre-upgrade data", java.util.Map.of()));
        UpgradeWizardViewModel w = wizard();
        w.showState(UpgradeState.of(stopped.operation(), entries));
        String text = w.outcomeTextProperty().get();
        assertTrue(text.startsWith("Cancelled by tsadmin (dba@laptop) before port-swap, and rolled back: 13/main runs again"),
                text);
    }

    private static ScriptedEngine answeringEngine() {
        return WizardFixtures.answering();
    }

    @Test
    void everyPageIsReachedThroughTheEngineAndOnlyItsButtonsMoveTheWizard() {
        ScriptedEngine engine = answeringEngine();
        UpgradeWizardViewModel w = new UpgradeWizardViewModel(new CurrentThreadTaskExecutor(), engine, new LogBuffer(100));
        w.open();
        assertEquals(List.of("open", "plan 15"), engine.calls, "opened, it proposes the newest version and plans it");
        assertTrue(w.canNextProperty().get());
        w.next();
        assertEquals(Page.PREFLIGHT, w.pageProperty().get());
        assertEquals("preflight", engine.calls.get(2), "the preflight starts with its page");
        w.next();
        assertFalse(w.canNextProperty().get(), "no report before a rehearsal");
        assertTrue(w.canRehearseProperty().get());
        w.rehearse();
        w.next();
        w.next();
        assertEquals(Page.CUTOVER, w.pageProperty().get());
        w.typedConfirmationProperty().set("13/main");
        w.cutOver();
        assertEquals(Page.RESULT, w.pageProperty().get());
        assertEquals("Upgraded: 15/main serves on port 5433.", w.outcomeTextProperty().get());
        assertEquals("Measured downtime: 6.2 s (what clients saw, measured by a client probe connecting every 200 ms).",
                w.downtimeMeasuredProperty().get());
        assertFalse(w.canBackProperty().get(), "after the cutover there is no way back but the rollback");
        assertTrue(w.canRollBackProperty().get());
    }

    @Test
    void afterARollbackTheResultSaysWhatCameBackNotTheCutoversDowntime() {
        ScriptedEngine engine = answeringEngine();
        UpgradeWizardViewModel w = new UpgradeWizardViewModel(new CurrentThreadTaskExecutor(), engine, new LogBuffer(100));
        w.opened(List.of(), List.of("13", "15"));
        w.planned(WizardFixtures.planTo15());
        w.next();
        w.next();
        w.rehearse();
        w.next();
        w.next();
        w.typedConfirmationProperty().set("13/main");
        w.cutOver();
        w.rollBack();
        assertEquals(Page.RESULT, w.pageProperty().get());
        assertTrue(w.outcomeTextProperty().get().startsWith("Rolled back: 13/main runs again"), w.outcomeTextProperty().get());
        String line = w.downtimeMeasuredProperty().get();
        assertFalse(line.contains("Measured downtime"), "the cutover's downtime is history: " + line);
        assertTrue(line.startsWith("Rollback done: 13/main serves on port 5433 from the pre-upgrade snapshot"
                + " 20261125T140300Z-pre-upgrade"), line);
        assertFalse(w.canRollBackProperty().get(), "rolled back once is enough");
        assertEquals("rollback", w.cutoverSteps().get(w.cutoverSteps().size() - 1).step());
    }

    @Test
    void theTitleNamesTheServerAsWellAsTheCluster() {
        ScriptedEngine engine = new ScriptedEngine();
        engine.server = "db2";
        assertEquals("Upgrade 13/main on db2", new UpgradeWizardViewModel(new CurrentThreadTaskExecutor(), engine,
                new LogBuffer(10)).title());
    }

    @Test
    void aCutoverRefusedBeforeItBeganGoesBackToItsPageToBeTriedAgain() {
        ScriptedEngine engine = answeringEngine();
        engine.cutoverFails = new dev.twinshift.upgrade.CutoverRefusedException("no rehearsal of this plan passed");
        UpgradeWizardViewModel w = new UpgradeWizardViewModel(new CurrentThreadTaskExecutor(), engine, new LogBuffer(100));
        w.open();
        w.next();
        w.next();
        w.rehearse();
        w.next();
        w.next();
        w.typedConfirmationProperty().set("13/main");
        w.cutOver();
        assertEquals(Page.CUTOVER, w.pageProperty().get(), "nothing was journaled: back where the button was pressed");
        assertEquals("no rehearsal of this plan passed", w.messageProperty().get());
        assertTrue(w.canCutOverProperty().get(), "it may be tried again");
        assertTrue(w.cutoverSteps().stream().allMatch(r -> r.state() == StepState.PENDING), w.cutoverSteps().toString());
    }
}
