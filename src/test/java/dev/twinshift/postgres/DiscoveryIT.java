package dev.twinshift.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.ssh.RemoteShell;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DiscoveryIT {
    static Lab lab;
    static RemoteShell shell;

    @BeforeAll
    static void lab() {
        lab = Lab.require();
        shell = LabShell.admin(lab);
    }

    @Test
    void findsEveryLabClusterWithItsDetails() throws Exception {
        List<PgCluster> all = new ClusterDiscovery(shell).discover();
        for (JsonNode expected : lab.descriptor().path("clusters")) {
            String id = expected.path("version").asText() + "/" + expected.path("name").asText();
            PgCluster c = all.stream().filter(x -> x.id().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError(id + " not discovered in " + all));
            assertEquals(expected.path("port").asInt(), c.port(), id);
            assertEquals(expected.path("dataDirectory").asText(), c.dataDirectory(), id);
            assertEquals("postgres", c.owner(), id);
            assertTrue(c.running(), id + " should be running in the lab");
            assertEquals(c.dataDirectory() + "/pg_wal", c.walDirectory(), id);
            assertTrue(c.walInsideDataDirectory(), id);
            assertTrue(c.tablespaces().isEmpty(), id);
            assertTrue(c.sizeBytes() > 10_000_000, id + " size " + c.sizeBytes());
            assertEquals("/etc/postgresql/" + c.version() + "/" + c.name(), c.configDirectory());
        }
    }

    @Test
    void runningPostmastersAreFoundWithoutPostgresqlCommon() throws Exception {
        List<PgCluster> pms = new ClusterDiscovery(shell).fromPostmasters();
        PgCluster main = pms.stream().filter(c -> c.dataDirectory().equals("/srv/twinshift-lab/btrfs/pg13-main"))
                .findFirst().orElseThrow(() -> new AssertionError("13/main's postmaster not found in " + pms));
        assertEquals(5433, main.port());
        assertEquals("13", main.version());
        assertEquals("/var/run/postgresql", main.socketDirectory());
        assertEquals(PgCluster.Manager.POSTMASTER, main.manager());
    }

    @Test
    void accountWithoutPasswordlessSudoStillSeesTheClusters() throws Exception {
        dev.twinshift.ssh.SshTarget admin = lab.admin();
        dev.twinshift.ssh.SshTarget limited = new dev.twinshift.ssh.SshTarget("lab-limited", admin.host(), admin.port(),
                lab.descriptor().path("limitedUser").asText(), admin.identityFiles(), null);
        RemoteShell ls = LabShell.of(limited);
        List<PgCluster> all = new ClusterDiscovery(ls).discover();
        PgCluster main = all.stream().filter(c -> c.id().equals("13/main")).findFirst().orElseThrow();
        assertTrue(main.running());
        assertEquals("postgres", main.owner());
        assertEquals(null, main.walDirectory(), "pg_wal cannot be read without root");
        dev.twinshift.ssh.SshException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.twinshift.ssh.SshException.class, () -> new ClusterDiscovery(ls).withDetails(main));
        assertEquals(dev.twinshift.ssh.SshException.Kind.SUDO_PASSWORD_REQUIRED, e.kind());
    }

    @Test
    void psqlAndWalPosition() throws Exception {
        PgCluster main = new ClusterDiscovery(shell).find("13/main");
        Psql psql = Psql.forCluster(shell, main);
        assertTrue(psql.answers("postgres"));
        assertTrue(Long.parseLong(psql.value("bench", "SELECT count(*) FROM pgbench_branches")) > 0);
        WalPosition w = new ClusterControl(shell).walPosition(main, true);
        assertNotNull(w.lsn());
        assertTrue(w.lsn().matches("[0-9A-F]+/[0-9A-F]+"), w.lsn());
        assertTrue(w.timeline() >= 1);
        assertTrue(new ClusterControl(shell).isRunning(main));
    }
}
