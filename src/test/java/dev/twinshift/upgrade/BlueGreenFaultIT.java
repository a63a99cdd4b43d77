package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.ConsoleProcess;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.PgBouncerFixture;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A console killed (as kill -9 would) at points of a blue/green upgrade, then another console on the
 * same server: it finds the operation, and either finishes what the dead one began or removes it,
 * leaving blue serving with every table as before, no slot of the upgrade on blue to fill its disk,
 * no green, and no client paused.
 */
class BlueGreenFaultIT {
    static final Actor ME = new Actor("tsadmin", "it", "bluegreen-fault-it");
    static ScratchCluster sc;
    static UpgradePlan plan;
    static PgBouncerFixture bouncer;
    static Catalog cat;

    @BeforeAll
    static void lab() throws Exception {
        // A connection of its own: the command-line runs below close the shared one when they end.
        CutoverIT.shell = LabShell.fresh(Lab.require().admin());
        sc = CutoverIT.scratch("bgf");
        plan = CutoverIT.plan(sc);
        cat = UpgradeWorkspace.catalogOf(CutoverIT.shell, plan);
        bouncer = PgBouncerFixture.start(CutoverIT.shell, plan.oldPort(), List.of("postgres", "app"));
    }

    @AfterAll
    static void dropScratch() throws Exception {
        if (plan != null) {
            // A failed case may leave its upgrade under way, and the catalog lock with it: no later test may wait on it.
            BlueGreen bg = new BlueGreen(CutoverIT.shell, ME, null);
            try {
                var op = bg.current(cat, plan.oldId());
                if (op.isPresent()) {
                    if ("green".equals(bg.state(cat, op.get()).serving())) {
                        bg.switchBack(cat, op.get(), null);
                    }
                    bg.abandon(cat, op.get());
                }
            } catch (Exception e) {
                System.err.println("[bluegreen-fault] clean-up: " + e.getMessage());
            }
        }
        if (bouncer != null) {
            bouncer.close();
        }
        if (plan != null) {
            CutoverIT.cleanUp(plan);
        }
        if (sc != null) {
            sc.close();
        }
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                // The logical slots exist on blue, but the journal does not say so yet.
                Arguments.of("bluegreen:" + BlueGreen.SLOTS + ":after", "abandon"),
                // The twin and green's cluster exist; pg_upgrade has not run.
                Arguments.of("bluegreen:" + BlueGreen.PG_UPGRADE + ":before", "abandon"),
                // The switch runs detached on the server, its console gone with clients paused.
                Arguments.of("bluegreen:" + BlueGreen.SWITCHOVER + ":started", "rollback"));
    }

    static String[] args(String... first) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of("--cluster", plan.oldId()));
        return all.toArray(String[]::new);
    }

    static String[] prepare() {
        List<String> a = new ArrayList<>(List.of(args("upgrade", "bluegreen", "prepare", "--to", "15")));
        a.addAll(List.of("--pooler-port", Integer.toString(bouncer.port()), "--pooler-socket", bouncer.socketDirectory(),
                "--pooler-ini", bouncer.pooler().iniFile()));
        return a.toArray(String[]::new);
    }

    /** Waits (bounded) for the status to show every guardrail green, as an administrator would. */
    static void awaitReady() throws Exception {
        Instant until = Instant.now().plusSeconds(90);
        LabCli.Run st = LabCli.run(args("upgrade", "bluegreen", "status"));
        // "ready:" opens its own line; "not ready:" must not count.
        while (!st.out().contains("\nready:") && Instant.now().isBefore(until)) {
            Thread.sleep(1000);
            st = LabCli.run(args("upgrade", "bluegreen", "status"));
        }
        assertTrue(st.out().contains("\nready:"), st.out() + st.err());
    }

    @ParameterizedTest(name = "console killed at {0}, then {1}")
    @MethodSource("faults")
    void aConsoleKilledMidwayLeavesAnUpgradeAnotherConsoleFinishesOrRemoves(String failPoint, String then) throws Exception {
        List<String> before = CutoverIT.checksums(sc.psql());
        boolean switching = failPoint.endsWith(":started");
        if (switching) {
            LabCli.Run prepared = LabCli.run(prepare());
            assertEquals(0, prepared.code(), prepared.err());
            awaitReady();
        }
        ConsoleProcess.Ended killed = switching
                ? ConsoleProcess.run(failPoint, args("upgrade", "bluegreen", "switchover", "--yes"))
                : ConsoleProcess.run(failPoint, prepare());
        assertEquals(137, killed.code(), "the fail point halts the console: " + killed.out() + killed.err());

        LabCli.Run status = LabCli.run(args("upgrade", "bluegreen", "status"));
        assertEquals(0, status.code(), status.err());
        assertTrue(switching ? status.out().contains("went away") : status.out().contains("abandon"), status.out());

        if (then.equals("rollback")) {
            // The dead console's switch went on without it: clients are on green, unpaused.
            assertTrue(bouncer.backendPorts().values().stream().noneMatch(v -> v.endsWith("paused")), bouncer.backendPorts()
                    .toString());
            LabCli.Run back = LabCli.run(args("upgrade", "bluegreen", "rollback", "--yes"));
            assertTrue(back.err().contains("the earlier switch is journaled now"), back.err());
            if (back.code() == 3) {
                // Refused, naming a guardrail: the way back had only just started to apply.
                assertTrue(back.err().contains("switchover refused"), back.err());
                awaitReady();
                back = LabCli.run(args("upgrade", "bluegreen", "rollback", "--yes"));
            }
            assertEquals(0, back.code(), back.out() + back.err());
            assertEquals(Integer.toString(plan.oldPort()), bouncer.backendPorts().get("postgres"), "blue serves again");
        }
        LabCli.Run gone = LabCli.run(args("upgrade", "bluegreen", "abandon", "--yes"));
        assertEquals(0, gone.code(), gone.out() + gone.err());

        assertTrue(new ClusterDiscovery(CutoverIT.shell).listed(plan.newId()).isEmpty(), "green is dropped");
        assertEquals("", sc.psql().value("postgres", "SELECT coalesce(string_agg(slot_name, ','), '') FROM pg_replication_slots"),
                "no slot is left on blue to fill its disk");
        assertEquals("0", sc.psql().value("postgres", "SELECT count(*) FROM pg_publication"), "no publication is left");
        assertEquals("0", sc.psql().value("app", "SELECT count(*) FROM pg_event_trigger"), "no DDL watch is left");
        assertFalse(new BlueGreen(CutoverIT.shell, ME, null).current(cat, plan.oldId()).isPresent(), "nothing under way");
        assertEquals(before, CutoverIT.checksums(sc.psql()), "every table as before");
        assertTrue(bouncer.backendPorts().values().stream().allMatch(v -> v.equals(Integer.toString(plan.oldPort()))),
                "PgBouncer points at blue, unpaused: " + bouncer.backendPorts());
    }
}
