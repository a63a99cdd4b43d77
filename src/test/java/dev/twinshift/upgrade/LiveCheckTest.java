package dev.twinshift.upgrade;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.lab.Resources;
import org.junit.jupiter.api.Test;

/** How a failed pg_upgrade is reported: its own reason, from captured output; no server. */
class LiveCheckTest {
    @Test
    void aPgUpgradeFailureIsQuotedNotJustItsExitStatus() {
        String log = Resources.text(LiveCheckTest.class, "pg_upgrade_check/reg-types.txt");
        String why = LiveCheck.describe(PgUpgradeCheckReport.parse(log).blockers().get(0));
        assertTrue(why.startsWith("Checking for reg* data types in user tables"), why);
        assertTrue(why.contains("tables_using_reg.txt"), "the file with the columns: " + why);
        assertTrue(LiveCheck.lastLines("Performing Upgrade\nRestoring global objects\n"
                + "could not write to log file \"x\": No space left on device\nFailure, exiting\n")
                .contains("No space left on device"));
    }

    @Test
    void aFailureOutsideAnyCheckQuotesTheLastLinesPrinted() {
        assertTrue(LiveCheck.lastLines("").contains("printed nothing"));
        String many = "a\nb\nc\nd\ne\nFailure, exiting\n";
        assertTrue(LiveCheck.lastLines(many).equals("it said: b / c / d / e"), LiveCheck.lastLines(many));
    }
}
