package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Resources;
import dev.twinshift.upgrade.PgUpgradeCheckReport.Finding;
import dev.twinshift.upgrade.PgUpgradeCheckReport.Severity;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Output of pg_upgrade 15.18 (Debian 15.18-0+deb12u1) --check from a 13 cluster, captured on the lab
 * with one blocker planted at a time (pg_upgrade stops at the first).
 */
class PgUpgradeCheckReportTest {

    private static PgUpgradeCheckReport report(String name) {
        return PgUpgradeCheckReport.parse(text(name));
    }

    private static String text(String name) {
        return Resources.text(PgUpgradeCheckReportTest.class, "pg_upgrade_check/" + name);
    }

    @Test
    void cleanRunIsCompatibleWithEveryCheckOk() {
        PgUpgradeCheckReport r = report("clean.txt");
        assertTrue(r.compatible());
        assertTrue(r.blockers().isEmpty());
        assertEquals(15, r.findings().size());
        assertTrue(r.findings().stream().allMatch(f -> f.severity() == Severity.OK));
        assertEquals("Checking cluster versions", r.findings().get(0).check());
        assertEquals("Checking for reg* data types in user tables", r.findings().get(5).check());
        assertEquals("Checking for new cluster tablespace directories", r.findings().get(14).check());
        assertTrue(report("compatible-after-fixes.txt").compatible());
    }

