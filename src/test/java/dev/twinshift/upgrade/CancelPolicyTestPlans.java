package dev.twinshift.upgrade;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.storage.StorageMethod;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** A plan 13/main -> 15/main on port 5433, from the planner itself, for tests of what cancel means. */
public final class CancelPolicyTestPlans {
    private CancelPolicyTestPlans() {}

    public static UpgradePlan plan() {
        PgCluster c = new PgCluster("13", "main", 5433, true, "online", "postgres", "/srv/btrfs/13/main",
                "/etc/postgresql/13/main", "/var/run/postgresql", null, "/srv/btrfs/13/main/pg_wal", List.of(), 41_000_000L, null);
        UpgradeFacts f = new UpgradeFacts(c, List.of("13", "15"), Set.of("13/main"), Set.of(22, 5433), StorageMethod.BTRFS_SUBVOLUME,
                true, "/srv/btrfs", 5L << 30, "UTF8", "C.UTF-8", "C.UTF-8", false, Set.of(), 2);
        UpgradePlanner.Result r = UpgradePlanner.plan(f, "15", null, Instant.parse("2026-11-25T14:00:00Z"));
        if (!r.ok()) {
            throw new IllegalStateException(String.valueOf(r.refusals()));
        }
        return r.plan();
    }
}
