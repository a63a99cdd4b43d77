package dev.twinshift.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CloneServerTest {
    private static final CloneServer.Spec SPEC13 = new CloneServer.Spec("try1", "13", "postgres",
            "/srv/b/.twinshift/clones/try1", "/srv/b/.twinshift/clones/try1.run", "/etc/postgresql/13/main", 54330,
            "/srv/b/.twinshift/clones/try1.run");

    @Test
    void safetySettingsCutEveryPathToProduction() {
        Map<String, String> s = CloneServer.safetySettings(SPEC13);
        assertEquals("off", s.get("archive_mode"));
        assertEquals("", s.get("archive_command"));
        assertEquals("", s.get("restore_command"));
        assertEquals("", s.get("primary_conninfo"));
        assertEquals("0", s.get("max_wal_senders"));
        assertEquals("0", s.get("max_logical_replication_workers"));
        assertEquals("", s.get("synchronous_standby_names"));
        assertEquals("/srv/b/.twinshift/clones/try1.run/postgres.pid", s.get("external_pid_file"));
        assertEquals("localhost", s.get("listen_addresses"));
        assertEquals("54330", s.get("port"));
        assertEquals("/srv/b/.twinshift/clones/try1.run/pg_stat_tmp", s.get("stats_temp_directory"));
    }

    @Test
    void version15HasNoStatsTempDirectory() {
        CloneServer.Spec s15 = new CloneServer.Spec("x", "15", "postgres", "/d", "/r", null, 54331, "/r");
        assertFalse(CloneServer.safetySettings(s15).containsKey("stats_temp_directory"));
    }

    @Test
    void commandLinePointsAtTheClonesOwnFiles() {
        Map<String, String> s = CloneServer.commandLineSettings(SPEC13);
        assertEquals("/srv/b/.twinshift/clones/try1", s.get("data_directory"));
        assertEquals("/srv/b/.twinshift/clones/try1.run/conf/postgresql.conf", s.get("config_file"));
        assertEquals("/srv/b/.twinshift/clones/try1.run/conf/pg_hba.conf", s.get("hba_file"));
    }

    @Test
    void pgCtlOptionsQuoteForTheShellPgCtlUses() {
        String o = CloneServer.pgCtlOptions(Map.of("unix_socket_directories", "/tmp/a b", "archive_command", ""));
        assertTrue(o.contains("-c 'unix_socket_directories=/tmp/a b'"), o);
        assertTrue(o.contains("-c archive_command="), o);
    }

    @Test
    void confBlockQuotesValuesAndIsMarked() {
        String b = CloneServer.confBlock(Map.of("archive_command", "it's"));
        assertTrue(b.contains(CloneServer.BEGIN));
        assertTrue(b.contains(CloneServer.END));
        assertTrue(b.contains("archive_command = 'it''s'"), b);
        assertThrows(IllegalArgumentException.class, () -> CloneServer.confBlock(Map.of("x", "a\nb")));
    }

    @Test
    void longRunDirectoryNeedsAPrivateSocketDirectoryNotAPredictableOne() {
        assertEquals("/srv/b/.twinshift/clones/a.run", CloneServer.socketDirectoryFor("/srv/b/.twinshift/clones/a.run", 54330));
        String longRun = "/srv/twinshift-lab/btrfs/.twinshift/clones/" + "n".repeat(63) + ".run";
        assertNull(CloneServer.socketDirectoryFor(longRun, 54330), "made by mktemp at start, never a name known in advance");
    }

    @Test
    void connectionStrings() {
        assertEquals("host=/srv/b/.twinshift/clones/try1.run port=54330 dbname=bench user=postgres",
                SPEC13.connectionString("bench"));
        assertEquals("postgresql://postgres@localhost:54330/bench", SPEC13.localhostUri("bench"));
    }
}
