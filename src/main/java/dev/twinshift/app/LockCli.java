package dev.twinshift.app;

import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CatalogLock;
import dev.twinshift.storage.LockLiveness;
import dev.twinshift.storage.LockOwner;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code twinshift lock ...}: the catalog lock of a cluster's filesystem, shown or broken. */
@Command(name = "lock", description = "Show or break the catalog lock of a cluster's filesystem.",
        subcommands = {LockCli.Show.class, LockCli.Break.class})
final class LockCli {
    @ParentCommand
    Cli cli;

    @Command(name = "show", description = "Who holds the lock, and whether its lease shows it still working.")
    static final class Show extends OnCatalog {

        @Override
        int run(Cli cli, Catalog cat) throws Exception {
            Optional<LockOwner> h = CatalogLock.holder(cat);
            boolean held = h.isPresent() || cat.exists(cat.lockDir());
            Optional<LockLiveness.Verdict> v = h.map(CatalogLock::judge);
            cli.output().print(() -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("locked", held);
                m.put("owner", h.orElse(null));
                if (held) {
                    m.put("lease", leaseJson(h, v));
                }
                return m;
            }, out -> out.println(!held ? "not locked" : h.map(o -> o.describe() + "\n  " + leaseLine(o, v.get()))
                    .orElse("locked (owner unknown: the holder is still writing its name, or died before it could)")));
            return 0;
        }

        private static Map<String, Object> leaseJson(Optional<LockOwner> h, Optional<LockLiveness.Verdict> v) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("state", v.map(x -> x.alive() ? "alive" : "gone").orElse("unknown"));
            l.put("reason", v.map(LockLiveness.Verdict::reason).orElse("no owner file"));
            LockOwner.Lease lease = h.map(LockOwner::lease).orElse(null);
            l.put("host", lease == null ? null : lease.host());
            l.put("pid", lease == null ? null : lease.pid());
            l.put("renewed", lease == null ? null : lease.renewed());
            l.put("renewedSecondsAgo", lease == null || lease.renewed() == null ? null
                    : java.time.Duration.between(lease.renewed(), java.time.Instant.now()).toMillis() / 1000.0);
            l.put("validUntil", lease == null ? null : lease.validUntil());
            return l;
        }
    }

    static String leaseLine(LockOwner o, LockLiveness.Verdict v) {
        return "lease: " + (v.alive() ? "alive" : "expired or holder gone") + " (holder " + LockLiveness.holderProcess(o)
                + "; " + v.reason() + ")";
    }

    @Command(name = "break", description = "Remove a lock whose holder is gone (a crashed console). A holder whose "
            + "lease is still renewed is refused unless --force.")
    static final class Break extends OnCatalog {
        @Option(names = "--yes", description = "confirm breaking a lock whose holder is gone")
        boolean yes;
        @Option(names = "--force", description = "break the lock even though its holder looks alive (it would go on "
                + "without the lock: only when you know it is gone)")
        boolean force;

        @Override
        int run(Cli cli, Catalog cat) throws Exception {
            PrintWriter err = cli.spec.commandLine().getErr();
            Optional<LockOwner> h = CatalogLock.holder(cat);
            Optional<LockLiveness.Verdict> v = h.map(CatalogLock::judge);
            boolean alive = v.map(LockLiveness.Verdict::alive).orElse(cat.exists(cat.lockDir()));
            if (alive && !force) {
                err.println("refused: " + h.map(o -> o.describe() + "; " + leaseLine(o, v.get()))
                        .orElse("locked, and its holder wrote no owner file (still writing it, or died before it could)"));
                err.println("The holder may still be working: breaking its lock would let two consoles change the cluster"
                        + " at once. Wait for it, or stop it there; if you know it is gone, add --force.");
                err.flush();
                return Cli.EXIT_REFUSED;
            }
            if (!yes && !force) {
                err.println("would break: " + h.map(o -> o.describe() + "; " + leaseLine(o, v.get()))
                        .orElse("no lock") + "; add --yes to break it");
                err.flush();
                return Cli.EXIT_REFUSED;
            }
            Optional<LockOwner> was = force ? CatalogLock.breakLock(cat) : CatalogLock.breakIfGone(cat);
            cli.out().println("lock broken" + was.map(o -> " (was " + o.describe() + ")").orElse(" (there was none)"));
            cli.out().flush();
            return 0;
        }
    }
}
