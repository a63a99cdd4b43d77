package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.SshConnection;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CatalogLock;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Json;
import dev.twinshift.storage.LockLiveness;
import dev.twinshift.storage.LockOwner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code lock show}, {@code lock break} and a waiting command, with a second console (its own SSH
 * connection, in this JVM) holding the lock of 13/main's catalog. Every test leaves that lock free.
 */
class LockCliIT {
    static Lab lab;
    static SshConnection otherConsole;
    static Catalog catalog;
    static final Actor ALICE = new Actor("tsadmin", "alice", "laptop");

    @BeforeAll
    static void lab() throws Exception {
        lab = Lab.require();
        otherConsole = LabShell.fresh(lab.admin());
        catalog = ClusterVolume.resolve(otherConsole, new ClusterDiscovery(otherConsole).find("13/main")).catalog();
    }

    @BeforeEach
    void labLockIsFree() throws Exception {
        assertTrue(CatalogLock.holder(catalog).isEmpty() && !catalog.exists(catalog.lockDir()),
                "the lab's lock is held by something else: " + CatalogLock.holder(catalog));
    }

    @AfterEach
    void leaveNoLock() throws Exception {
        // Only what this test took; a lock of anybody else is left (and makes the next test fail loudly).
        if (CatalogLock.holder(catalog).map(o -> o.who() != null && "alice".equals(o.who().workstationUser())).orElse(false)) {
            CatalogLock.breakLock(catalog);
        }
    }

    record Run(int code, String out, String err) {
    }

    static Run cli(StringWriter err, String... args) {
        List<String> all = new ArrayList<>(List.of("--server", lab.admin().user() + "@" + lab.admin().host() + ":"
                + lab.admin().port(), "--identity", lab.admin().identityFiles().get(0).toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        int code = Cli.run(new Cli(LabShell::of), new PrintWriter(out, true), new PrintWriter(err, true),
                all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    static Run cli(String... args) {
        return cli(new StringWriter(), args);
    }

    @Test
    void breakRefusesALiveHolderUnlessForced() throws Exception {
        try (CatalogLock held = CatalogLock.acquire(catalog, ALICE, "upgrade 13/main-to-15")) {
            String pid = "pid " + ProcessHandle.current().pid();
            Run no = cli("lock", "break", "--cluster", "13/main", "--yes");
            assertEquals(Cli.EXIT_REFUSED, no.code(), no.out() + no.err());
            assertTrue(no.err().startsWith("refused: locked by tsadmin (alice@laptop) since "), no.err());
            assertTrue(no.err().contains("for upgrade 13/main-to-15") && no.err().contains(pid)
                    && no.err().contains("lease: alive") && no.err().contains("valid until"), no.err());
            assertTrue(no.err().contains("add --force"), no.err());
            assertEquals(held.owner().token(), CatalogLock.holder(catalog).orElseThrow().token(), "still held");

            Run show = cli("lock", "show", "--cluster", "13/main");
            assertEquals(0, show.code(), show.err());
            assertTrue(show.out().contains("locked by tsadmin (alice@laptop)") && show.out().contains("lease: alive")
                    && show.out().contains(pid) && show.out().contains("lease renewed "), show.out());
            Run json = cli("--json", "lock", "show", "--cluster", "13/main");
            JsonNode j = Json.mapper().readTree(json.out());
            assertTrue(j.path("locked").asBoolean(), json.out());
            assertEquals("alive", j.path("lease").path("state").asText(), json.out());
            assertEquals(ProcessHandle.current().pid(), j.path("lease").path("pid").asLong(), json.out());
            assertTrue(Instant.parse(j.path("lease").path("validUntil").asText()).isAfter(Instant.now()), json.out());

            Run forced = cli("lock", "break", "--cluster", "13/main", "--force");
            assertEquals(0, forced.code(), forced.err());
            assertTrue(forced.out().contains("lock broken (was locked by tsadmin (alice@laptop)"), forced.out());
            assertTrue(CatalogLock.holder(catalog).isEmpty());
        }
        assertFalse(catalog.exists(catalog.lockDir()));
    }

    @Test
    void breakRemovesTheLockOfAHolderWhoseProcessEnded() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        LockLiveness.Local here = LockLiveness.thisMachine();
        Instant now = Instant.now();
        catalog.ensureLayout();
        otherConsole.run(RemoteCommand.of("mkdir", "--", catalog.lockDir()).asRoot()).requireSuccess();
        catalog.writeJson(catalog.lockDir() + "/owner.json", new LockOwner(UUID.randomUUID().toString(), ALICE,
                "rollback of 13/main", now, new LockOwner.Lease(here.host(), p.pid(), null, here.bootId(), now,
                        now.plus(Duration.ofMinutes(5)))));
        Run show = cli("--json", "lock", "show", "--cluster", "13/main");
        assertEquals("gone", Json.mapper().readTree(show.out()).path("lease").path("state").asText(), show.out());
        Run preview = cli("lock", "break", "--cluster", "13/main");
        assertEquals(Cli.EXIT_REFUSED, preview.code());
        assertTrue(preview.err().contains("would break: ") && preview.err().contains("no longer runs"), preview.err());
        Run br = cli("lock", "break", "--cluster", "13/main", "--yes");
        assertEquals(0, br.code(), br.err());
        assertFalse(catalog.exists(catalog.lockDir()));
    }

    @Test
    void aCommandWaitingForTheLockSaysWhoHoldsIt() throws Exception {
        StringWriter err = new StringWriter();
        String clone = "no-such-" + UUID.randomUUID().toString().substring(0, 6);
        CompletableFuture<Run> waiting;
        try (CatalogLock held = CatalogLock.acquire(catalog, ALICE, "snapshot of 13/main")) {
            waiting = CompletableFuture.supplyAsync(() -> cli(err, "clone", "start", "--cluster", "13/main", clone));
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!err.toString().contains("waiting for the lock") && !waiting.isDone() && System.nanoTime() < end) {
                Thread.sleep(100);
            }
        }
        Run r = waiting.get();
        String e = r.err();
        assertTrue(e.contains("waiting for the lock (") && e.contains("locked by tsadmin (alice@laptop) since ")
                && e.contains("for snapshot of 13/main") && e.contains("holder pid " + ProcessHandle.current().pid())
                && e.contains("lease renewed "), e);
        assertTrue(e.contains("got the lock"), "went on once the holder released it: " + e);
        assertTrue(r.code() != 0 && e.contains(clone), "then found no such clone, changing nothing: " + e);
    }
}
