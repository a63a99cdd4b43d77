package dev.twinshift.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Resources;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Parsers fed with output captured from the lab (Debian 12, postgresql-common 248, PostgreSQL 13 and 15). */
class ParsersTest {

    private static String res(String name) {
        return Resources.text(ParsersTest.class, name);
    }

    @Test
    void pgLsClustersJson() {
        List<PgLsClusters.Entry> entries = PgLsClusters.parseJson(res("pg_lsclusters.json"));
        Map<String, PgLsClusters.Entry> byId = entries.stream()
                .collect(Collectors.toMap(e -> e.cluster().id(), Function.identity()));
        assertEquals(Set.of("13/main", "15/main", "15/reflink", "15/zfs"), byId.keySet());
        PgCluster main = byId.get("13/main").cluster();
        assertEquals(5433, main.port());
        assertTrue(main.running());
        assertEquals("online", main.status());
        assertEquals("/srv/twinshift-lab/btrfs/pg13-main", main.dataDirectory());
        assertEquals("/etc/postgresql/13/main", main.configDirectory());
        assertEquals("/var/run/postgresql", main.socketDirectory());
        assertEquals("/var/log/postgresql/postgresql-13-main.log", main.logFile());
        assertEquals("101", byId.get("13/main").ownerUid());
        assertEquals("/usr/lib/postgresql/13/bin", main.binDir());
        PgCluster down = byId.get("15/main").cluster();
        assertFalse(down.running());
        assertEquals("down", down.status());
        assertEquals(5432, down.port());
    }

    @Test
    void pgLsClustersText() {
        List<PgCluster> cs = PgLsClusters.parseText(res("pg_lsclusters.txt"));
        assertEquals(4, cs.size());
        PgCluster main = cs.get(0);
        assertEquals("13/main", main.id());
        assertEquals(5433, main.port());
        assertEquals("postgres", main.owner());
        assertTrue(main.running());
        assertEquals("/srv/twinshift-lab/btrfs/pg13-main", main.dataDirectory());
        assertEquals("/var/log/postgresql/postgresql-13-main.log", main.logFile());
        assertEquals("/etc/postgresql/13/main", main.configDirectory());
        assertFalse(cs.get(1).running());
    }

    @Test
    void pgLsClustersTextRecoveryAndSpaces() {
        String text = "14  standby 5440 online,recovery postgres /srv/data dir/14 /var/log/postgresql/x.log\n"
                + "12  old     5441 down   postgres /srv/old <unknown>\n";
        List<PgCluster> cs = PgLsClusters.parseText(text);
        assertEquals("/srv/data dir/14", cs.get(0).dataDirectory());
        assertEquals("online,recovery", cs.get(0).status());
        assertTrue(cs.get(0).running());
        assertEquals("/srv/old", cs.get(1).dataDirectory());
        assertNull(cs.get(1).logFile());
    }

    @Test
    void pgLsClustersJsonRejectsGarbage() {
        assertThrows(IllegalArgumentException.class, () -> PgLsClusters.parseJson("Unknown option: json"));
    }

    @Test
    void postmasterPid() {
        PostmasterPid p = PostmasterPid.parse(res("postmaster.pid"));
        assertEquals(5433, p.port());
        assertEquals("/srv/twinshift-lab/btrfs/pg13-main", p.dataDirectory());
        assertEquals("/var/run/postgresql", p.socketDirectory());
        assertEquals("localhost", p.listenAddresses());
        assertEquals("ready", p.status());
        assertTrue(p.pid() > 1);
    }

    @Test
    void postmastersFromPs() {
        List<PsPostmasters.Postmaster> pms = PsPostmasters.parse(res("ps.txt"));
        assertEquals(3, pms.size(), pms.toString());
        assertEquals("/srv/twinshift-lab/btrfs/pg13-main", pms.get(0).dataDirectoryArg());
        assertEquals("/usr/lib/postgresql/13/bin/postgres", pms.get(0).program());
        assertEquals("postgres", pms.get(0).user());
    }

