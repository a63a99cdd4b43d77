package dev.twinshift.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idle clones on the lab's btrfs: real clones of a scratch cluster running as their own servers, a real client,
 * the server's own schedule.sh deciding and acting, days simulated with TWINSHIFT_NOW. The catalog is shared with
 * other tests: every clone this test did not make is protected for its duration, and the catalog's policy file is
 * put back as it was.
 */
class IdleClonesIT {
    static final Actor ME = new Actor("tsadmin", "it", "idle-clones-it");
    static RemoteShell shell;

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    /** The script run as the hourly job runs it, with its clock at {@code now}. */
    static CommandResult script(Catalog cat, Instant now, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("env", "TWINSHIFT_NOW=" + now, "TWINSHIFT_LOCK_WAIT=20", "/bin/sh",
                cat.root() + "/bin/schedule.sh", "idle", cat.root()));
        argv.addAll(List.of(args));
        return shell.run(RemoteCommand.of(argv).asRoot(), Duration.ofMinutes(5));
    }

    static Map<String, IdleClone> preview(Catalog cat, Instant now) throws Exception {
        CommandResult r = script(cat, now, "--dry-run");
        assertEquals(0, r.exitCode(), r.stderr());
        return IdleCloneService.parse(r.stdout()).stream().collect(Collectors.toMap(IdleClone::name, Function.identity()));
    }

    @Test
    void anIdleCloneIsMarkedThenStoppedThenDestroyedAndAProtectedOneIsNeverTouched() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "idle")) {
            sc.sql("postgres", "CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g");
            SnapshotService snapshots = new SnapshotService(shell, ME, null);
            CloneService clones = new CloneService(shell, ME, null);
            IdleCloneService idle = new IdleCloneService(shell, null);
            SnapshotRecord snap = snapshots.create(sc.cluster(), Reason.MANUAL, "idle-it");
            Catalog cat = new Catalog(shell, ScratchCluster.BTRFS);
            assertEquals(cat.root(), snapshots.volumeOf(sc.cluster()).catalog().root());
            String a = sc.name() + "-a";
            String b = sc.name() + "-b";
            String policyFile = IdleCloneService.policyPath(cat);
            Optional<String> policyBefore = read(policyFile);
            String log0 = IdleCloneService.logPath(cat);
            String status0 = cat.root() + "/schedule/clones.status.json";
            boolean hadLog = cat.exists(log0);
            boolean hadStatus = cat.exists(status0);
            List<String> othersProtected = new ArrayList<>();
            try {
                for (CloneRecord other : cat.clones()) {
                    if (!cat.exists(cat.cloneProtectionFile(other.name()))) {
                        idle.protect(cat, other.name(), true, ME);
                        othersProtected.add(other.name());
                    }
                }
                clones.create(cat, snap.id(), a);
                clones.create(cat, snap.id(), b);
                CloneRecord ra = clones.start(cat, a);
                clones.start(cat, b);
                idle.protect(cat, b, true, ME);
                idle.savePolicy(cat, IdleClonePolicy.parse("idle-mark=24h idle-action=stop idle-after=3d"));
                assertEquals(IdleClonePolicy.parse("idle-action=stop idle-after=3d"), idle.policy(cat));

                // A client connected: the clone is active, and the time is recorded.
                CloneServer.Spec spec = clones.spec(cat, ra);
                CompletableFuture<CommandResult> client = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new CloneServer(shell).psql(spec).exec("postgres", "SELECT pg_sleep(15)", Duration.ofMinutes(1));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Instant seen = null;
                IdleClone busy = null;
                for (int i = 0; i < 30 && (busy == null || busy.connections() == null || busy.connections() < 1); i++) {
                    Thread.sleep(500);
                    seen = Instant.now().truncatedTo(ChronoUnit.SECONDS);
                    busy = preview(cat, seen).get(a);
                }
                assertNotNull(busy);
                assertEquals(IdleClone.Verdict.ACTIVE, busy.verdict(), busy.toString());
                assertTrue(busy.running());
                assertEquals(1, busy.connections(), "the client, not the check's own session: " + busy);
                assertEquals(seen, busy.lastActiveAt());
                client.get();
                List<IdleClone> viaService = idle.preview(cat);
                IdleClone quiet = viaService.stream().filter(c -> c.name().equals(a)).findFirst().orElseThrow();
                assertEquals(0, quiet.connections(), quiet.toString());
                assertEquals(IdleClone.Verdict.ACTIVE, quiet.verdict(), "active minutes ago: " + quiet);
                assertEquals(List.of(), idle.enforceNow(cat), "nothing is due now");

                // Two days without a client: marked idle, not yet acted on.
                Map<String, IdleClone> day2 = preview(cat, seen.plus(Duration.ofDays(2)));
                assertEquals(IdleClone.Verdict.IDLE, day2.get(a).verdict(), day2.get(a).toString());
                assertEquals(seen, day2.get(a).lastActiveAt());
                assertTrue(day2.get(a).reason().endsWith("(2 d); policy stops after 3 d"), day2.get(a).reason());
                assertEquals(IdleClone.Verdict.PROTECTED, day2.get(b).verdict());
                assertTrue(day2.get(b).protectedClone());
                assertTrue(day2.get(b).reason().startsWith("protected by tsadmin (it@idle-clones-it) since "), day2.get(b).reason());

                // Four days: due, and the run stops its server for real; the protected one runs on.
                Instant day4 = seen.plus(Duration.ofDays(4));
                assertEquals(IdleClone.Verdict.STOP_DUE, preview(cat, day4).get(a).verdict());
                CommandResult run = script(cat, day4);
                assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
                assertTrue(run.stdout().contains("stopped clone " + a + ": no connection since "), run.stdout());
                assertFalse(clones.isRunning(cat, clones.require(cat, a)), "its server was stopped");
                assertTrue(clones.isRunning(cat, clones.require(cat, b)), "the protected clone still runs");
                assertEquals(IdleClone.Verdict.STOPPED, preview(cat, day4).get(a).verdict());
                String log = read(IdleCloneService.logPath(cat)).orElse("");
                assertTrue(log.contains("stopped clone " + a), log);

                // The command line shows the same, and a destroy policy names what it would destroy before it is saved.
                LabCli.Run list = LabCli.run("clone", "idle", "--cluster", sc.id());
                assertEquals(0, list.code(), list.err());
                assertTrue(list.out().contains("idle-action=stop idle-after=3d") && list.out().contains(b), list.out());
                LabCli.Run bad = LabCli.run("clone", "idle-policy", "--cluster", sc.id(), "--set", "idle-action=destroy idle-after=1h");
                assertEquals(3, bad.code(), bad.out() + bad.err());
                assertTrue(bad.err().contains("idle-after=1h is shorter than idle-mark=24h"), bad.err());
                LabCli.Run asked = LabCli.run("clone", "idle-policy", "--cluster", sc.id(), "--set", "idle-action=destroy idle-after=3d");
                assertEquals(3, asked.code(), asked.out() + asked.err());
                assertTrue(asked.err().contains("Would write " + policyFile) && asked.err().contains("Nothing was changed"), asked.err());
                assertTrue(asked.err().contains("would stop or destroy no clone now"), "stopped minutes ago: " + asked.err());
                assertEquals(IdleClonePolicy.Action.STOP, idle.policy(cat).action(), "unchanged without --yes");

                // Destroy: gone from disk and catalog, recorded with the snapshot it can be made again from.
                idle.savePolicy(cat, IdleClonePolicy.parse("idle-action=destroy idle-after=3d"));
                Instant day8 = seen.plus(Duration.ofDays(8));
                IdleClone due = preview(cat, day8).get(a);
                assertEquals(IdleClone.Verdict.DESTROY_DUE, due.verdict(), due.toString());
                assertTrue(due.reason().contains("it can be made again from snapshot " + snap.id()), due.reason());
                CloneRecord before = clones.require(cat, a);
                run = script(cat, day8);
                assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
                assertTrue(run.stdout().contains("destroyed clone " + a), run.stdout());
                assertTrue(cat.clone(a).isEmpty(), "its sidecar is gone");
                assertFalse(cat.exists(before.location()), "its subvolume is gone");
                assertFalse(cat.exists(cat.cloneRunDir(a)), "its run directory is gone");
                assertTrue(clones.isRunning(cat, clones.require(cat, b)), "the protected clone is untouched");
                log = read(IdleCloneService.logPath(cat)).orElse("");
                assertTrue(log.contains("destroying clone " + a + " (made from snapshot " + snap.id() + " by tsadmin (it@idle-clones-it)"),
                        log);
                assertTrue(cat.snapshot(snap.id()).isPresent(), "the snapshot it was made from stays");
            } finally {
                for (String c : List.of(a, b)) {
                    if (cat.clone(c).isPresent()) {
                        clones.destroy(cat, c);
                    }
                }
                for (String o : othersProtected) {
                    if (cat.clone(o).isPresent()) {
                        idle.protect(cat, o, false, ME);
                    }
                }
                if (policyBefore.isPresent()) {
                    shell.run(RemoteCommand.of("sh", "-c", "cat > \"$1.tmp\" && mv -f -- \"$1.tmp\" \"$1\"", "sh", policyFile).asRoot(),
                            dev.twinshift.ssh.ExecOptions.defaults().withStdin(policyBefore.get().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                            dev.twinshift.ssh.LineListener.IGNORE).requireSuccess();
                } else {
                    shell.run(RemoteCommand.of("rm", "-f", "--", policyFile).asRoot()).requireSuccess();
                }
                if (!hadLog) {
                    cat.remove(log0);
                }
                if (!hadStatus) {
                    cat.remove(status0);
                }
            }
            assertTrue(cat.clone(a).isEmpty() && cat.clone(b).isEmpty(), "every clone the test made is gone");
        }
    }

    static Optional<String> read(String path) throws Exception {
        CommandResult r = shell.run(RemoteCommand.of("sh", "-c", "[ -f \"$1\" ] || exit 3; cat -- \"$1\"", "sh", path).asRoot());
        return r.exitCode() == 3 ? Optional.empty() : Optional.of(r.requireSuccess().stdout());
    }
}
