package dev.twinshift.ui.bluegreen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ui.tasks.CurrentThreadTaskExecutor;
import dev.twinshift.ui.tasks.LogBuffer;
import dev.twinshift.ui.wizard.WizardFixtures;
import dev.twinshift.upgrade.BlueGreen;
import dev.twinshift.upgrade.BlueGreenPreflight;
import dev.twinshift.upgrade.BlueGreenStatus;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradeState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which buttons the blue/green window offers when, from what the engine reports. The service here
 * answers as a server would at each point (guardrails red, then green; a switch that moved the clients
 * or one that was reverted); what the engine really does is proven by BlueGreenIT on the lab.
 */
class BlueGreenViewModelTest {
    static final String OP = "20261205T120000Z-bluegreen-13-main";
    static final UpgradePlan PLAN = WizardFixtures.planTo15().plan();

    /** A server's answers, set by each test as the upgrade goes on. */
    static final class Server implements BlueGreenService {
        BlueGreenPreflight.Result preflight = new BlueGreenPreflight.Result(List.of(
                new BlueGreenPreflight.Finding(BlueGreenPreflight.Severity.OK, "wal_level", "wal_level is logical", null)),
                List.of("postgres"));
        String serving = "blue";
        boolean guardrailsGreen = false;
        boolean switchMoves = true;
        String current;
        String outcome;
        RuntimeException prepareFails;
        final List<String> calls = new ArrayList<>();

        @Override
        public String clusterId() {
            return "13/main";
        }

        @Override
        public UpgradePlan plan() {
            return PLAN;
        }

        @Override
        public BlueGreenPreflight.Result preflight(UpgradePlan plan, BlueGreen.Pooler pooler) {
            calls.add("preflight " + pooler.port());
            return preflight;
        }

        @Override
        public String prepare(UpgradePlan plan, BlueGreen.Pooler pooler, BlueGreenPreflight.Result pre, UpgradeListener l) {
            calls.add("prepare");
            for (String step : BlueGreen.PREPARE_STEPS) {
                l.step(step, UpgradeState.STARTED, null);
                if (prepareFails != null && step.equals(BlueGreen.PG_UPGRADE)) {
                    l.step(step, UpgradeState.FAILED, prepareFails.getMessage());
                    throw prepareFails;
                }
                l.step(step, UpgradeState.DONE, "done " + step);
            }
            current = OP;
            return OP;
        }

        @Override
        public Optional<String> current() {
            return Optional.ofNullable(current);
        }

        @Override
        public BlueGreenStatus status(String operation) {
            Map<String, String> steps = new LinkedHashMap<>();
            steps.put(BlueGreen.SUBSCRIBE, UpgradeState.DONE);
            UpgradeState journal = new UpgradeState(operation, PLAN, steps, Map.of(BlueGreen.SERVING, serving), outcome,
                    Instant.EPOCH, Instant.EPOCH, null);
            BlueGreen.State s = new BlueGreen.State(operation, PLAN, null, List.of("postgres"), "0/1000", serving, journal);
            return new BlueGreenStatus(s, List.of(new BlueGreenStatus.Database("postgres", guardrailsGreen ? 4096 : 40L << 20,
                    true, "")), List.of(new BlueGreenStatus.Guardrail("lag", guardrailsGreen, guardrailsGreen ? "4 KiB behind"
                    : "40 MiB behind (limit 16 MiB): wait until it catches up")));
        }

        @Override
        public BlueGreen.SwitchResult switchTo(String operation, boolean toGreen, UpgradeListener l) {
            calls.add(toGreen ? "switchover" : "switchback");
            if (!switchMoves) {
                return new BlueGreen.SwitchResult(false, -1, Map.of(), "the target had not applied everything in postgres"
                        + " within the deadline", "");
            }
            serving = toGreen ? "green" : "blue";
            return new BlueGreen.SwitchResult(true, 512, Map.of(), null, "");
        }

        @Override
        public String finish(String operation, UpgradeListener l) {
            calls.add("finish");
            outcome = UpgradeState.COMPLETED;
            return "15/main serves; 13/main is stopped";
        }

        @Override
        public String abandon(String operation, UpgradeListener l) {
            calls.add("abandon");
            outcome = UpgradeState.ABANDONED;
            return "13/main serves as before";
        }
    }

    static BlueGreenViewModel opened(Server server) {
        BlueGreenViewModel m = new BlueGreenViewModel(new CurrentThreadTaskExecutor(), server, new LogBuffer(100));
        m.open();
        return m;
    }

    @Test
    void aPoolerPortThatIsNoPortIsSaidAndNothingRuns() {
        Server server = new Server();
        BlueGreenViewModel m = opened(server);
        assertTrue(m.canPreflightProperty().get());
        m.poolerPortProperty().set("64x2");
        assertFalse(m.canPreflightProperty().get());
        assertEquals("PgBouncer's port: a number from 1 to 65535, not 64x2", m.poolerProblemProperty().get());
        m.runPreflight();
        assertTrue(server.calls.isEmpty(), "nothing asked of the server: " + server.calls);
        m.poolerPortProperty().set("6432");
        assertEquals("", m.poolerProblemProperty().get());
    }

