package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** --cluster is one option wherever it appears: the same label and the same usage errors, before any connection. */
class ClusterOptionTest {

    record Run(int code, String err) {
        String firstLine() {
            return err.lines().findFirst().orElse("");
        }
    }

    static Run run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new Cli(t -> {
            throw new AssertionError("a usage error must not connect: " + args);
        }), new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        return new Run(code, err.toString());
    }

    @Test
    void everyCommandThatTakesAClusterRefusesAnEmptyOrMissingOneAlike() {
        CommandLine root = new CommandLine(new Cli(t -> null));
        int required = 0;
        int optional = 0;
        for (List<String> path : CliTest.allCommands(root, List.of(), new ArrayList<>())) {
            CommandLine sub = root;
            for (String name : path) {
                sub = sub.getSubcommands().get(name);
            }
            OptionSpec cluster = sub.getCommandSpec().findOption("--cluster");
            if (cluster == null) {
                continue;
            }
            assertEquals("VER/NAME", cluster.paramLabel(), path.toString());

            List<String> args = new ArrayList<>(List.of("--server", "a@db1"));
            args.addAll(path);
            args.add("--cluster");
            Run empty = run(args);
            assertEquals(2, empty.code(), args + ": " + empty.err());
            assertEquals("Missing required parameter for option '--cluster' (VER/NAME)", empty.firstLine(), args.toString());

            if (cluster.required()) {
                required++;
                args.remove(args.size() - 1);
                Run missing = run(args);
                assertEquals(2, missing.code(), args + ": " + missing.err());
                assertTrue(missing.firstLine().startsWith("Missing required option")
                        && missing.firstLine().contains("'--cluster=VER/NAME'"), args + ": " + missing.err());
            } else {
                optional++;
            }
        }
        // snapshot (6), clone (5), rollback's journal (3) and lock (2) at least, beside the other groups' own.
        assertTrue(required >= 16, "commands with a required --cluster: " + required);
        assertTrue(optional >= 1, "rollback's own --cluster is optional: " + optional);
    }
}
