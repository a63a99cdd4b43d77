package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.postgres.PgCluster;
import dev.twinshift.storage.StorageMethod;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpgradePlannerTest {
    static final Instant NOW = Instant.parse("2026-11-25T14:30:00Z");
    static final long GIB = 1024L * 1024 * 1024;

    static PgCluster cluster(String dataDir, PgCluster.Manager manager, long size) {
        return new PgCluster("13", "main", 5433, true, "online", "postgres", dataDir, "/etc/postgresql/13/main",
                "/var/run/postgresql", null, dataDir + "/pg_wal", List.of(), size, manager);
    }

    static UpgradeFacts facts(PgCluster c, StorageMethod storage, long free, Set<String> clusters) {
        return new UpgradeFacts(c, List.of("13", "15"), clusters, Set.of(5432, 5433, 54330), storage,
                storage == StorageMethod.BTRFS_SUBVOLUME, "/srv/data", free, "UTF8", "C.UTF-8", "C.UTF-8", false, Set.of(), 2);
    }

    @Test
    void btrfsClusterIsUpgradedByCloneBesideItselfOnAFreePort() {
        PgCluster c = cluster("/srv/data/pg13-main", PgCluster.Manager.POSTGRESQL_COMMON, 100 * GIB);
        UpgradePlanner.Result r = UpgradePlanner.plan(facts(c, StorageMethod.BTRFS_SUBVOLUME, 50 * GIB,
                Set.of("13/main")), null, null, NOW);
        assertTrue(r.ok(), r.refusals().toString());
        UpgradePlan p = r.plan();
        assertEquals("15", p.newVersion(), "the newest installed version by default");
        assertEquals("main", p.newName());
        assertEquals("/srv/data/pg15-main", p.newDataDirectory());
        assertEquals(UpgradeMethod.CLONE, p.method());
        assertTrue(p.newIsSubvolume());
        assertEquals(54331, p.newTemporaryPort(), "54330 listens already");
        assertEquals("20261125T143000Z-upgrade-13-main", p.operation());
        assertEquals(5 * GIB, p.headroomBytes(), "a clone needs room for metadata only (5 %)");
        assertEquals("/etc/postgresql/15/main", p.newConfigDirectory());
    }

    @Test
    void debianLayoutAndTakenNameGiveAVersionedSibling() {
        PgCluster c = cluster("/var/lib/postgresql/13/main", PgCluster.Manager.POSTGRESQL_COMMON, GIB);
        UpgradePlan p = UpgradePlanner.plan(facts(c, StorageMethod.REFLINK, 50 * GIB, Set.of("13/main", "15/main")),
                "15", null, NOW).plan();
        assertEquals("main_15", p.newName(), "15/main exists, so the new cluster gets another name");
        assertEquals("/var/lib/postgresql/15/main_15", p.newDataDirectory());
    }

    @Test
    void aTakenNameIsSteppedAroundOutLoudWithWhyWhenTheEntryIsBroken() {
        PgCluster c = cluster("/var/lib/postgresql/13/main", PgCluster.Manager.POSTGRESQL_COMMON, GIB);
        UpgradeFacts f = facts(c, StorageMethod.REFLINK, 50 * GIB, Set.of("13/main", "15/main"));
        UpgradeFacts broken = new UpgradeFacts(c, f.installedVersions(), f.existingClusters(), f.takenPorts(), f.storage(),
                false, f.filesystem(), f.freeBytes(), "UTF8", "C.UTF-8", "C.UTF-8", false, Set.of(), 2,
                java.util.Map.of("15/main", "data directory /var/lib/postgresql/15/main is gone"), "postgres");
        UpgradePlan p = UpgradePlanner.plan(broken, "15", null, NOW).plan();
        assertEquals("main_15", p.newName());
        assertTrue(p.notes().contains("15/main exists already (broken: data directory /var/lib/postgresql/15/main is"
                + " gone), so the new cluster is 15/main_15"), p.notes().toString());
        UpgradePlan healthy = UpgradePlanner.plan(f, "15", null, NOW).plan();
        assertTrue(healthy.notes().contains("15/main exists already, so the new cluster is 15/main_15"),
                healthy.notes().toString());
        UpgradePlanner.Result named = UpgradePlanner.plan(broken, "15", "main", NOW);
        assertTrue(named.refusals().get(0).startsWith("a cluster 15/main (broken: data directory"), named.refusals().toString());
    }

    @Test
    void theInstallUserIsCarriedIntoThePlanAndNamedWhenItIsNotPostgres() {
        PgCluster c = cluster("/srv/data/pg13-main", PgCluster.Manager.POSTGRESQL_COMMON, GIB);
        UpgradeFacts f = facts(c, StorageMethod.BTRFS_SUBVOLUME, 50 * GIB, Set.of("13/main"));
        UpgradeFacts dba = new UpgradeFacts(c, f.installedVersions(), f.existingClusters(), f.takenPorts(), f.storage(),
                true, f.filesystem(), f.freeBytes(), "UTF8", "C.UTF-8", "C.UTF-8", false, Set.of(), 2, null, "dba");
        UpgradePlan p = UpgradePlanner.plan(dba, "15", null, NOW).plan();
        assertEquals("dba", p.installUser());
        assertTrue(p.notes().stream().anyMatch(n -> n.contains("pg_upgrade runs with -U dba")), p.notes().toString());
        assertEquals("postgres", UpgradePlanner.plan(f, "15", null, NOW).plan().installUser(), "unknown: postgres");
        List<String> argv = PgUpgradeCommand.of(p, "/a", "/x", "/b", "/y", "/s", UpgradeMethod.CLONE, true).argv();
        assertEquals("dba", argv.get(argv.indexOf("-U") + 1), "pg_upgrade runs as the install user: " + argv);
    }

    @Test
    void plainFilesystemCopiesAndNeedsRoomForAFullCopy() {
        PgCluster c = cluster("/data/13/main", PgCluster.Manager.POSTGRESQL_COMMON, 10 * GIB);
        UpgradePlanner.Result tight = UpgradePlanner.plan(facts(c, StorageMethod.PLAIN_COPY, 5 * GIB, Set.of("13/main")),
                null, null, NOW);
        assertFalse(tight.ok());
        assertTrue(tight.refusals().get(0).contains("needs about 11.3 GiB free") && tight.refusals().get(0).contains("5.0 GiB"),
                tight.refusals().toString());
        UpgradePlan p = UpgradePlanner.plan(facts(c, StorageMethod.PLAIN_COPY, 50 * GIB, Set.of("13/main")), null, null, NOW).plan();
        assertEquals(UpgradeMethod.COPY, p.method());
        assertTrue(p.notes().get(0).contains("downtime grows with the size"), p.notes().toString());
    }

    @Test
    void refusalsSayWhatToChange() {
        PgCluster bare = cluster("/srv/data/pg13-main", PgCluster.Manager.POSTMASTER, GIB);
        UpgradeFacts f = new UpgradeFacts(bare, List.of("13"), Set.of(), Set.of(), StorageMethod.ZFS_DATASET, false,
                "/srv", 100 * GIB, null, null, null, false, Set.of(), 2);
        List<String> no = UpgradePlanner.plan(f, null, null, NOW).refusals();
        assertTrue(no.stream().anyMatch(s -> s.contains("not managed by Debian's postgresql-common")), no.toString());
        assertTrue(no.stream().anyMatch(s -> s.contains("apt-get install postgresql-15")), no.toString());
        assertTrue(no.stream().anyMatch(s -> s.contains("ZFS")), no.toString());
        assertTrue(no.stream().anyMatch(s -> s.contains("start it")), no.toString());
    }

    @Test
    void badTargetsAndNamesAreRefused() {
        PgCluster c = cluster("/srv/data/pg13-main", PgCluster.Manager.POSTGRESQL_COMMON, GIB);
        UpgradeFacts f = facts(c, StorageMethod.BTRFS_SUBVOLUME, 50 * GIB, Set.of("13/main", "15/other"));
        assertTrue(UpgradePlanner.plan(f, "16", null, NOW).refusals().get(0).contains("not installed"));
        assertTrue(UpgradePlanner.plan(f, "12", null, NOW).refusals().get(0).contains("not newer than 13"));
        assertTrue(UpgradePlanner.plan(f, "15", "x; rm -rf /", NOW).refusals().get(0).contains("not a valid new cluster name"));
        assertTrue(UpgradePlanner.plan(f, "15", "other", NOW).refusals().get(0).contains("15/other already exists"));
        UpgradeFacts taken = new UpgradeFacts(c, List.of("13", "15"), Set.of("13/main"), Set.of(), StorageMethod.BTRFS_SUBVOLUME,
                true, "/srv/data", 50 * GIB, "UTF8", "C", "C", false, Set.of("/srv/data/pg15-main"), 2);
        assertTrue(UpgradePlanner.plan(taken, "15", null, NOW).refusals().get(0).contains("/srv/data/pg15-main already exists"));
    }

    @Test
    void newDataDirectoryFollowsTheOldOnesNaming() {
        assertEquals("/srv/x/pg15-main", UpgradePlanner.newDataDirectory("/srv/x/pg13-main", "13", "15", "main", "main"));
        assertEquals("/srv/x/pg15-sales", UpgradePlanner.newDataDirectory("/srv/x/pg13-main/", "13", "15", "main", "sales"));
        assertEquals("/srv/x/payments-pg15", UpgradePlanner.newDataDirectory("/srv/x/payments", "13", "15", "main", "main"));
        assertEquals("/var/lib/postgresql/15/main", UpgradePlanner.newDataDirectory("/var/lib/postgresql/13/main", "13",
                "15", "main", "main"));
    }

    @Test
    void pgUpgradeCommandQuotesServerOptionsAndKnowsWhichFlagsExist() {
        PgCluster c = cluster("/srv/data/pg13-main", PgCluster.Manager.POSTGRESQL_COMMON, GIB);
        UpgradePlan p = UpgradePlanner.plan(facts(c, StorageMethod.PLAIN_COPY, 50 * GIB, Set.of("13/main")), null, null, NOW)
                .plan();
        var copy = PgUpgradeCommand.of(p, "/old data", "/etc/it's", "/new", "/n", "/tmp/s", UpgradeMethod.COPY, false);
        assertFalse(copy.argv().contains("--copy"), "pg_upgrade 15 copies by default and has no --copy flag");
        assertEquals("-c 'config_file=/etc/it'\"'\"'s/postgresql.conf'", copy.argv().get(copy.argv().indexOf("-o") + 1),
                "pg_ctl hands -o to a shell: the option is quoted for it");
        assertEquals("postgres", copy.runAs());
        var clone = PgUpgradeCommand.of(p, "/o", "/oc", "/n", "/nc", "/tmp/s", UpgradeMethod.CLONE, false);
        assertTrue(clone.argv().contains("--clone"));
        var check = PgUpgradeCommand.of(p, "/o", "/oc", "/n", "/nc", "/tmp/s", UpgradeMethod.CLONE, true);
        assertTrue(check.argv().contains("--check") && !check.argv().contains("--clone"));
        assertTrue(clone.argv().contains("--no-sync"), "one syncfs afterwards instead of an fsync per file");
    }
}