    @Test
    void regTypeColumnsBlockWithTheListOfColumns() {
        PgUpgradeCheckReport r = report("reg-types.txt");
        assertFalse(r.compatible());
        List<Finding> blockers = r.blockers();
        assertEquals(1, blockers.size());
        Finding f = blockers.get(0);
        assertEquals("Checking for reg* data types in user tables", f.check());
        assertEquals(Severity.FATAL, f.severity());
        assertTrue(f.explanation().contains("regproc"), f.explanation());
        assertTrue(f.fix().contains("ALTER TABLE"), f.fix());
        assertEquals("/tmp/tspgcheck-a31d5d/new15/pg_upgrade_output.d/20261125T140925.663/tables_using_reg.txt",
                f.detailFile());
        // the checks that ran before the blocker passed; the ones after never ran
        assertEquals(6, r.findings().size());
        assertEquals(5, r.findings().stream().filter(x -> x.severity() == Severity.OK).count());
        assertEquals(List.of("public.job_hooks.handler"),
                PgUpgradeCheckReport.detailItems(text("reg-types.tables_using_reg.txt")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "postfix-ops.txt|Checking for user-defined postfix operators|postfix_ops.txt|DROP OPERATOR",
        "polymorphics.txt|Checking for incompatible polymorphic functions|incompatible_polymorphics.txt|anycompatible",
        "composite.txt|Checking for system-defined composite types in user tables|tables_using_composite.txt|Drop the listed columns",
        "encoding-conversions.txt|Checking for user-defined encoding conversions|encoding_conversions.txt|DROP CONVERSION",
        "not-null.txt|Checking for not-null constraint inconsistencies|not_null_inconsistent_columns.txt|SET NOT NULL",
        "datallowconn.txt|Checking database connection settings|databases_with_datallowconn_false.txt|ALLOW_CONNECTIONS",
        "missing-library.txt|Checking for presence of required libraries|loadable_libraries.txt|Install the extension's package",
    })
    void eachPlantedBlockerIsNamedWithAFixAndItsDetailFile(String file, String check, String detail, String fixWords) {
        PgUpgradeCheckReport r = report(file);
        assertFalse(r.compatible());
        assertEquals(1, r.blockers().size());
        Finding f = r.blockers().get(0);
        assertEquals(check, f.check());
        assertNotNull(f.detailFile());
        assertTrue(f.detailFile().endsWith("/" + detail), f.detailFile());
        assertTrue(f.fix().contains(fixWords), f.fix());
        // a sentence of ours, not pg_upgrade's wrapped paragraph
        assertFalse(f.explanation().contains("Failure, exiting"));
        assertFalse(f.explanation().contains(f.detailFile()));
    }

    @Test
    void missingLibraryDetailNamesTheLibraryAndDatabase() {
        List<String> items = PgUpgradeCheckReport.detailItems(text("missing-library.loadable_libraries.txt"));
        assertEquals(1, items.size());
        assertTrue(items.get(0).startsWith("could not load library \"/tmp/tspgcheck-a31d5d/lib/tsfake\""));
        assertTrue(items.get(0).contains("No such file or directory"));
    }

    @Test
    void installUserFailureHasNoStatusWordButIsFatal() {
        PgUpgradeCheckReport r = report("not-install-user.txt");
        assertFalse(r.compatible());
        Finding f = r.blockers().get(0);
        assertEquals("Checking database user is the install user", f.check());
        assertTrue(f.explanation().contains("\"alice\""), f.explanation());
        assertTrue(f.fix().contains("-U"), f.fix());
        assertNull(f.detailFile());
    }

    @Test
    void preparedTransactionsTellHowToFinishThem() {
        Finding f = report("prepared-xacts.txt").blockers().get(0);
        assertEquals("Checking for prepared transactions", f.check());
        assertTrue(f.explanation().startsWith("The old cluster holds prepared"), f.explanation());
        assertTrue(f.fix().contains("pg_prepared_xacts"));
    }

    @Test
    void localeMismatchOutsideAnyTitleNamesDatabaseAndBothValues() {
        PgUpgradeCheckReport r = report("locale-mismatch.txt");
        assertFalse(r.compatible());
        assertEquals(1, r.blockers().size());
        Finding f = r.blockers().get(0);
        assertEquals("Locale", f.check());
        assertTrue(f.explanation().contains("\"template1\""), f.explanation());
        assertTrue(f.explanation().contains("lc_collate C.UTF-8 in the old cluster but en_US.UTF-8"), f.explanation());
        assertTrue(f.fix().contains("--locale"));
        // the last titled check before the failure still passed
        Finding last = r.findings().get(r.findings().size() - 2);
        assertEquals("Checking for not-null constraint inconsistencies", last.check());
        assertEquals(Severity.OK, last.severity());
    }

    @Test
    void encodingMismatch() {
        Finding f = report("encoding-mismatch.txt").blockers().get(0);
        assertEquals("Encoding", f.check());
        assertTrue(f.explanation().contains("UTF8 in the old cluster but SQL_ASCII"), f.explanation());
    }

    @Test
    void checksumMismatchRightAfterVersionCheck() {
        PgUpgradeCheckReport r = report("checksum-mismatch.txt");
        assertEquals(2, r.findings().size());
        assertEquals(Severity.OK, r.findings().get(0).severity());
        Finding f = r.blockers().get(0);
        assertEquals("Data checksums", f.check());
        assertTrue(f.explanation().contains("new cluster was created with data checksums"), f.explanation());
        assertTrue(f.fix().contains("pg_checksums"));
    }

    @Test
    void liveCheckOnARunningOldCluster() {
        PgUpgradeCheckReport r = report("live-check.txt");
        assertTrue(r.compatible());
        assertEquals(15, r.findings().size());

        Finding samePort = report("live-check-same-port.txt").blockers().get(0);
        assertEquals("Live check ports", samePort.check());
        assertTrue(samePort.fix().contains("-P"));
    }

    @Test
    void runningNewClusterMustBeStopped() {
        PgUpgradeCheckReport r = report("new-running.txt");
        assertFalse(r.compatible());
        assertEquals(1, r.findings().size());
        Finding f = r.blockers().get(0);
        assertEquals("Server running", f.check());
        assertEquals("The new cluster is running; pg_upgrade needs it stopped.", f.explanation());
        assertTrue(f.fix().startsWith("Stop the cluster"));
    }

    @Test
    void oldServerThatWillNotStartPointsToItsLog() {
        PgUpgradeCheckReport r = report("old-server-fails-to-start.txt");
        assertFalse(r.compatible());
        assertEquals(2, r.findings().size());
        Finding f = r.blockers().get(0);
        assertEquals("Server start", f.check());
        assertEquals("pg_upgrade could not start the old server; its log says why.", f.explanation());
        assertEquals("/tmp/tspgcheck-a31d5d/new15/pg_upgrade_output.d/20261125T142307.088/log/pg_upgrade_server.log",
                f.detailFile());
        assertEquals(List.of("FATAL: could not access file \"notthere\": No such file or directory"),
                PgUpgradeCheckReport.serverLogErrors(text("old-server-fails-to-start.pg_upgrade_server.log")));
    }

    @Test
    void checkCutOffMidwayIsNeitherOkNorCompatible() {
        String out = text("clean.txt");
        out = out.substring(0, out.indexOf("Checking for reg*") + "Checking for reg* data types in user tables   ".length());
        PgUpgradeCheckReport r = PgUpgradeCheckReport.parse(out);
        assertFalse(r.compatible());
        assertEquals(5, r.findings().size());
        assertTrue(r.findings().stream().noneMatch(f -> f.check().startsWith("Checking for reg*")));
    }

    /**
     * Checks pg_upgrade 15 runs only for older sources (11 and before), so a 13 cluster cannot produce
     * them; the titles are pg_upgrade 15's own strings.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Checking for tables WITH OIDS|SET WITHOUT OIDS",
        "Checking for invalid \"sql_identifier\" user columns|TYPE text",
        "Checking for invalid \"unknown\" user columns|TYPE text",
        "Checking for contrib/isn with bigint-passing mismatch|isn extension",
        "Checking for removed \"abstime\" data type in user tables|timestamptz",
        "Checking for roles starting with \"pg_\"|RENAME TO",
    })
    void checksOfOlderSourcesAreMappedToo(String title, String fixWords) {
        String out = String.format("%-60s%s%n%nYour installation contains something.%n"
                + "A list of the problem columns is in the file:%n    /d/pg_upgrade_output.d/x/list.txt%n%n"
                + "Failure, exiting%n", title, "fatal");
        Finding f = PgUpgradeCheckReport.parse(out).blockers().get(0);
        assertEquals(title, f.check());
        assertTrue(f.fix().contains(fixWords), f.fix());
        assertFalse(f.explanation().startsWith("Your installation"), f.explanation());
        assertEquals("/d/pg_upgrade_output.d/x/list.txt", f.detailFile());
    }

    @Test
    void unknownFatalKeepsPgUpgradesTextAndAGenericFix() {
        String out = """
                Performing Consistency Checks
                -----------------------------
                Checking cluster versions                                   ok
                Checking for frobnicated widgets                            fatal

                Your installation contains frobnicated widgets.
                A list of widgets is in the file:
                    /data/pg_upgrade_output.d/20260101T000000.000/widgets.txt

                Failure, exiting
                """;
        Finding f = PgUpgradeCheckReport.parse(out).blockers().get(0);
        assertEquals("Checking for frobnicated widgets", f.check());
        assertEquals("Your installation contains frobnicated widgets. A list of widgets is in the file:", f.explanation());
        assertEquals("/data/pg_upgrade_output.d/20260101T000000.000/widgets.txt", f.detailFile());
        assertTrue(f.fix().contains("widgets.txt"));
    }

    @Test
    void warningDoesNotBlock() {
        String out = """
                Checking for hash indexes                                   warning

                Your installation contains hash indexes.  These indexes have different
                internal formats between your old and new clusters, so they must be
                reindexed with the REINDEX command.  After upgrading, you will be given
                REINDEX instructions.

                Checking for presence of required libraries                 ok

                *Clusters are compatible*
                """;
        PgUpgradeCheckReport r = PgUpgradeCheckReport.parse(out);
        assertTrue(r.compatible());
        assertEquals(Severity.WARNING, r.findings().get(0).severity());
        assertEquals(Severity.OK, r.findings().get(1).severity());
        assertEquals(2, r.findings().size());
    }

    @Test
    void emptyOrTruncatedOutputIsNotCompatible() {
        assertFalse(PgUpgradeCheckReport.parse("").compatible());
        assertFalse(PgUpgradeCheckReport.parse(null).compatible());
        String cut = text("clean.txt").replace("*Clusters are compatible*", "");
        assertFalse(PgUpgradeCheckReport.parse(cut).compatible());
    }
}