    @Test
    void clusterDetails() {
        ClusterDetails d = ClusterDetails.parse(res("cluster-details.txt"));
        assertEquals("/srv/twinshift-lab/btrfs/pg13-main/pg_wal", d.walDirectory());
        assertEquals("13", d.pgVersion());
        assertTrue(d.sizeBytes() > 1_000_000);
        assertTrue(d.tablespaces().isEmpty());

        ClusterDetails t = ClusterDetails.parse("wal\t/wal/13\ntablespace\t16384\t/srv/ts1\nsize\t\n");
        assertEquals(List.of(new PgCluster.Tablespace("16384", "/srv/ts1")), t.tablespaces());
        assertEquals(-1, t.sizeBytes());
    }

    @Test
    void aDataDirectoryThatIsGoneMakesABrokenEntry() {
        ClusterDetails gone = ClusterDetails.parse("missing\t/srv/gone\n");
        assertTrue(gone.missing());
        assertFalse(ClusterDetails.parse(res("cluster-details.txt")).missing());
        PgCluster c = new PgCluster("15", "main", 5432, false, "down", "postgres", "/srv/gone", "/etc/postgresql/15/main",
                null, null, null, List.of(), -1, null);
        assertFalse(c.broken());
        PgCluster b = c.withProblem("data directory /srv/gone is gone");
        assertTrue(b.broken());
        assertTrue(b.withOwner("postgres").broken(), "a broken entry stays broken");
        assertTrue(b.repairAdvice().contains("pg_dropcluster 15 main"), b.repairAdvice());
    }

    @Test
    void rolesTheOsUserMayLogInAsAreReadFromPgIdent() {
        String ident = """
                # MAPNAME       SYSTEM-USERNAME         PG-USERNAME
                owner           postgres                dba
                owner           postgres                "ops"   # quoted
                other           alice                   bob
                re              /^(.*)$                 \\1
                owner           postgres                dba
                """;
        assertEquals(List.of("dba", "ops"), Psql.mappedRoles(ident, "postgres"));
        assertEquals(List.of(), Psql.mappedRoles("", "postgres"));
        assertTrue(Psql.roleRefused("psql: error: connection to server on socket \"/x/.s.PGSQL.5432\" failed: FATAL:  role"
                + " \"postgres\" does not exist", "postgres"));
        assertTrue(Psql.roleRefused("FATAL:  Peer authentication failed for user \"dba\"", "dba"));
        assertFalse(Psql.roleRefused("ERROR:  role \"bob\" does not exist", "postgres"), "an SQL error is no login refusal");
    }

    @Test
    void walOutsideDataDirectoryIsNoticed() {
        PgCluster c = new PgCluster("13", "main", 5433, true, "online", "postgres", "/srv/pg", null, null, null,
                "/srv/pgwal", List.of(), -1, null);
        assertFalse(c.walInsideDataDirectory());
        assertTrue(c.withDetails("/srv/pg/pg_wal", List.of(), 1).walInsideDataDirectory());
        assertFalse(c.withDetails(null, List.of(), 1).walInsideDataDirectory(), "unknown is not inside");
        assertFalse(PgCluster.isInside("/srv/pg2/x", "/srv/pg"));
        assertTrue(PgCluster.isInside("/srv/pg/", "/srv/pg"));
    }

    @Test
    void controlData() {
        WalPosition w = WalPosition.fromControlData(res("pg_controldata-13.txt"));
        assertEquals("0/15CF2B8", w.lsn());
        assertEquals(1, w.timeline());
    }

    @Test
    void listeningPorts() {
        Set<Integer> ports = ListeningPorts.parseSs(res("ss-ltnH.txt"));
        assertTrue(ports.containsAll(Set.of(5433, 5434, 5435, 2222)), ports.toString());
        assertEquals(Set.of(5432, 8080), ListeningPorts.parseSs("LISTEN 0 128 [::1]:5432 [::]:*\nLISTEN 0 5 *:8080 *:*\n"));
        assertEquals(54331, ListeningPorts.pickFree(Set.of(54330), Set.of()));
        assertEquals(54332, ListeningPorts.pickFree(Set.of(54330), Set.of(54331)));
        String proc = "  sl  local_address rem_address   st\n"
                + "   0: 0100007F:1539 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104\n"
                + "   1: 0100007F:D3B2 0100007F:1539 01 00000000:00000000 00:00000000 00000000   104\n";
        assertEquals(Set.of(5433), ListeningPorts.parseProcNetTcp(proc));
    }

    @Test
    void psqlRows() {
        assertEquals(List.of(List.of("a", "1"), List.of("b", "")), Psql.parseRows("a\u001f1\nb\u001f\n"));
    }
}
