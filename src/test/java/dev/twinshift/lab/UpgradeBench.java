package dev.twinshift.lab;

import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.upgrade.Cutover;
import dev.twinshift.upgrade.CutoverRollback;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.UpgradeState;
import dev.twinshift.upgrade.UpgradeWorkspace;
import dev.twinshift.upgrade.Upgrades;
import java.time.Duration;

/**
 * Times what the downtime benchmark asks of the core, through the lab's SSH server: a cutover of a
 * live cluster to the target version (downtime as the journal measures it, from the fast shutdown
 * until the new cluster answers on the old port), then the rollback to the old version until it
 * answers again. Prints {@code key=value} lines.
 * Usage: {@code UpgradeBench VERSION/NAME TARGET}
 */
public final class UpgradeBench {
    private UpgradeBench() {}

    public static void main(String[] args) throws Exception {
        RemoteShell shell = LabShell.admin(Lab.require());
        Actor me = Actor.local("tsadmin");
        PgCluster c = new ClusterDiscovery(shell).find(args[0]);
        UpgradePlanner.Result r = new Upgrades(shell).plan(c, args[1], null);
        if (!r.ok()) {
            throw new IllegalStateException(String.join("; ", r.refusals()));
        }
        UpgradePlan plan = r.plan();
        java.util.Map<String, Long> started = new java.util.HashMap<>();
        UpgradeListener quiet = new UpgradeListener() {
            @Override
            public void step(String step, String state, String message) {
                long now = System.nanoTime();
                if (UpgradeState.STARTED.equals(state)) {
                    started.put(step, now);
                    return;
                }
                Long t = started.get(step);
                System.err.printf("   [%s] %s%s%n", step, state, t == null ? "" : String.format(" %.1f s", (now - t) / 1e9));
            }

            @Override
            public void log(String line) {
            }
        };
        Cutover cutover = new Cutover(shell, me, quiet, new Cutover.Options(Duration.ZERO, false));
        long t0 = System.nanoTime();
        UpgradeState done = cutover.run(plan, true); // measures the steps; the readiness rule is not what is timed
        long t1 = System.nanoTime();
        if (!UpgradeState.COMPLETED.equals(done.outcome())) {
            throw new IllegalStateException("the cutover did not complete: " + done.describe());
        }
        String version = dev.twinshift.postgres.Psql.forCluster(shell, new ClusterDiscovery(shell).find(plan.newId()))
                .value("postgres", "SHOW server_version_num");
        System.out.println("cutover_total_ms=" + ms(t1 - t0));
        System.out.println("downtime_ms=" + done.data().get("downtimeMillis"));
        System.out.println("new_version=" + version);
        System.out.println("operation=" + plan.operation());
        System.out.println("new_cluster=" + plan.newId());

        long t2 = System.nanoTime();
        UpgradeState back = new CutoverRollback(shell, me, quiet).rollback(UpgradeWorkspace.catalogOf(shell, plan),
                plan.operation());
        long t3 = System.nanoTime();
        if (!UpgradeState.ROLLED_BACK.equals(back.outcome())) {
            throw new IllegalStateException("the rollback did not complete: " + back.describe());
        }
        System.out.println("rollback_ms=" + ms(t3 - t2));
    }

    private static long ms(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
