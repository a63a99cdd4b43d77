package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Resources;
import dev.twinshift.upgrade.PgUpgradeCheckReport.Finding;
import dev.twinshift.upgrade.PgUpgradeCheckReport.Severity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The preflight queries' answers captured from a 13 cluster with planted blockers (psql -A -t, "|"
 * between fields), and the 15 installation's extension and library directories of the lab.
 */
class BlockerQueriesTest {

    private static String res(String name) {
        return Resources.text(BlockerQueriesTest.class, "preflight/" + name);
    }

    private static List<List<String>> rows(String name) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : res(name).split("\n")) {
            if (!line.isEmpty()) {
                rows.add(Arrays.asList(line.split("\\|", -1)));
            }
        }
        return rows;
    }

    private static final Set<String> EXTENSIONS_15 = BlockerQueries.namesFromListing(res("ls-extension-15.txt"), ".control");
    private static final Set<String> LIBS_15 = BlockerQueries.namesFromListing(res("ls-lib-15.txt"), ".so");

    @Test
    void listingsOfThe15Installation() {
        assertEquals(47, EXTENSIONS_15.size());
        assertTrue(EXTENSIONS_15.containsAll(Set.of("pg_trgm", "plpgsql", "isn", "pg_walinspect")));
        assertTrue(LIBS_15.containsAll(Set.of("pg_trgm", "plpgsql", "isn")));
        assertFalse(LIBS_15.contains("llvmjit_types.bc"));
    }

    @Test
    void regColumnsIncludingDomainsArraysAndCompositesAreNamed() {
        Finding f = BlockerQueries.regTypeColumns(Map.of("shop", rows("shop-reg-type-columns.txt"), "postgres", List.of()));
        assertEquals(BlockerQueries.REG_TYPES_CHECK, f.check());
        assertEquals(Severity.FATAL, f.severity());
        assertTrue(f.explanation().startsWith("The old cluster has 4 columns of reg* types"), f.explanation());
        assertTrue(f.explanation().contains("shop: public.job_hooks.handler (regproc)"), f.explanation());
        assertTrue(f.explanation().contains("shop: public.hooks2.ops (regoperator[])"), f.explanation());
        assertTrue(f.fix().contains("TYPE text"));
        assertNull(f.detailFile());
        assertEquals(Severity.OK, BlockerQueries.regTypeColumns(Map.of("postgres", List.of())).severity());
    }

    @Test
    void preparedTransactionsOfLiveAreAFatalBlockerWithEachNamed() {
        assertEquals(Severity.OK, BlockerQueries.preparedTransactions(List.of()).severity());
        Finding f = BlockerQueries.preparedTransactions(List.of(
                List.of("pay-42", "shop", "app", "2026-12-01 20:00:00+00"),
                List.of("xa-7", "postgres", "postgres", "2026-12-01 20:01:00+00")));
        assertEquals(Severity.FATAL, f.severity());
        assertEquals("Checking for prepared transactions", f.check(), "pg_upgrade's own title, so both show as one");
        assertTrue(f.explanation().contains("2 prepared transactions"), f.explanation());
        assertTrue(f.explanation().contains("'pay-42' (owner shop, database app, prepared at 2026-12-01 20:00:00+00)"),
                f.explanation());
        assertTrue(f.fix().contains("COMMIT PREPARED 'gid' or ROLLBACK PREPARED 'gid'"), f.fix());
    }

    @Test
    void postfixOperatorIsNamedWithItsSignature() {
        Finding f = BlockerQueries.postfixOperators(Map.of("shop", rows("shop-postfix-operators.txt")));
        assertEquals(Severity.FATAL, f.severity());
        assertTrue(f.explanation().contains("1 user-defined postfix operator,"), f.explanation());
        assertTrue(f.explanation().contains("shop: public.!! (bigint, NONE)"), f.explanation());
    }

    @Test
    void extensionsMissingInTheNewVersion() {
        Map<String, List<List<String>>> byDb = Map.of("shop", rows("shop-extensions.txt"));
        assertEquals(Severity.OK, BlockerQueries.missingExtensions(byDb, EXTENSIONS_15).severity());
        // the same cluster against an installation lacking pg_trgm's package
        Set<String> without = new LinkedHashSet<>(EXTENSIONS_15);
        without.remove("pg_trgm");
        Finding f = BlockerQueries.missingExtensions(byDb, without);
        assertEquals(Severity.FATAL, f.severity());
        assertTrue(f.explanation().contains("1 installed extension that the new version does not provide"), f.explanation());
        assertTrue(f.explanation().contains("shop: pg_trgm 1.5"));
        assertTrue(f.fix().contains("pg_trgm"));
    }

    @Test
    void librariesAreLookedUpInTheNewLibdir() {
        Map<String, List<List<String>>> byDb = Map.of("shop", rows("shop-c-libraries.txt"));
        // $libdir/pg_trgm exists in 15; an absolute path cannot be judged from the listing
        assertEquals(Severity.OK, BlockerQueries.missingLibraries(byDb, LIBS_15).severity());
        Set<String> without = new LinkedHashSet<>(LIBS_15);
        without.remove("pg_trgm");
        Finding f = BlockerQueries.missingLibraries(byDb, without);
        assertEquals(Severity.FATAL, f.severity());
        assertTrue(f.explanation().contains("shop: $libdir/pg_trgm (31 functions)"), f.explanation());
    }
}
