package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.twinshift.storage.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OutputTest {

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    Output output(String... args) {
        Cli cli = new Cli(t -> {
            throw new AssertionError("no connection");
        });
        CommandLine cl = new CommandLine(cli);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.parseArgs(args);
        return cli.output();
    }

    static String json(Object o) throws Exception {
        return Json.mapper().writeValueAsString(o) + System.lineSeparator();
    }

    @Test
    void withJsonOnlyTheValueIsPrintedAndTheTextIsNeverWritten() throws Exception {
        output("--json").print(() -> Map.of("running", true), o -> fail("no text with --json"));
        assertEquals(json(Map.of("running", true)), out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void withoutJsonTheValueIsNeverComputed() throws Exception {
        // The JSON of some commands asks the server for more; a person's run must not pay for it.
        output().print(() -> fail("no JSON without --json"), o -> o.println("13/main rolled back"));
        assertEquals("13/main rolled back" + System.lineSeparator(), out.toString());
    }

    @Test
    void aPreviewGoesToStderrForAPersonAndToStdoutForAScript() throws Exception {
        output().preview(() -> fail("no JSON without --json"), e -> e.println("Nothing was changed."));
        assertEquals("", out.toString());
        assertEquals("Nothing was changed." + System.lineSeparator(), err.toString());
        output("--json").preview(() -> Map.of("changed", false), e -> fail("no text with --json"));
        assertEquals(json(Map.of("changed", false)), out.toString());
        assertEquals("Nothing was changed." + System.lineSeparator(), err.toString(), "the JSON is not on stderr");
    }

    @Test
    void aTableWithoutJsonIsAlignedRowsAndAnAbsentCellADash() throws Exception {
        List<List<String>> rows = List.of(java.util.Arrays.asList("try1", null, "13"));
        output().table(() -> fail("no JSON without --json"), List.of("CLONE", "FROM", "VERSION"), rows);
        assertEquals(String.join(System.lineSeparator(), "CLONE  FROM  VERSION", "try1   -     13", ""), out.toString());
    }
}
