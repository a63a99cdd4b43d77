package dev.twinshift.bisect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictsTest {

    @Test
    void aBooleanQueryIsGoodWhenTrueBadWhenFalseAndAnErrorOtherwise() {
        assertEquals(Verdict.GOOD, Verdicts.sqlTrue(0, "t\n", "").verdict());
        assertEquals(Verdict.BAD, Verdicts.sqlTrue(0, "f\n", "").verdict());
        Verdicts.Judged nul = Verdicts.sqlTrue(0, "\n", "");
        assertEquals(Verdict.ERROR, nul.verdict());
        assertTrue(nul.excerpt().contains("NULL"), nul.excerpt());
        assertEquals(Verdict.ERROR, Verdicts.sqlTrue(0, "t\nf\n", "").verdict(), "two rows");
        assertEquals(Verdict.ERROR, Verdicts.sqlTrue(0, "", "").verdict(), "no row");
        assertEquals(Verdict.ERROR, Verdicts.sqlTrue(0, "t" + Verdicts.SEP + "t\n", "").verdict(), "two columns");
        assertTrue(Verdicts.sqlTrue(0, "42\n", "").excerpt().contains("must return a boolean"));
    }

    @Test
    void aSyntaxErrorIsAnErrorOfTheCheckNeverBad() {
        Verdicts.Judged j = Verdicts.sqlTrue(1, "", "psql:<stdin>:1: ERROR:  42601: syntax error at or near \"SELEC\"");
        assertEquals(Verdict.ERROR, j.verdict());
        assertTrue(j.excerpt().contains("42601"), j.excerpt());
        assertEquals(Verdict.ERROR, Verdicts.sqlTrue(2, "", "psql: error: FATAL:  database \"shop\" does not exist").verdict());
        assertEquals(Verdict.SKIPPED, Verdicts.sqlTrue(2, "", "psql: error: connection to server on socket failed").verdict(),
                "a clone that stopped answering cannot be judged");
    }

    @Test
    void sameRowsComparesInOrderAndShowsTheFirstDifferences() {
        List<String> ref = List.of("1" + Verdicts.SEP + "a", "2" + Verdicts.SEP + "b");
        assertEquals(Verdict.GOOD, Verdicts.sameRows(ref, 0, "1\u001fa\n2\u001fb\n", "").verdict());
        Verdicts.Judged bad = Verdicts.sameRows(ref, 0, "1\u001fa\n2\u001fc\n3\u001fd\n", "");
        assertEquals(Verdict.BAD, bad.verdict());
        assertTrue(bad.excerpt().contains("row 2: 2 | b -> 2 | c"), bad.excerpt());
        assertTrue(bad.excerpt().contains("row 3: (none) -> 3 | d"), bad.excerpt());
        assertEquals(Verdict.ERROR, Verdicts.sameRows(ref, 1, "", "ERROR:  42P01: relation \"x\" does not exist").verdict());
        assertEquals(List.of("", "x"), Verdicts.rows("\nx\n"), "an empty first row is a row; the final line break is not");
    }

    @Test
    void aCommandsExitStatusReadsAsGitBisectRunReadsIt() {
        assertEquals(Verdict.GOOD, Verdicts.command(0, "", "").verdict());
        assertEquals(Verdict.BAD, Verdicts.command(1, "broken", "").verdict());
        assertEquals(Verdict.BAD, Verdicts.command(124, "", "").verdict());
        assertEquals(Verdict.SKIPPED, Verdicts.command(125, "", "").verdict());
        assertTrue(Verdicts.command(127, "", "sh: nope: not found").excerpt().contains("not found"));
        assertEquals(Verdict.ERROR, Verdicts.command(126, "", "").verdict());
        assertEquals(Verdict.ERROR, Verdicts.command(137, "", "").verdict());
        assertTrue(Verdicts.command(137, "", "").excerpt().contains("signal 9"));
    }

    @Test
    void longOutputIsCut() {
        String big = "x".repeat(10_000);
        Verdicts.Judged j = Verdicts.command(1, big, "");
        assertTrue(j.excerpt().length() < 2200, "kept short: " + j.excerpt().length());
        assertTrue(j.excerpt().endsWith("more characters)"));
    }
}
