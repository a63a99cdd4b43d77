package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lab's 13/main postgresql.conf (read only) carried onto a scratch 15 cluster, which must then
 * start with it; the same file with stats_temp_directory left active must be refused by 15.
 */
class ConfigCarryOverIT {
    static RemoteShell shell;
    static final String POSTGRES_15 = "/usr/lib/postgresql/15/bin/postgres";

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    private static void write(String path, String text) throws Exception {
        shell.run(RemoteCommand.of("sh", "-c", "cat > \"$1\"", "sh", path).asUser("postgres"),
                ExecOptions.defaults().withStdin(text.getBytes(StandardCharsets.UTF_8)), LineListener.IGNORE)
                .requireSuccess();
    }

    private static CommandResult ask(String confDir, String name) throws Exception {
        return shell.run(RemoteCommand.of(POSTGRES_15, "-C", name, "-D", confDir).asUser("postgres"));
    }

    @Test
    void debian13ConfigStartsA15Cluster() throws Exception {
        String oldConf = shell.check(RemoteCommand.of("cat", "/etc/postgresql/13/main/postgresql.conf").asRoot()).stdout();
        Set<String> known = new HashSet<>(ConfigCarryOver.parseDescribeConfig(
                shell.check(RemoteCommand.of(POSTGRES_15, "--describe-config").asUser("postgres")).stdout()));

        try (ScratchCluster sc = ScratchCluster.create(shell, "15", "itconf")) {
            PgCluster c = sc.cluster();
            String confDir = c.configDirectory();
            for (String name : ConfigCarryOver.namesToVerify(oldConf, known)) {
                CommandResult r = ask(confDir, name);
                if (ConfigCarryOver.recognizedBy(r.stdout() + r.stderr(), r.exitCode())) {
                    known.add(name);
                }
            }
            assertFalse(known.contains("stats_temp_directory"));

            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put("data_directory", sc.path());
            overrides.put("hba_file", confDir + "/pg_hba.conf");
            overrides.put("ident_file", confDir + "/pg_ident.conf");
            overrides.put("external_pid_file", "/var/run/postgresql/" + sc.id().replace('/', '-') + ".pid");
            overrides.put("cluster_name", sc.id());
            overrides.put("port", Integer.toString(c.port()));

            // Kept as it was, the 13 file is refused by 15.
            Set<String> pretendKnown = new HashSet<>(known);
            pretendKnown.add("stats_temp_directory");
            write(confDir + "/postgresql.conf", ConfigCarryOver.carry(oldConf, pretendKnown, overrides).text());
            CommandResult refused = ask(confDir, "port");
            assertFalse(ConfigCarryOver.recognizedBy(refused.stdout() + refused.stderr(), refused.exitCode()),
                    refused.stderr());

            ConfigCarryOver.Result carried = ConfigCarryOver.carry(oldConf, known, overrides);
            assertTrue(carried.text().contains("\n# removed in 15: stats_temp_directory = "), carried.notes().toString());
            write(confDir + "/postgresql.conf", carried.text());
            sc.pgctlcluster("restart");
            var psql = sc.psql();
            assertEquals(sc.path(), psql.value("postgres", "SHOW data_directory"));
            assertEquals(sc.id(), psql.value("postgres", "SHOW cluster_name"));
            assertEquals(Integer.toString(c.port()), psql.value("postgres", "SHOW port"));
            // carried from 13/main
            assertEquals("ISO, MDY", psql.value("postgres", "SHOW DateStyle"));
            assertEquals("%m [%p] %q%u@%d", psql.value("postgres", "SHOW log_line_prefix"));
        }
    }
}