    @Test
    void aFatalFindingKeepsPrepareOffAndEditingThePoolerAsksForANewPreflight() {
        Server server = new Server();
        server.preflight = new BlueGreenPreflight.Result(List.of(new BlueGreenPreflight.Finding(
                BlueGreenPreflight.Severity.FATAL, "wal_level", "wal_level is replica", "ALTER SYSTEM SET wal_level = logical")),
                List.of("postgres"));
        BlueGreenViewModel m = opened(server);
        m.runPreflight();
        assertFalse(m.canPrepareProperty().get());
        assertTrue(m.verdictProperty().get().startsWith("1 blocker(s)"), m.verdictProperty().get());
        server.preflight = new Server().preflight;
        m.runPreflight();
        assertTrue(m.canPrepareProperty().get());
        m.poolerIniProperty().set("/etc/pgbouncer/other.ini");
        assertFalse(m.canPrepareProperty().get(), "a preflight of another pooler does not count");
        assertTrue(m.findings().isEmpty());
    }

    @Test
    void switchingWaitsForGreenGuardrailsThenOffersTheWayBackAndFinish() {
        Server server = new Server();
        BlueGreenViewModel m = opened(server);
        m.runPreflight();
        m.prepare();
        assertEquals(BlueGreenViewModel.Page.FOLLOW, m.pageProperty().get());
        assertTrue(m.steps().stream().allMatch(r -> r.state() == BlueGreenViewModel.StepState.DONE), m.steps().toString());
        assertFalse(m.canSwitchOverProperty().get(), "lag over the limit: no switchover");
        assertTrue(m.canAbandonProperty().get());
        assertFalse(m.canFinishProperty().get(), "finish needs green serving");
        assertEquals(1, m.lag().size());

        server.guardrailsGreen = true;
        m.refreshStatus();
        assertTrue(m.canSwitchOverProperty().get());
        assertFalse(m.canRollBackProperty().get());

        m.switchOver();
        assertEquals("green", m.servingProperty().get());
        assertEquals("15/main serves; clients were paused 512 ms.", m.lastSwitchProperty().get());
        assertFalse(m.canSwitchOverProperty().get());
        assertTrue(m.canRollBackProperty().get());
        assertTrue(m.canFinishProperty().get());
        assertFalse(m.canAbandonProperty().get(), "abandon only while blue serves");

        server.guardrailsGreen = false;
        m.refreshStatus();
        assertFalse(m.canRollBackProperty().get(), "a red guardrail blocks the way back too");
        assertTrue(m.canFinishProperty().get());

        m.finish();
        assertEquals(BlueGreenViewModel.Page.DONE, m.pageProperty().get());
        assertEquals("15/main serves; 13/main is stopped", m.outcomeProperty().get());
        assertEquals(List.of("preflight 6432", "prepare", "switchover", "finish"), server.calls);
    }

    @Test
    void aRevertedSwitchSaysClientsStayedAndKeepsTheSwitchoverOffered() {
        Server server = new Server();
        server.guardrailsGreen = true;
        server.switchMoves = false;
        BlueGreenViewModel m = opened(server);
        m.runPreflight();
        m.prepare();
        m.switchOver();
        assertEquals("blue", m.servingProperty().get());
        assertTrue(m.lastSwitchProperty().get().startsWith("Clients stay where they were"), m.lastSwitchProperty().get());
        assertTrue(m.canSwitchOverProperty().get());
    }

    @Test
    void aFailedPreparationReturnsToTheSetupWithWhy() {
        Server server = new Server();
        server.prepareFails = new IllegalStateException("pg_upgrade of the twin exited with 1");
        BlueGreenViewModel m = opened(server);
        m.runPreflight();
        m.prepare();
        assertEquals(BlueGreenViewModel.Page.SETUP, m.pageProperty().get());
        assertTrue(m.messageProperty().get().contains("pg_upgrade of the twin exited with 1"), m.messageProperty().get());
        assertTrue(m.steps().stream().anyMatch(r -> r.state() == BlueGreenViewModel.StepState.FAILED));
    }

    @Test
    void aWindowOpenedOnAnUpgradeUnderWayShowsItWhereItStands() {
        Server server = new Server();
        server.current = OP;
        server.serving = "green";
        server.guardrailsGreen = true;
        BlueGreenViewModel m = opened(server);
        assertEquals(BlueGreenViewModel.Page.FOLLOW, m.pageProperty().get());
        assertTrue(m.canRollBackProperty().get());
        assertTrue(m.rollBackConfirmation().contains("13/main, which holds every write made on 15/main"),
                m.rollBackConfirmation());
    }

}
