package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CatalogLock;
import dev.twinshift.ui.tasks.BackgroundTask;
import dev.twinshift.ui.tasks.FxTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.tasks.TaskCancel;
import dev.twinshift.ui.tasks.TaskExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Cancel pressed in the console's task center while a real 13 -> 15 cutover of a scratch cluster
 * runs: before the stop it abandons cleanly, inside the downtime it rolls back; in both the worker
 * is never interrupted, the journal says who cancelled, and 13 serves on its port with its data.
 */
class CutoverCancelIT {

    @BeforeAll
    static void lab() throws Exception {
        CutoverIT.shell = LabShell.admin(Lab.require());
        FxToolkit.registerPrimaryStage();
    }

    /** How the cutover's task ended in the task center. */
    private record Ending(UpgradeState state, Throwable failure, boolean cancelled) { }

    @Test
    void cancelDuringPrepareRemovesWhatItMadeAndNeverStopsTheOldCluster() throws Exception {
        try (ScratchCluster sc = CutoverIT.scratch("cxprep")) {
            UpgradePlan p = CutoverIT.plan(sc);
            int port = sc.cluster().port();
            List<String> before = CutoverIT.checksums(sc.psql());
            try {
                Run run = cutOverAndCancel(p, Cutover.PREPARE, null);

                UpgradeState st = CutoverIT.journal(p);
                ClusterDiscovery d = new ClusterDiscovery(CutoverIT.shell);
                assertEquals(UpgradeState.ROLLED_BACK, st.outcome(), st.describe() + "; " + p.oldId() + " running: "
                        + d.find(p.oldId()).running());
                assertTrue(run.ending.failure() == null && !run.ending.cancelled(),
                        "the cutover's task ends by itself, not by an interrupt: " + run.ending);
                assertTrue(st.data().getOrDefault("cancelledBy", "").contains("tsadmin"), "the journal names who: " + st.data());
                assertFalse(st.steps().containsKey(Cutover.STOP_OLD), "the old cluster was never stopped: " + st.steps());
                assertEquals(TaskCancel.Offer.Kind.CANCEL, run.offered, "before the stop the button says Cancel");
                assertTrue(run.log.stream().anyMatch(l -> l.contains("cancel asked:")), "the task center said what cancel meant");

                CutoverIT.assertServesAs("13", port, d.find(p.oldId()));
                assertFalse(d.listClusters().stream().anyMatch(c -> c.id().equals(p.newId())), "nothing of 15 is left: no cluster");
                assertFalse(CutoverIT.shell.run(RemoteCommand.of("test", "-e", p.newDataDirectory()).asRoot()).ok(),
                        "nothing of 15 is left: no data directory " + p.newDataDirectory());
                assertEquals(before, CutoverIT.checksums(sc.psql()));
                assertTrue(CatalogLock.holder(UpgradeWorkspace.catalogOf(CutoverIT.shell, p)).isEmpty(), "the lock is released");
            } finally {
                restore(p);
            }
        }
    }

    @Test
    void cancelDuringPgUpgradeRollsBackAtTheNextStepAndTheOldClusterHasItsData() throws Exception {
        try (ScratchCluster sc = CutoverIT.scratch("cxupg")) {
            UpgradePlan p = CutoverIT.plan(sc);
            int port = sc.cluster().port();
            List<String> before = CutoverIT.checksums(sc.psql());
            String jobLog = UpgradeWorkspace.workDir(UpgradeWorkspace.catalogOf(CutoverIT.shell, p), p.operation()) + "/pg_upgrade/log";
            try {
                Run run = cutOverAndCancel(p, Cutover.PG_UPGRADE, jobLog);
                assertEquals(TaskCancel.Offer.Kind.ROLL_BACK, run.offered, "inside the downtime the button says Roll back now");

                UpgradeState st = CutoverIT.journal(p);
                ClusterDiscovery d = new ClusterDiscovery(CutoverIT.shell);
                assertEquals(UpgradeState.ROLLED_BACK, st.outcome(), st.describe() + "; " + p.oldId() + " running: "
                        + d.find(p.oldId()).running());
                assertTrue(run.ending.failure() == null && !run.ending.cancelled(),
                        "the cutover's task ends by itself, not by an interrupt: " + run.ending);
                assertEquals(UpgradeState.DONE, st.steps().get(Cutover.PG_UPGRADE), "pg_upgrade was not cut half-way: "
                        + st.steps());
                assertTrue(st.data().getOrDefault("cancelledBy", "").contains("tsadmin"), "the journal names who: " + st.data());
                assertEquals(UpgradeState.DONE, st.steps().get("rollback"));
                assertTrue(run.log.stream().anyMatch(l -> l.contains("roll back asked:")), "the task center said what cancel meant");

                CutoverIT.assertServesAs("13", port, d.find(p.oldId()));
                assertFalse(d.listClusters().stream().anyMatch(c -> c.id().equals(p.newId())), "the new cluster is dropped");
                assertEquals(before, CutoverIT.checksums(sc.psql()), "every table as before the cutover");
                assertTrue(CatalogLock.holder(UpgradeWorkspace.catalogOf(CutoverIT.shell, p)).isEmpty(), "the lock is released");
            } finally {
                restore(p);
            }
        }
    }

