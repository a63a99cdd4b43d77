package dev.twinshift.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layouts a real server has, beyond "PGDATA is a subvolume": PGDATA inside a subvolume that holds
 * it (as when /var/lib/postgresql is a subvolume of its own), pg_wal outside PGDATA, and a PGDATA on
 * the root filesystem copied plainly. Scratch clusters only.
 */
class LayoutIT {
    static Lab lab;
    static RemoteShell shell;
    static final Actor ME = new Actor("tsadmin", "it", "layout-it");

    @BeforeAll
    static void lab() {
        lab = Lab.require();
        shell = LabShell.admin(lab);
    }

    @Test
    void pgdataInsideSubvolumeIsSnapshottedClonedAndRolledBackThroughIt() throws Exception {
        SnapshotService snapshots = new SnapshotService(shell, ME, Progress.NONE);
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        try (ScratchCluster sc = ScratchCluster.createInSubvolume(shell, "13", "itlay")) {
            String sub = "13/" + sc.name();
            String vol = sc.path().substring(0, sc.path().length() - sub.length() - 1);
            RollbackIT.fill(sc);
            ClusterVolume v = snapshots.volumeOf(sc.cluster());
            assertEquals(StorageMethod.BTRFS_SUBVOLUME, v.storage().method(), v.storage().reason());
            assertEquals(vol, v.volumePath(), "the subvolume that holds PGDATA is what is snapshotted");
            assertEquals(sub, v.dataSubpath());
            SnapshotVerdict verdict = v.snapshotVerdict();
            assertTrue(verdict.atomic(), String.valueOf(verdict.refusal()));
            // The upgrade puts the new PGDATA beside the old, in the same subvolume, and clones its files there.
            dev.twinshift.upgrade.UpgradePlanner.Result plan = new dev.twinshift.upgrade.Upgrades(shell)
                    .plan(sc.cluster(), "15", null);
            assertTrue(plan.refusals().isEmpty(), plan.refusals().toString());
            assertEquals(vol + "/15/" + sc.name(), plan.plan().newDataDirectory());
            assertFalse(plan.plan().newIsSubvolume(), "a directory in the subvolume, not a subvolume in it");
            assertEquals(dev.twinshift.upgrade.UpgradeMethod.CLONE, plan.plan().method());
            assertEquals(v.catalog().filesystemRoot(), plan.plan().catalogFilesystem());

            List<String> atSnapshot = ScratchCluster.checksums(sc.psql(), "postgres");
            SnapshotRecord snap = snapshots.create(sc.cluster(), Reason.MANUAL, "nested");
            Catalog cat = v.catalog();
            String cloneName = "it-" + sc.name();
            try {
                assertEquals(StorageMethod.BTRFS_SUBVOLUME, snap.method());
                assertTrue(snap.online(), "taken while the cluster ran");
                assertEquals(sub, snap.dataSubpath());
                assertEquals(snap, cat.snapshot(snap.id()).orElseThrow(), "the sidecar reads back as written");
                assertEquals("256", shell.check(RemoteCommand.of("stat", "-c", "%i", snap.location()).asRoot())
                        .stdout().strip(), "the snapshot is a subvolume");
                RollbackIT.changeMore(sc);

                CloneRecord clone = clones.create(cat, snap.id(), cloneName);
                assertEquals(clone.location() + "/" + sub, clone.dataDirectory());
                clone = clones.start(cat, cloneName);
                Psql cp = new CloneServer(shell).psql(clones.spec(cat, clone));
                assertEquals(clone.dataDirectory(), cp.value("postgres", "SHOW data_directory"));
                assertEquals(atSnapshot, ScratchCluster.checksums(cp, "postgres"), "the clone has the snapshot's data");
                clones.destroy(cat, cloneName);

                // A second cluster in the same subvolume: a rollback would take it back in time too.
                try (ScratchCluster other = ScratchCluster.createBeside(sc, "itlay2")) {
                    RefusedException e = assertThrows(RefusedException.class,
                            () -> new RollbackService(shell, ME, Progress.NONE).rollback(sc.cluster(), snap.id()));
                    assertTrue(e.getMessage().contains(other.id()), e.getMessage());
                    assertTrue(e.getMessage().contains("was not touched"), e.getMessage());
                    assertTrue(sc.cluster().running() && other.cluster().running(), "both still run");
                }
                // The subvolume holds this PGDATA alone again (an empty directory, as an upgrade's rollback
                // leaves the new version's behind, holds nothing to lose): the rollback goes ahead.
                shell.check(RemoteCommand.of("mkdir", "--", vol + "/15").asRoot());
                RollbackResult r = new RollbackService(shell, ME, Progress.NONE).rollback(sc.cluster(), snap.id());
                assertTrue(sc.cluster().running());
                assertEquals(atSnapshot, ScratchCluster.checksums(sc.psql(), "postgres"));
                assertEquals("256", shell.check(RemoteCommand.of("stat", "-c", "%i", vol).asRoot()).stdout().strip(),
                        "the volume is a subvolume again");
                assertEquals("postgres:postgres 700", shell.check(RemoteCommand.of("stat", "-c", "%U:%G %a", sc.path())
                        .asRoot()).stdout().strip(), "ownership and mode of PGDATA are kept");
                snapshots.delete(cat, r.safety().id());
            } finally {
                if (cat.clone(cloneName).isPresent()) {
                    clones.destroy(cat, cloneName);
                }
            }
        }
    }

