package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabCli;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Debian cluster entry whose data directory is gone (a half-dropped cluster) next to healthy ones:
 * discovery lists it as broken with why and every other cluster as usual, and a plan whose default
 * name it takes says why the new cluster gets another name.
 */
class BrokenClusterEntryIT {
    static Lab lab;
    static RemoteShell shell;

    @BeforeAll
    static void lab() {
        lab = Lab.require();
        shell = LabShell.admin(lab);
    }


    static LabCli.Run cli(String... args) {
        return LabCli.run(args);
    }

    @Test
    void aClusterWhoseDataDirectoryIsGoneIsListedAsBrokenAndTheOthersAsUsual() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "brk")) {
            // 15/<same name>: made by pg_createcluster, then its data directory removed behind its back.
            String brokenId = "15/" + sc.name();
            String brokenData = ScratchCluster.BTRFS + "/" + sc.name() + "-15gone";
            String brokenConf = "/etc/postgresql/15/" + sc.name();
            try {
                shell.run(RemoteCommand.of("pg_createcluster", "--start-conf=manual", "-d", brokenData, "-p", "54299",
                        "15", sc.name()).asRoot(), Duration.ofMinutes(3)).requireSuccess();
                shell.run(RemoteCommand.of("rm", "-rf", "--", brokenData).asRoot()).requireSuccess();

                LabCli.Run t = cli("clusters");
                assertEquals(0, t.code(), t.out() + t.err());
                assertTrue(t.out().contains("13/main") && t.out().contains("BTRFS_SUBVOLUME"), t.out());
                assertTrue(t.out().contains(sc.id()), t.out());
                String brokenLine = t.out().lines().filter(l -> l.startsWith(brokenId + ": ")).findFirst().orElse("");
                assertTrue(brokenLine.contains("broken") && brokenLine.contains(brokenData)
                        && brokenLine.contains("is gone"), t.out());

                LabCli.Run j = cli("--json", "clusters");
                assertEquals(0, j.code(), j.err());
                JsonNode broken = null;
                JsonNode main = null;
                for (JsonNode n : Json.mapper().readTree(j.out())) {
                    String id = n.path("cluster").path("version").asText() + "/" + n.path("cluster").path("name").asText();
                    if (id.equals(brokenId)) {
                        broken = n;
                    } else if (id.equals("13/main")) {
                        main = n;
                    }
                }
                assertNotNull(broken, j.out());
                assertNotNull(main, j.out());
                assertTrue(broken.path("cluster").path("problem").asText().contains("is gone"), broken.toString());
                assertTrue(main.path("cluster").path("problem").isNull() || main.path("cluster").path("problem").isMissingNode(),
                        main.toString());
                assertEquals("BTRFS_SUBVOLUME", main.path("storage").path("method").asText());

                // The console's server view: the same rows, the broken one with why and not selectable.
                dev.twinshift.ui.dashboard.ServerInspector.Result rows = ClusterInspector.inspect(shell, line -> { });
                dev.twinshift.ui.dashboard.ClusterRow row = rows.clusters().stream()
                        .filter(x -> x.id().equals(brokenId)).findFirst().orElseThrow();
                assertEquals("broken", row.status());
                assertTrue(row.storageNote().contains("is gone"), row.toString());
                assertTrue(row.cluster() == null, "nothing to snapshot or clone in a broken entry");
                assertTrue(rows.note().contains(brokenId + ": broken: data directory " + brokenData + " is gone"), rows.note());
                assertTrue(rows.clusters().stream().anyMatch(x -> x.id().equals("13/main") && x.cluster() != null
                        && !x.storageMethod().equals("-")), rows.clusters().toString());

                LabCli.Run plan = cli("upgrade", "plan", "--cluster", sc.id(), "--to", "15");
                assertEquals(0, plan.code(), plan.out() + plan.err());
                assertTrue(plan.out().contains("note: " + brokenId + " exists already (broken: data directory "
                        + brokenData + " is gone), so the new cluster is " + brokenId + "_15"), plan.out());
            } finally {
                shell.run(RemoteCommand.of("pg_dropcluster", "15", sc.name()).asRoot(), Duration.ofMinutes(2));
                shell.run(RemoteCommand.of("rm", "-rf", "--", brokenConf, brokenData,
                        "/var/log/postgresql/postgresql-15-" + sc.name() + ".log").asRoot()).requireSuccess();
            }
        }
    }
}