    /**
     * The other kinds of step: the check of live (before the stop: abandons), the start of the new cluster and
     * its validation (late in the downtime, after the port swap: rolls back, ports put back) and the hand-over
     * (clients may write to 15: refused, the cutover completes and says so).
     */
    @ParameterizedTest(name = "cancel during {0}")
    @CsvSource({"live-check, CANCEL", "start-new, ROLL_BACK", "validate, ROLL_BACK", "hand-over, REFUSED"})
    void cancelMeansWhatTheStepSays(String step, TaskCancel.Offer.Kind expected) throws Exception {
        try (ScratchCluster sc = CutoverIT.scratch("cx" + step.replace("-", "").substring(0, 4))) {
            UpgradePlan p = CutoverIT.plan(sc);
            int port = sc.cluster().port();
            List<String> before = CutoverIT.checksums(sc.psql());
            try {
                Run run = cutOverAndCancelBefore(p, step);
                assertEquals(expected, run.offered, "what the task center offered during " + step);
                assertTrue(run.ending.failure() == null && !run.ending.cancelled(),
                        "the cutover's task ends by itself, not by an interrupt: " + run.ending);

                UpgradeState st = CutoverIT.journal(p);
                ClusterDiscovery d = new ClusterDiscovery(CutoverIT.shell);
                assertEquals(UpgradeState.DONE, st.steps().get(step), step + " ran to its end: " + st.steps());
                if (expected == TaskCancel.Offer.Kind.REFUSED) {
                    assertEquals(UpgradeState.COMPLETED, st.outcome(), st.describe());
                    assertFalse(st.data().containsKey("cancelledBy"), "a refused cancel is not recorded: " + st.data());
                    assertTrue(run.offerText.contains("cancel is refused"), "the button says why: " + run.offerText);
                    CutoverIT.assertServesAs("15", port, d.find(p.newId()));
                } else {
                    assertEquals(UpgradeState.ROLLED_BACK, st.outcome(), st.describe());
                    assertTrue(st.data().getOrDefault("cancelledBy", "").contains("tsadmin"), "the journal names who: " + st.data());
                    assertEquals(expected == TaskCancel.Offer.Kind.ROLL_BACK, st.steps().containsKey(Cutover.STOP_OLD),
                            "the old cluster stopped only when the cancel came inside the downtime: " + st.steps());
                    CutoverIT.assertServesAs("13", port, d.find(p.oldId()));
                    assertFalse(d.listClusters().stream().anyMatch(c -> c.id().equals(p.newId())), "the new cluster is dropped");
                    assertEquals(before, CutoverIT.checksums(sc.psql()), "every table as before the cutover");
                }
                assertTrue(CatalogLock.holder(UpgradeWorkspace.catalogOf(CutoverIT.shell, p)).isEmpty(), "the lock is released");
            } finally {
                if (CutoverIT.journal(p).outcome() == UpgradeState.COMPLETED) {
                    new CutoverRollback(CutoverIT.shell, CutoverIT.ME, UpgradeListener.NONE)
                            .rollback(UpgradeWorkspace.catalogOf(CutoverIT.shell, p), p.operation());
                }
                restore(p);
            }
        }
    }

    private record Run(Ending ending, List<String> log, TaskCancel.Offer.Kind offered, String offerText) { }

    /**
     * Runs the cutover as the wizard does, as a task of the console's task center, and presses its
     * Cancel once {@code step} has started (and, when given, once {@code busyFile} has content).
     */
    private Run cutOverAndCancel(UpgradePlan p, String step, String busyFile) throws Exception {
        return cutOver(p, step, busyFile, false);
    }