    @Test
    void pgdataInsideZfsDatasetIsSnapshottedAndClonedThroughIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(lab.descriptor().has("zfsPool"), "the lab has no ZFS pool");
        SnapshotService snapshots = new SnapshotService(shell, ME, Progress.NONE);
        CloneService clones = new CloneService(shell, ME, Progress.NONE);
        try (ScratchCluster sc = ScratchCluster.createInZfsDataset(shell, "15", "itlz")) {
            RollbackIT.fill(sc);
            ClusterVolume v = snapshots.volumeOf(sc.cluster());
            assertEquals(StorageMethod.ZFS_DATASET, v.storage().method(), v.storage().reason());
            assertEquals(sc.dataset(), v.volumePath());
            assertEquals("15/" + sc.name(), v.dataSubpath());
            assertTrue(v.snapshotVerdict().atomic(), String.valueOf(v.snapshotVerdict().refusal()));
            List<String> atSnapshot = ScratchCluster.checksums(sc.psql(), "postgres");
            SnapshotRecord snap = snapshots.create(sc.cluster(), Reason.MANUAL, "nested");
            Catalog cat = v.catalog();
            String cloneName = "it-" + sc.name();
            try {
                assertEquals(sc.dataset() + "@" + snap.name(), snap.location());
                assertEquals("15/" + sc.name(), snap.dataSubpath());
                RollbackIT.changeMore(sc);
                CloneRecord clone = clones.create(cat, snap.id(), cloneName);
                assertTrue(clone.dataDirectory().endsWith("/" + cloneName + "/15/" + sc.name()), clone.dataDirectory());
                clone = clones.start(cat, cloneName);
                Psql cp = new CloneServer(shell).psql(clones.spec(cat, clone));
                assertEquals(clone.dataDirectory(), cp.value("postgres", "SHOW data_directory"));
                assertEquals(atSnapshot, ScratchCluster.checksums(cp, "postgres"), "the clone has the snapshot's data");
                clones.destroy(cat, cloneName);
                shell.check(RemoteCommand.of("touch", "--", sc.path() + "/../../notes.txt").asRoot());
                RefusedException e = assertThrows(RefusedException.class,
                        () -> new RollbackService(shell, ME, Progress.NONE).rollback(sc.cluster(), snap.id()));
                assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
                assertTrue(sc.cluster().running());
                // With the file gone, the dataset holds this PGDATA alone: the rollback swaps it.
                shell.check(RemoteCommand.of("rm", "--", sc.path() + "/../../notes.txt").asRoot());
                RollbackResult r = new RollbackService(shell, ME, Progress.NONE).rollback(sc.cluster(), snap.id());
                assertTrue(sc.cluster().running());
                assertEquals(atSnapshot, ScratchCluster.checksums(sc.psql(), "postgres"));
                assertEquals(sc.path(), sc.psql().value("postgres", "SHOW data_directory"));
                assertEquals(Reason.PRE_ROLLBACK, r.safety().reason());
            } finally {
                if (cat.clone(cloneName).isPresent()) {
                    clones.destroy(cat, cloneName);
                }
            }
        }
    }

    @Test
    void walElsewhereIsListedAsRefusedWithTheReasonSnapshotGives() throws Exception {
        try (ScratchCluster sc = ScratchCluster.createWithWalElsewhere(shell, "13", "itwal")) {
            assertFalse(sc.cluster().walInsideDataDirectory(), sc.cluster().walDirectory());
            LabCli.Run create = cli("snapshot", "create", "--cluster", sc.id());
            assertNotEquals(0, create.code(), create.out());
            LabCli.Run list = cli("clusters", "--json");
            assertEquals(0, list.code(), list.err());
            JsonNode row = null;
            for (JsonNode n : Json.mapper().readTree(list.out())) {
                if (n.path("cluster").path("version").asText().equals("13")
                        && n.path("cluster").path("name").asText().equals(sc.name())) {
                    row = n;
                }
            }
            assertTrue(row != null, list.out());
            JsonNode verdict = row.path("snapshot");
            assertFalse(verdict.path("atomic").asBoolean(true), row.toString());
            assertFalse(verdict.path("allowed").asBoolean(true), row.toString());
            String refusal = verdict.path("refusal").asText();
            assertTrue(refusal.contains("pg_wal"), refusal);
            assertTrue(create.err().contains(refusal), "snapshot create gives the same reason:\n" + create.err()
                    + "\nlisted:\n" + refusal);
            LabCli.Run table = cli("clusters");
            assertTrue(table.out().lines().anyMatch(l -> l.startsWith(sc.id() + " ") && l.endsWith("refused")),
                    table.out());
            assertTrue(table.out().contains(refusal), table.out());
        }
    }

    @Test
    void plainCopyOnTheRootFilesystemKeepsItsCatalogBesidePgdatasParent() throws Exception {
        assertFalse(shell.run(RemoteCommand.of("test", "-e", "/.twinshift").asRoot()).ok(),
                "/.twinshift exists before the test: remove it (an old console made it)");
        String catalogRoot = "/var/lib/postgresql/.twinshift";
        SnapshotService snapshots = new SnapshotService(shell, ME, Progress.NONE);
        boolean hadCatalog = shell.run(RemoteCommand.of("test", "-e", catalogRoot).asRoot()).ok();
        try (ScratchCluster sc = ScratchCluster.createPlain(shell, "15", "itpc", "/var/lib/postgresql/15",
                catalogRoot, "15_NAME")) {
            ClusterVolume v = snapshots.volumeOf(sc.cluster());
            assertEquals(StorageMethod.PLAIN_COPY, v.storage().method(), v.storage().reason());
            assertEquals("/", v.storage().mountTarget());
            assertEquals(catalogRoot, v.catalog().root());
            SnapshotVerdict running = v.snapshotVerdict();
            assertFalse(running.allowed(), "a running cluster cannot be copied plainly");
            sc.pgctlcluster("stop");
            SnapshotRecord s = snapshots.create(sc.cluster(), Reason.MANUAL, "plain");
            assertEquals(StorageMethod.PLAIN_COPY, s.method());
            assertTrue(s.location().startsWith(catalogRoot + "/snapshots/15_" + sc.name() + "/"), s.location());
            assertNull(s.dataSubpath());
            assertTrue(shell.run(RemoteCommand.of("test", "-f", s.location() + "/PG_VERSION").asRoot()).ok());
            assertFalse(shell.run(RemoteCommand.of("test", "-e", "/.twinshift").asRoot()).ok(), "nothing in /");
            snapshots.delete(v.catalog(), s.id());
        } finally {
            if (!hadCatalog) {
                // Only the empty directories the catalog made: never anything a console left there.
                shell.run(RemoteCommand.of("find", catalogRoot, "-depth", "-type", "d", "-empty", "-delete").asRoot());
            }
        }
    }


    static LabCli.Run cli(String... args) {
        return LabCli.run(args);
    }
}
