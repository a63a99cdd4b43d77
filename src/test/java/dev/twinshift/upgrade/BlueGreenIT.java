package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.PgBouncerFixture;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshConnection;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real 13 -> 15 blue/green upgrades of scratch clusters on btrfs, through a real PgBouncer, with
 * pgbench writing through it the whole time.
 */
class BlueGreenIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "bluegreen-it");
    static final List<String> DATABASES = List.of("postgres", "app");

    ScratchCluster sc;
    UpgradePlan plan;
    PgBouncerFixture bouncer;
    String operation;

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (operation != null) {
            BlueGreen bg = new BlueGreen(shell, ME, null);
            Catalog cat = UpgradeWorkspace.catalogOf(shell, plan);
            try {
                BlueGreen.State s = bg.state(cat, operation);
                if (!s.finished()) {
                    if ("green".equals(s.serving())) {
                        bg.switchBack(cat, operation, null);
                    }
                    bg.abandon(cat, operation);
                }
            } catch (Exception e) {
                // The scratch clusters go below whatever state the failed test left.
                System.err.println("[bluegreen] clean-up: " + e.getMessage());
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

    private void setUp() throws Exception {
        CutoverIT.shell = shell;
        sc = CutoverIT.scratch("bg");
        assertEquals("logical", sc.psql().value("postgres", "SHOW wal_level"), "the lab makes clusters with wal_level = logical");
        plan = CutoverIT.plan(sc);
        bouncer = PgBouncerFixture.start(shell, plan.oldPort(), DATABASES);
    }

    private BlueGreenPreflight.Result preflight() throws Exception {
        return BlueGreenPreflight.run(shell, new BlueGreen(shell, ME, null).blue(plan), plan, bouncer.pooler());
    }

    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");

    /** pgbench through PgBouncer for {@code seconds}; its output and the slowest transaction in ms. */
    private CompletableFuture<String[]> pgbench(int seconds) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                String prefix = bouncer.socketDirectory() + "/tx";
                CommandResult r = shell.run(RemoteCommand.of("/usr/lib/postgresql/15/bin/pgbench", "-n", "-c", "8", "-j", "2",
                        "-T", Integer.toString(seconds), "-l", "--log-prefix=" + prefix, "-h", bouncer.socketDirectory(),
                        "-p", Integer.toString(bouncer.port()), "postgres").asUser("postgres"), Duration.ofSeconds(seconds + 120));
                String max = shell.run(RemoteCommand.of("sh", "-c", "cat \"$1\".* | awk '$3 > m { m = $3 } END { print m / 1000 }'"
                        + " && rm -f \"$1\".*", "sh", prefix).asRoot()).requireSuccess().stdout().strip();
                return new String[] {r.exitCode() + "", r.stdout() + r.stderr(), max};
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String[] cat(String a, String b, String c, String d, String e, String[] rest) {
        List<String> all = new ArrayList<>(List.of(a, b, c, d, e));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    private static long group(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), "pgbench said: " + text);
        return Long.parseLong(m.group(1));
    }

    private Map<String, String> checksumsOf(Psql psql) throws Exception {
        return Validation.tableChecksums(psql);
    }

    /** Waits (bounded) until the follower holds what the serving side holds, table by table. */
    private void assertSameTables(Psql serving, Psql follower) throws Exception {
        Instant until = Instant.now().plusSeconds(60);
        Map<String, String> a = checksumsOf(serving);
        Map<String, String> b = checksumsOf(follower);
        while (!a.equals(b) && Instant.now().isBefore(until)) {
            Thread.sleep(500);
            a = checksumsOf(serving);
            b = checksumsOf(follower);
        }
        assertEquals(a, b, "every table equal on both sides");
    }

    /** Waits (bounded) until every guardrail is green, as an administrator watching the status would. */
    private void awaitGuardrails(BlueGreen bg, Catalog cat) throws Exception {
        BlueGreenStatus st = bg.status(cat, operation);
        Instant until = Instant.now().plusSeconds(60);
        while (!st.red().isEmpty() && Instant.now().isBefore(until)) {
            Thread.sleep(500);
            st = bg.status(cat, operation);
        }
        if (!st.red().isEmpty()) {
            String logs = shell.run(RemoteCommand.of("sh", "-c", "tail -n 20 /var/log/postgresql/postgresql-13-\"$1\".log "
                    + "/var/log/postgresql/postgresql-15-\"$1\".log", "sh", plan.oldName()).asRoot()).stdout();
            throw new AssertionError("guardrails still red after 60 s: " + st.red() + "\n" + logs);
        }
    }

    @Test
    void underPgbenchThroughPgBouncerToGreenAndBackAndToGreenAgainWithoutAFailedTransaction() throws Exception {
        setUp();
        BlueGreenPreflight.Result pre = preflight();
        assertTrue(pre.passed(), String.valueOf(pre.blockers()));
        assertTrue(pre.findings().stream().anyMatch(f -> f.severity() == BlueGreenPreflight.Severity.WARNING
                && f.text().contains("pgbench_history")), "the insert-only table without a key is named: " + pre.findings());
        List<String> log = new ArrayList<>();
        BlueGreen bg = new BlueGreen(shell, ME, new UpgradeListener() {
            @Override
            public void step(String step, String state, String message) {
                log.add(step + " " + state + " " + message);
            }

            @Override
            public void log(String line) {
                log.add(line);
            }
        });
        Catalog cat = UpgradeWorkspace.catalogOf(shell, plan);
        CompletableFuture<String[]> load = pgbench(50);
        Thread.sleep(2000);
        operation = bg.prepare(plan, bouncer.pooler(), pre);
        BlueGreen.State s = bg.state(cat, operation);
        assertTrue(s.prepared(), s.describe());
        PgCluster green = new ClusterDiscovery(shell).find(plan.newId());
        assertTrue(green.running(), "green runs");
        assertEquals("15", green.version());

        awaitGuardrails(bg, cat);

        BlueGreen.SwitchResult over = bg.switchover(cat, operation, null);
        assertTrue(over.switched(), over.log());
        assertEquals(Integer.toString(green.port()), bouncer.backendPorts().get("postgres"), "PgBouncer points at green");
        Thread.sleep(4000);
        awaitGuardrails(bg, cat);
        BlueGreen.SwitchResult back = bg.switchBack(cat, operation, null);
        assertTrue(back.switched(), back.log());
        assertEquals(Integer.toString(plan.oldPort()), bouncer.backendPorts().get("postgres"), "PgBouncer points at blue again");
        Thread.sleep(4000);
        awaitGuardrails(bg, cat);
        BlueGreen.SwitchResult again = bg.switchover(cat, operation, null);
        assertTrue(again.switched(), again.log());

        String[] out = load.join();
        assertEquals("0", out[0], out[1]);
        assertEquals(0, group(FAILED, out[1]), out[1]);
        long committed = group(PROCESSED, out[1]);
        BlueGreen.State now = bg.state(cat, operation);
        assertEquals("green", now.serving());
        Psql g = bg.green(plan);
        Psql b = bg.blue(plan);
        assertEquals(Long.toString(committed), g.value("postgres", "SELECT count(*) FROM pgbench_history"),
                "green's history holds exactly the transactions pgbench saw committed");
        assertSameTables(g, b);
        System.out.printf("[bluegreen] pause %d / %d / %d ms; slowest transaction %s ms; %d committed, 0 failed%n",
                over.pauseMillis(), back.pauseMillis(), again.pauseMillis(), out[2], committed);
        System.out.printf("[bluegreen] steps (ms): over %s, back %s, again %s%n", over.stepMillis(), back.stepMillis(),
                again.stepMillis());

        String finished = bg.finish(cat, operation);
        assertTrue(finished.contains("stopped"), finished);
        assertFalse(new ClusterDiscovery(shell).find(plan.oldId()).running(), "blue is stopped");
        assertEquals("", g.value("postgres", "SELECT string_agg(slot_name, ',') FROM pg_replication_slots"),
                "no slot left on green");
        assertEquals("0", g.value("postgres", "SELECT count(*) FROM pg_subscription"), "no subscription left");
    }

    @Test
    void guardrailsRefuseTheSwitchoverAndADeadlinePutsEverythingBack() throws Exception {
        setUp();
        BlueGreen bg = new BlueGreen(shell, ME, null);
        Catalog cat = UpgradeWorkspace.catalogOf(shell, plan);
        // Prepared from the command line, as an administrator would.
        String[] pooler = {"--cluster", plan.oldId(), "--pooler-port", Integer.toString(bouncer.port()), "--pooler-socket",
            bouncer.socketDirectory(), "--pooler-ini", bouncer.pooler().iniFile()};
        // A table with no key that takes UPDATEs would make them fail on blue once published: refused, named.
        sc.sql("app", "CREATE TABLE nokey (v int)");
        sc.sql("app", "INSERT INTO nokey VALUES (1)");
        sc.sql("app", "UPDATE nokey SET v = 2");
        LabCli.Run check = LabCli.run(cat("upgrade", "bluegreen", "preflight", "--to", "15", pooler));
        Instant statistics = Instant.now().plusSeconds(20);
        while (check.code() == 0 && Instant.now().isBefore(statistics)) {
            Thread.sleep(500); // the UPDATE reaches pg_stat_user_tables a moment later
            check = LabCli.run(cat("upgrade", "bluegreen", "preflight", "--to", "15", pooler));
        }
        assertEquals(3, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("FATAL") && check.out().contains("app.public.nokey")
                && check.out().contains("REPLICA IDENTITY FULL"), check.out());
        sc.sql("app", "ALTER TABLE nokey REPLICA IDENTITY FULL");

        LabCli.Run prepared = LabCli.run(cat("upgrade", "bluegreen", "prepare", "--to", "15", pooler));
        assertEquals(0, prepared.code(), prepared.err());
        operation = bg.current(cat, plan.oldId()).orElseThrow();
        assertTrue(prepared.out().contains(operation), prepared.out());

        // DDL on blue is not replicated: refused with the reason, and the status says what to do.
        sc.sql("app", "CREATE TABLE late_table (id int PRIMARY KEY)");
        LabCli.Run status = LabCli.run("upgrade", "bluegreen", "status", "--cluster", plan.oldId());
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("[STOP] ddl") && status.out().contains("late_table")
                && status.out().contains("Repeat it on the other side"), status.out());
        LabCli.Run refused = LabCli.run("upgrade", "bluegreen", "switchover", "--cluster", plan.oldId(), "--yes");
        assertEquals(3, refused.code(), refused.out() + refused.err());
        assertTrue(refused.err().contains("CREATE TABLE") && refused.err().contains("late_table"), refused.err());
        // The same DDL on green, where it is not the serving side's, is not taken for a change to guard.
        bg.green(plan).exec("app", "CREATE TABLE late_table (id int PRIMARY KEY)", Duration.ofSeconds(30));
        String blueRows = bg.blue(plan).value("app", "SELECT string_agg(quote_literal(id::text), ',') FROM twinshift.bluegreen_ddl");
        assertEquals("0", bg.green(plan).value("app", "SELECT count(*) FROM twinshift.bluegreen_ddl WHERE id::text NOT IN ("
                + blueRows + ")"), "green's own catch-up DDL is not recorded (only blue's rows, replicated, are there)");
        sc.sql("app", "DELETE FROM twinshift.bluegreen_ddl");

        // A stopped subscription: refused.
        bg.green(plan).exec("app", "ALTER SUBSCRIPTION " + BlueGreen.namesOf(operation).subscriptionOnGreen() + " DISABLE",
                Duration.ofSeconds(30));
        CutoverRefusedException stopped = assertThrows(CutoverRefusedException.class, () -> bg.switchover(cat, operation, null));
        assertTrue(stopped.getMessage().contains("not applying in app"), stopped.getMessage());
        bg.green(plan).exec("app", "ALTER SUBSCRIPTION " + BlueGreen.namesOf(operation).subscriptionOnGreen() + " ENABLE",
                Duration.ofSeconds(30));
        awaitGuardrails(bg, cat);

        // A deadline too short to wait for green: clients resumed on blue, nothing changed.
        CompletableFuture<String[]> load = pgbench(8);
        Thread.sleep(1500);
        BlueGreen.SwitchResult r = bg.switchover(cat, operation, new BlueGreen.Options(Duration.ofMillis(1), 1000));
        assertFalse(r.switched(), r.log());
        assertTrue(r.reason().contains("deadline") || r.reason().contains("within"), r.reason());
        assertEquals(Integer.toString(plan.oldPort()), bouncer.backendPorts().get("postgres"), "PgBouncer still points at blue, unpaused");
        assertEquals("blue", bg.state(cat, operation).serving());
        String[] out = load.join();
        assertEquals(0, group(FAILED, out[1]), out[1]);

        // PgBouncer gone: the switchover changes nothing.
        bouncer.stopProcess();
        BlueGreen.SwitchResult noPooler = bg.switchover(cat, operation, null);
        assertFalse(noPooler.switched(), noPooler.log());
        bouncer.restart();
        assertEquals("blue", bg.state(cat, operation).serving());

        // The console dies while clients are paused: the switch goes on on the server and resumes them
        // within its deadline; the next command reads the outcome into the journal.
        awaitGuardrails(bg, cat);
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch cut = new CountDownLatch(1);
        SshConnection lost = LabShell.fresh(Lab.require().admin());
        BlueGreen dying = new BlueGreen(lost, ME, new UpgradeListener() {
            @Override
            public void step(String step, String state, String message) {
            }

            @Override
            public void log(String line) {
                if (paused.getCount() == 0) {
                    throw new IllegalStateException("the console is gone");
                }
                if (line.startsWith("step pause")) {
                    paused.countDown();
                    try {
                        cut.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("the console is gone");
                }
            }
        });
        CompletableFuture<Void> died = CompletableFuture.runAsync(() -> {
            try {
                dying.switchover(cat, operation, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(paused.await(60, TimeUnit.SECONDS), "the switch paused the clients");
        lost.close();
        cut.countDown();
        assertThrows(CompletionException.class, died::join);
        BlueGreen.State unsettled = bg.state(cat, operation);
        assertTrue(unsettled.unsettledSwitch() != null && unsettled.describe().contains("went away"), unsettled.describe());
        LabCli.Run waiting = LabCli.run("upgrade", "bluegreen", "status", "--cluster", plan.oldId());
        assertTrue(waiting.out().contains("[STOP] switch"), waiting.out());
        Instant until = Instant.now().plus(BlueGreen.Options.defaults().deadline()).plusSeconds(5);
        while (bouncer.backendPorts().values().stream().anyMatch(v -> v.endsWith("paused")) && Instant.now().isBefore(until)) {
            Thread.sleep(100);
        }
        assertTrue(bouncer.backendPorts().values().stream().noneMatch(v -> v.endsWith("paused")),
                "no client stays paused after the deadline: " + bouncer.backendPorts());
        BlueGreen.SwitchResult settled = bg.settle(cat, operation).orElseThrow();
        assertTrue(settled.switched(), settled.log());
        assertEquals("green", bg.state(cat, operation).serving());
        assertEquals(Integer.toString(new ClusterDiscovery(shell).find(plan.newId()).port()), bouncer.backendPorts().get("postgres"));

        // Back from the command line: blue serves again.
        awaitGuardrails(bg, cat);
        LabCli.Run back = LabCli.run("upgrade", "bluegreen", "rollback", "--cluster", plan.oldId(), "--yes");
        assertEquals(0, back.code(), back.out() + back.err());
        assertTrue(back.out().contains(plan.oldId() + " serves; clients were paused"), back.out());
        assertEquals("blue", bg.state(cat, operation).serving());

        LabCli.Run asked = LabCli.run("upgrade", "bluegreen", "abandon", "--cluster", plan.oldId());
        assertEquals(3, asked.code(), asked.out());
        assertTrue(asked.err().contains("would drop " + plan.newId()), asked.err());
        assertTrue(new ClusterDiscovery(shell).find(plan.newId()).running(), "without --yes green is untouched");
        LabCli.Run abandoned = LabCli.run("upgrade", "bluegreen", "abandon", "--cluster", plan.oldId(), "--yes");
        assertEquals(0, abandoned.code(), abandoned.err());
        assertTrue(abandoned.out().contains("serves as before"), abandoned.out());
        assertEquals("", bg.blue(plan).value("postgres", "SELECT coalesce(string_agg(slot_name, ','), '') FROM pg_replication_slots"),
                "no slot left on blue to fill its disk");
        assertTrue(new ClusterDiscovery(shell).listed(plan.newId()).isEmpty(), "green is dropped");
        operation = null;
    }
}
