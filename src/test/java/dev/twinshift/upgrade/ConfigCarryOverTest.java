package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Resources;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Debian's postgresql.conf of the lab's 13/main (postgresql-common 248) carried to 15, with the
 * parameter list of the lab's 15 server ({@code postgres --describe-config}).
 */
class ConfigCarryOverTest {

    private static String res(String name) {
        return Resources.text(ConfigCarryOverTest.class, name);
    }

    private static final String OLD = res("postgresql-13-main.conf");
    private static final Set<String> KNOWN_15 = ConfigCarryOver.parseDescribeConfig(res("describe-config-15.tsv"));

    private static Map<String, String> overrides15() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("data_directory", "/var/lib/postgresql/15/main");
        o.put("hba_file", "/etc/postgresql/15/main/pg_hba.conf");
        o.put("ident_file", "/etc/postgresql/15/main/pg_ident.conf");
        o.put("external_pid_file", "/var/run/postgresql/15-main.pid");
        o.put("cluster_name", "15/main");
        o.put("port", "5432");
        return o;
    }

    @Test
    void describeConfigListsEveryParameterOnce() {
        assertEquals(307, KNOWN_15.size());
        assertTrue(KNOWN_15.contains("shared_buffers"));
        assertTrue(KNOWN_15.contains("DateStyle"));
        assertTrue(KNOWN_15.contains("data_directory"));
        assertFalse(KNOWN_15.contains("stats_temp_directory"));
    }

    @Test
    void debian13ConfigCarriedTo15() {
        ConfigCarryOver.Result r = ConfigCarryOver.carry(OLD, KNOWN_15, overrides15());
        String[] before = OLD.split("\n", -1);
        String[] after = r.text().split("\n", -1);
        assertEquals(before.length, after.length, "no line added or lost");
        Map<Integer, String> changed = new LinkedHashMap<>();
        for (int i = 0; i < before.length; i++) {
            if (!before[i].equals(after[i])) {
                changed.put(i + 1, after[i]);
            }
        }
        Map<Integer, String> expected = new LinkedHashMap<>();
        expected.put(42, "data_directory = '/var/lib/postgresql/15/main'\t\t# use data in another directory");
        expected.put(44, "hba_file = '/etc/postgresql/15/main/pg_hba.conf'\t# host-based authentication file");
        expected.put(46, "ident_file = '/etc/postgresql/15/main/pg_ident.conf'\t# ident configuration file");
        expected.put(50, "external_pid_file = '/var/run/postgresql/15-main.pid'\t\t\t# write an extra PID file");
        expected.put(64, "port = 5432\t\t\t\t# (change requires restart)");
        expected.put(570, "cluster_name = '15/main'\t\t\t# added to process titles if nonempty");
        expected.put(586, "# removed in 15: stats_temp_directory = '/var/run/postgresql/13-main.pg_stat_tmp'");
        assertEquals(expected, changed);
        // DateStyle and TimeZone are written in lower case in Debian's file: kept
        assertTrue(r.text().contains("\ndatestyle = 'iso, mdy'\n"));
        assertTrue(r.text().contains("\ninclude_dir = 'conf.d'"));
        assertEquals(7, r.notes().size());
        assertTrue(r.notes().contains("port: 5433 -> 5432"), r.notes().toString());
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("commented out stats_temp_directory")));
    }

    @Test
    void absentOverridesAreAppendedAndCommentedDefaultsLeftAlone() {
        String conf = "#port = 5432\nshared_buffers = 1GB # big\n";
        ConfigCarryOver.Result r = ConfigCarryOver.carry(conf, KNOWN_15, Map.of("port", "5434"), "15");
        assertEquals("#port = 5432\nshared_buffers = 1GB # big\nport = 5434\n", r.text());
        assertEquals(List.of("appended port = 5434"), r.notes());
    }

    @Test
    void everyOccurrenceOfAnOverriddenKeyIsReplacedSinceTheLastOneWins() {
        String conf = "port = 5433\nPort=5499   # later\n";
        ConfigCarryOver.Result r = ConfigCarryOver.carry(conf, KNOWN_15, Map.of("port", "5434"), "15");
        assertEquals("port = 5434\nPort=5434   # later\n", r.text());
    }

    @Test
    void extensionSettingsIncludesQuotesAndCrlfSurvive() {
        String conf = "shared_preload_libraries = 'pg_stat_statements'\r\n"
                + "pg_stat_statements.max = 10000\r\n"
                + "include_if_exists 'local.conf'\r\n"
                + "include = 'extra.conf'\r\n"
                + "search_path = '\"$user\", public'  # it''s quoted\r\n"
                + "vacuum_cleanup_index_scale_factor = 0.1\r\n"
                + "archive_command = 'test ! -f /a/''%f'' && cp %p /a/%f'\r\n"
                + "cluster_name = 'old'";
        Map<String, String> o = new LinkedHashMap<>();
        o.put("cluster_name", "it's new");
        o.put("data_directory", "/d");
        ConfigCarryOver.Result r = ConfigCarryOver.carry(conf, KNOWN_15, o, "15");
        assertEquals("shared_preload_libraries = 'pg_stat_statements'\r\n"
                + "pg_stat_statements.max = 10000\r\n"
                + "include_if_exists 'local.conf'\r\n"
                + "include = 'extra.conf'\r\n"
                + "search_path = '\"$user\", public'  # it''s quoted\r\n"
                + "# removed in 15: vacuum_cleanup_index_scale_factor = 0.1\r\n"
                + "archive_command = 'test ! -f /a/''%f'' && cp %p /a/%f'\r\n"
                + "cluster_name = 'it''s new'\r\n"
                + "data_directory = '/d'\r\n", r.text());
    }

    @Test
    void namesTheNewServerMustBeAskedAbout() {
        String conf = OLD + "force_parallel_mode = on\nzero_damaged_pages = off\npg_stat_statements.track = all\n";
        assertEquals(Set.of("stats_temp_directory", "force_parallel_mode", "zero_damaged_pages"),
                ConfigCarryOver.namesToVerify(conf, KNOWN_15));
        // the real answers of the 15 server
        assertFalse(ConfigCarryOver.recognizedBy(res("postgres-C-stats_temp_directory-15.txt"), 1));
        assertTrue(ConfigCarryOver.recognizedBy(res("postgres-C-force_parallel_mode-15.txt"), 0));
        assertThrows(IllegalStateException.class, () -> ConfigCarryOver.recognizedBy(
                "postgres does not know where to find the database system data.", 2));
        Set<String> known = new HashSet<>(KNOWN_15);
        known.add("force_parallel_mode");
        known.add("zero_damaged_pages");
        ConfigCarryOver.Result r = ConfigCarryOver.carry(conf, known, Map.of(), "15");
        assertTrue(r.text().contains("\nforce_parallel_mode = on\n"));
        assertEquals(1, r.notes().size());
    }
}