    /**
     * The same, but Cancel is pressed as {@code step} is announced, before its work begins: the worker waits in
     * the listener until the press is done, so the request falls inside that step however short it is.
     */
    private Run cutOverAndCancelBefore(UpgradePlan p, String step) throws Exception {
        return cutOver(p, step, null, true);
    }

    private Run cutOver(UpgradePlan p, String step, String busyFile, boolean inline) throws Exception {
        LogBuffer log = new LogBuffer(10_000);
        FxTaskExecutor tasks = new FxTaskExecutor(log);
        CancelRequest cancel = new CancelRequest();
        CompletableFuture<TaskExecutor.TaskHandle> handle = new CompletableFuture<>();
        CompletableFuture<TaskCancel.Offer> offered = new CompletableFuture<>();
        CompletableFuture<Ending> ended = new CompletableFuture<>();
        Runnable press = () -> {
            try {
                if (busyFile != null) {
                    // Pressed while the step works (it has written its first lines).
                    Instant until = Instant.now().plusSeconds(60);
                    while (!CutoverIT.shell.run(RemoteCommand.of("test", "-s", busyFile).asRoot()).ok()
                            && Instant.now().isBefore(until)) {
                        Thread.sleep(20);
                    }
                }
                offered.complete(WaitForAsyncUtils.asyncFx(() -> tasks.running().get(0).offerProperty().get())
                        .get(10, TimeUnit.SECONDS));
                handle.get(10, TimeUnit.SECONDS).cancel();
            } catch (Exception e) {
                offered.completeExceptionally(e);
            }
        };
        UpgradeListener pressCancel = new UpgradeListener() {
            @Override
            public void step(String s, String state, String message) {
                if (s.equals(step) && state.equals(UpgradeState.STARTED) && !offered.isDone()) {
                    if (inline) {
                        press.run();
                    } else {
                        CompletableFuture.runAsync(press);
                    }
                }
            }

            @Override
            public void log(String line) {
            }
        };
        Cutover cutover = new Cutover(CutoverIT.shell, CutoverIT.ME, pressCancel, new Cutover.Options(Duration.ZERO, false),
                cancel);
        BackgroundTask<UpgradeState> task = BackgroundTask.of("Cutover of " + p.oldId(), pr -> cutover.run(p, CutoverIT.WITHOUT_REHEARSAL))
                .onSuccess(st -> ended.complete(new Ending(st, null, false)))
                .onFailure(t -> ended.complete(new Ending(null, t, false)))
                .onCancelled(() -> ended.complete(new Ending(null, null, true)))
                .cancel(TaskCancel.byRequest(cancel, "tsadmin (cancel-it)"));
        handle.complete(WaitForAsyncUtils.asyncFx(() -> tasks.submit(task)).get(10, TimeUnit.SECONDS));
        Ending e = ended.get(5, TimeUnit.MINUTES);
        TaskCancel.Offer offer = offered.get(1, TimeUnit.MINUTES);
        // An interrupted worker may still be at work after its task was called cancelled: let it end first.
        waitForLockRelease(p);
        WaitForAsyncUtils.asyncFx(log::drain).get(10, TimeUnit.SECONDS);
        List<String> lines = WaitForAsyncUtils.asyncFx(() -> new ArrayList<>(log.lines())).get(10, TimeUnit.SECONDS);
        tasks.shutdown();
        return new Run(e, lines, offer.kind(), offer.text());
    }

    private static void waitForLockRelease(UpgradePlan p) throws SshException, InterruptedException {
        Catalog cat = UpgradeWorkspace.catalogOf(CutoverIT.shell, p);
        Instant until = Instant.now().plusSeconds(60);
        while (CatalogLock.holder(cat).map(o -> o.operation().equals(UpgradeWorkspace.lockName(p.operation()))).orElse(false)
                && Instant.now().isBefore(until)) {
            Thread.sleep(200);
        }
    }

    /** Whatever the cutover left (a stranded one too): the old cluster back, then the upgrade's traces removed. */
    private static void restore(UpgradePlan p) throws Exception {
        UpgradeState st = CutoverIT.journal(p);
        if (st.plan() != null && st.unfinished()) {
            Catalog cat = UpgradeWorkspace.catalogOf(CutoverIT.shell, p);
            if (CatalogLock.holder(cat).map(o -> o.operation().equals(UpgradeWorkspace.lockName(p.operation()))).orElse(false)) {
                CatalogLock.breakLock(cat);
            }
            new CutoverRollback(CutoverIT.shell, CutoverIT.ME, UpgradeListener.NONE).rollback(cat, p.operation());
        }
        CutoverIT.cleanUp(p);
    }
}
