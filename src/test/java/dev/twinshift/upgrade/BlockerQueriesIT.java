package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Lab;
import dev.twinshift.lab.LabShell;
import dev.twinshift.lab.ScratchCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.upgrade.PgUpgradeCheckReport.Finding;
import dev.twinshift.upgrade.PgUpgradeCheckReport.Severity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The preflight queries on a scratch 13 cluster with blockers planted in two databases. */
class BlockerQueriesIT {
    static RemoteShell shell;

    @BeforeAll
    static void lab() {
        shell = LabShell.admin(Lab.require());
    }

    private static Map<String, List<List<String>>> everyDatabase(Psql psql, String sql) throws Exception {
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        for (List<String> db : psql.rows("postgres", BlockerQueries.DATABASES_SQL)) {
            out.put(db.get(0), psql.rows(db.get(0), sql));
        }
        return out;
    }

    @Test
    void plantedBlockersAreFoundInEveryDatabase() throws Exception {
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "itblock")) {
            sc.sql("postgres", "CREATE DATABASE shop");
            sc.sql("postgres", "CREATE TABLE job_hooks (id int, handler regproc, target regclass)");
            sc.sql("shop", "CREATE EXTENSION pg_trgm");
            sc.sql("shop", "CREATE DOMAIN fnref AS regprocedure");
            sc.sql("shop", "CREATE TABLE hooks (f fnref, ops regoperator[], t regtype)");
            sc.sql("shop", "CREATE OPERATOR !! (LEFTARG = bigint, PROCEDURE = numeric_fac)");
            Psql psql = sc.psql();

            Finding reg = BlockerQueries.regTypeColumns(everyDatabase(psql, BlockerQueries.REG_TYPE_COLUMNS_SQL));
            assertEquals(Severity.FATAL, reg.severity());
            assertTrue(reg.explanation().contains("3 columns"), reg.explanation());
            assertTrue(reg.explanation().contains("postgres: public.job_hooks.handler (regproc)"), reg.explanation());
            assertTrue(reg.explanation().contains("shop: public.hooks.f (fnref)"), reg.explanation());
            assertTrue(reg.explanation().contains("shop: public.hooks.ops (regoperator[])"), reg.explanation());

            Finding postfix = BlockerQueries.postfixOperators(everyDatabase(psql, BlockerQueries.POSTFIX_OPERATORS_SQL));
            assertEquals(Severity.FATAL, postfix.severity());
            assertTrue(postfix.explanation().contains("shop: public.!! (bigint, NONE)"), postfix.explanation());

            Set<String> ext15 = BlockerQueries.namesFromListing(shell.check(RemoteCommand.of("ls",
                    "/usr/share/postgresql/15/extension")).stdout(), ".control");
            Set<String> lib15 = BlockerQueries.namesFromListing(shell.check(RemoteCommand.of("ls",
                    "/usr/lib/postgresql/15/lib")).stdout(), ".so");
            Map<String, List<List<String>>> extensions = everyDatabase(psql, BlockerQueries.EXTENSIONS_SQL);
            assertEquals(List.of(List.of("pg_trgm", "1.5"), List.of("plpgsql", "1.0")), extensions.get("shop"));
            assertEquals(Severity.OK, BlockerQueries.missingExtensions(extensions, ext15).severity());
            Map<String, List<List<String>>> libraries = everyDatabase(psql, BlockerQueries.C_LIBRARIES_SQL);
            assertEquals("$libdir/pg_trgm", libraries.get("shop").get(0).get(0));
            assertEquals(Severity.OK, BlockerQueries.missingLibraries(libraries, lib15).severity());

            sc.sql("postgres", "DROP TABLE job_hooks");
            sc.sql("shop", "DROP TABLE hooks");
            sc.sql("shop", "DROP OPERATOR !! (bigint, NONE)");
            assertEquals(Severity.OK, BlockerQueries.regTypeColumns(
                    everyDatabase(psql, BlockerQueries.REG_TYPE_COLUMNS_SQL)).severity());
            assertEquals(Severity.OK, BlockerQueries.postfixOperators(
                    everyDatabase(psql, BlockerQueries.POSTFIX_OPERATORS_SQL)).severity());
        }
    }
}
