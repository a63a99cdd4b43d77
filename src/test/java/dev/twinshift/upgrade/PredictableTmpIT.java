package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.ListeningPorts;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Root never creates or chowns a socket directory under a name another local user could have taken
 * first: a symlink planted at every name the old code would have used must not be followed.
 */
public class PredictableTmpIT {
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "tmp-it");

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
        CutoverIT.shell = shell;
    }

    /** A directory owned by root that an attacker would like to have chowned to postgres. */
    public static String target(RemoteShell shell) throws Exception {
        return shell.run(RemoteCommand.of("mktemp", "-d", "/var/tmp/twinshift-it-target-XXXXXXXX").asRoot())
                .requireSuccess().stdout().strip();
    }

    /** Symlinks to {@code target} at each path that does not exist yet; returns those it made. */
    public static List<String> plant(RemoteShell shell, String target, List<String> paths) throws Exception {
        List<String> args = new ArrayList<>(List.of("sh", "-c", """
                t=$1; shift
                for l; do [ -e "$l" ] || [ -L "$l" ] || { ln -s "$t" "$l" && echo "$l"; }; done
                exit 0""", "sh", target));
        args.addAll(paths);
        return shell.run(RemoteCommand.of(args).asUser("nobody")).requireSuccess().stdout().lines().toList();
    }

    /** Removes the planted symlinks (never what they point to) and the target. */
    public static void unplant(RemoteShell shell, String target, List<String> links) throws Exception {
        List<String> args = new ArrayList<>(List.of("sh", "-c", "for l; do [ -L \"$l\" ] && rm -f -- \"$l\"; done; exit 0", "sh"));
        args.addAll(links);
        shell.run(RemoteCommand.of(args).asRoot()).requireSuccess();
        if (target != null && target.startsWith("/var/tmp/twinshift-it-target-")) {
            shell.run(RemoteCommand.of("rm", "-rf", "--", target).asRoot());
        }
    }

    /** The socket directory names the old code derived from an operation's name, for each second of a window. */
    public static List<String> byOperation(String prefix, String opSuffix, Instant from, int seconds) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < seconds; i++) {
            String op = Catalog.STAMP.format(from.plusSeconds(i)) + opSuffix;
            out.add(prefix + Integer.toHexString(op.hashCode()));
        }
        return out;
    }

    /** Owner, mode and entries of the target: what a followed symlink would have changed. */
    public static String state(RemoteShell shell, String target) throws Exception {
        return shell.run(RemoteCommand.of("sh", "-c", "stat -c '%U %a' -- \"$1\" && ls -A -- \"$1\"", "sh", target).asRoot())
                .requireSuccess().stdout().strip();
    }

    @Test
    void preflightsPgUpgradeSocketDirectoryIsNotAPlantedSymlink() throws Exception {
        String target = target(shell);
        List<String> links = List.of();
        Rehearsal.Result r = null;
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "tmprh")) {
            UpgradePlan plan = new Upgrades(shell).plan(sc.cluster(), "15", null).plan();
            // The old code's name: /tmp/twinshift-rh-<hash of the operation>, the operation named after the second it starts.
            links = plant(shell, target, byOperation("/tmp/twinshift-rh-", "-preflight-" + plan.oldVersion() + "-"
                    + plan.oldName(), Instant.now().minusSeconds(5), 300));
            assertTrue(links.size() > 250, "planted: " + links.size());
            r = new Rehearsal(shell, ME, UpgradeListener.NONE).preflight(plan);

            assertTrue(r.compatible(), r.report());
            assertEquals("root 700", state(shell, target), "the symlink's target is neither chowned nor used for sockets");
        } finally {
            unplant(shell, target, links);
            if (r != null) {
                CutoverIT.removeOperation(UpgradeWorkspace.catalogOf(shell, r.plan()), r.operation());
            }
        }
    }

    @Test
    void aCloneWhoseSocketPathIsTooLongGetsAPrivateDirectoryNotAPlantedOne() throws Exception {
        String target = target(shell);
        List<String> links = List.of();
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        Catalog cat = new Catalog(shell, ScratchCluster.BTRFS);
        String name = null;
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "tmpcl")) {
            SnapshotRecord snap = new SnapshotService(shell, ME, s -> { }).create(sc.cluster(), Reason.MANUAL, "tmp-it");
            // Long enough that <catalog>/clones/<name>.run/.s.PGSQL.<port> passes the 107-byte limit.
            name = (sc.name() + "-" + "s".repeat(63)).substring(0, 63);
            assertTrue((cat.cloneRunDir(name) + "/.s.PGSQL." + ListeningPorts.FIRST).length() > 107,
                    "this clone's socket cannot live in its run directory");
            List<String> old = new ArrayList<>();
            for (int p = ListeningPorts.FIRST; p <= ListeningPorts.LAST; p++) {
                old.add("/tmp/twinshift-clone-" + p);
            }
            links = plant(shell, target, old);
            clones.create(cat, snap.id(), name);
            CloneRecord c = clones.start(cat, name);

            String sock = c.socketDirectory();
            assertNotNull(sock);
            assertTrue(sock.startsWith("/tmp/twinshift-clone-") && !old.contains(sock), sock);
            assertEquals("postgres 700 d", shell.run(RemoteCommand.of("sh", "-c",
                    "stat -c '%U %a' -- \"$1\" | tr '\\n' ' '; [ -L \"$1\" ] && echo l || echo d", "sh", sock).asRoot())
                    .requireSuccess().stdout().strip(), "a real, private directory");
            assertEquals("1", new CloneServer(shell).psql(clones.spec(cat, c)).value("postgres", "SELECT 1"));
            assertEquals("root 700", state(shell, target), "the planted symlinks were not followed");
            clones.destroy(cat, name);
            name = null;
            assertTrue(!shell.run(RemoteCommand.of("test", "-e", sock).asRoot()).ok(), "its socket directory goes with it");
        } finally {
            if (name != null && cat.clone(name).isPresent()) {
                clones.destroy(cat, name);
            }
            unplant(shell, target, links);
        }
    }
}
