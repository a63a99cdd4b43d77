package dev.twinshift.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twinshift.ssh.SshTarget;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {

    @Test
    void serverSpellings() {
        SshTarget t = Cli.parseServer("tsadmin@127.0.0.1:2222");
        assertEquals("tsadmin", t.user());
        assertEquals("127.0.0.1", t.host());
        assertEquals(2222, t.port());
        assertEquals(22, Cli.parseServer("a@db1").port());
        assertEquals("::1", Cli.parseServer("a@[::1]:2200").host());
        assertEquals(2200, Cli.parseServer("a@[::1]:2200").port());
        assertThrows(IllegalArgumentException.class, () -> Cli.parseServer("a@db:x"));
    }

    @Test
    void emptyPartsOfAServerAreRefusedWithTheExpectedForm() {
        for (String[] c : new String[][] {
                {"@:", "the user before '@' is empty"},
                {"@db1", "the user before '@' is empty"},
                {"tsadmin@:2222", "the host is empty"},
                {"tsadmin@", "the host is empty"},
                {":2222", "the host is empty"},
                {"tsadmin@db1:", "the port after ':' is empty"},
                {"tsadmin@[::1]:", "the port after ':' is empty"},
                {"tsadmin@[]:2222", "the host is empty"},
                {"tsadmin@[::1", "has no ']'"},
                {"tsadmin@[::1]2222", "only ':PORT' may follow"},
                {"tsadmin@db1:0", "not between 1 and 65535"},
                {"tsadmin@db1:x", "'x' is not a port number"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cli.parseServer(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("--server '" + c[0] + "'") && e.getMessage().contains("expected USER@HOST[:PORT]"),
                    e.getMessage());
        }
        SshTarget v6 = Cli.parseServer("tsadmin@[::1]:2222");
        assertEquals("::1", v6.host());
        assertEquals(2222, v6.port());
        assertEquals("::1", Cli.parseServer("tsadmin@[::1]").host());
        SshTarget bare = Cli.parseServer("tsadmin@fe80::1");
        assertEquals("fe80::1", bare.host());
        assertEquals(22, bare.port());
        assertEquals(System.getProperty("user.name"), Cli.parseServer("db1:2200").user());
    }

    /** Every command and subcommand, as the words typed after {@code twinshift}. */
    static List<List<String>> allCommands(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> p = new ArrayList<>(path);
            p.add(name);
            allCommands(sub, p, out);
        });
        return out;
    }

    @Test
    void versionIsThePomsAsTheBuildStampedIt() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new Cli(t -> {
            throw new AssertionError("--version must not connect");
        }), new PrintWriter(out, true), new PrintWriter(err, true), "--version");
        assertEquals(0, code, err.toString());
        // The build passes the pom's version to the tests; the placeholder would mean the stamp failed.
        String pom = System.getProperty("twinshift.version", "");
        assertTrue(out.toString().strip().matches("twinshift \\d+\\.\\d+\\.\\d+.*"), out.toString());
        if (!pom.isEmpty()) {
            assertEquals("twinshift " + pom, out.toString().strip());
        }
    }

    @Test
    void helpWorksOnEveryCommandEvenWithoutItsRequiredOptions() {
        CommandLine root = new CommandLine(new Cli(t -> null));
        String rootDescription = String.join(" ", root.getCommandSpec().usageMessage().description());
        List<List<String>> commands = allCommands(root, List.of(), new ArrayList<>());
        assertTrue(commands.size() > 20, "the tree was walked: " + commands);
        for (List<String> path : commands) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int code = Cli.run(new Cli(t -> {
                    throw new AssertionError("help must not connect");
                }), new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
                assertEquals(0, code, args + ": " + err);
                assertEquals("", err.toString(), args + " prints nothing on stderr");
                String usage = "Usage: " + String.join(" ", List.of("twinshift", String.join(" ", path))).strip();
                assertTrue(out.toString().startsWith(usage), args + ":\n" + out);
                assertTrue(out.toString().contains("-h, --help"), args + ":\n" + out);
            }
            if (!path.isEmpty()) {
                CommandLine sub = root;
                for (String name : path) {
                    sub = sub.getSubcommands().get(name);
                }
                // The root's attributes are inherited: a subcommand without a description would show the root's.
                assertTrue(!String.join(" ", sub.getCommandSpec().usageMessage().description()).equals(rootDescription),
                        path + " has a description of its own");
            }
        }
    }

    /**
     * The README's command lines ({@code $ts ...} with {@code ts="... --server ... --identity ..."})
     * are complete: every one parses with its required options and parameters.
     */
    @Test
    void everyCommandLineOfTheReadmeParses() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher ts = Pattern.compile("(?m)^ts=\"[^\"]*?twinshift (.*)\"\\s*$").matcher(readme);
        assertTrue(ts.find(), "the README defines ts=");
        List<String> prefix = words(ts.group(1));
        List<String> lines = readme.lines().filter(l -> l.startsWith("$ts ")).toList();
        assertTrue(lines.size() >= 10, "README command lines: " + lines);
        for (String line : lines) {
            List<String> args = new ArrayList<>(prefix);
            args.addAll(words(line.substring(4)));
            try {
                CommandLine.ParseResult r = new CommandLine(new Cli(t -> null)).parseArgs(args.toArray(String[]::new));
                assertTrue(r.subcommand() != null, line);
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError("README: `" + line + "` does not work as written: " + e.getMessage(), e);
            }
        }
    }

    /** Shell words of a README line: split at blanks, double quotes group, a '#' word starts a comment. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
        while (m.find()) {
            if (m.group(2) != null && m.group(2).startsWith("#")) {
                break;
            }
            out.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out;
    }

    @Test
    void noServerIsAClearError() {
        StringWriter err = new StringWriter();
        Cli cli = new Cli(t -> {
            throw new AssertionError("must not connect");
        });
        int code = runWith(cli, err, "clusters");
        assertEquals(Cli.EXIT_REFUSED, code);
        assertTrue(err.toString().contains("--server USER@HOST[:PORT]"), err.toString());
    }

    @Test
    void invalidCloneNameIsRefusedBeforeAnythingRuns() {
        StringWriter err = new StringWriter();
        int code = runWith(new Cli(t -> {
            throw new AssertionError("must not connect");
        }), err, "--server", "a@b", "clone", "start", "--cluster", "13/main", "bad name;rm");
        assertEquals(Cli.EXIT_REFUSED, code);
        assertTrue(err.toString().contains("is not a valid clone name"), err.toString());
    }

    @Test
    void blueGreenValuesOutOfRangeAreRefusedBeforeAnythingConnects() {
        Cli.ShellFactory never = t -> {
            throw new AssertionError("must not connect");
        };
        StringWriter err = new StringWriter();
        assertEquals(Cli.EXIT_REFUSED, runWith(new Cli(never), err, "--server", "a@b", "upgrade", "bluegreen", "prepare",
                "--cluster", "13/main", "--pooler-port", "0"));
        assertTrue(err.toString().contains("--pooler-port wants a port number from 1 to 65535, got 0"), err.toString());
        StringWriter err2 = new StringWriter();
        assertEquals(Cli.EXIT_REFUSED, runWith(new Cli(never), err2, "--server", "a@b", "upgrade", "bluegreen", "switchover",
                "--cluster", "13/main", "--deadline-ms", "5", "--yes"));
        assertTrue(err2.toString().contains("--deadline-ms wants 100 to 60000 milliseconds, got 5"), err2.toString());
    }

    @Test
    void usageErrors() {
        StringWriter err = new StringWriter();
        assertEquals(2, runWith(new Cli(t -> null), err, "rollback", "--cluster", "13/main"));
        assertTrue(err.toString().contains("--to"), err.toString());
    }

    static int runWith(Cli cli, StringWriter err, String... args) {
        CommandLine cl = new CommandLine(cli);
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("twinshift: " + e.getMessage());
            return Cli.EXIT_REFUSED;
        });
        return cl.execute(args);
    }
}
