package dev.twinshift.lab;

import dev.twinshift.app.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line against the lab's admin account, as an administrator would type it: in this
 * process for the tests ({@link #run}), or as a process of its own ({@link #main}, see
 * {@link ConsoleProcess}).
 */
public final class LabCli {
    private LabCli() {}

    public static void main(String[] args) {
        System.exit(Cli.run(new Cli(LabShell::of), args));
    }

    /** How one command line ended: its exit code and what it printed. */
    public record Run(int code, String out, String err) {
    }

    /**
     * Runs {@code twinshift --server <lab admin> --identity <its key> ARGS} on a connection of its own:
     * the command line closes its shell when done, and the test goes on with its own.
     */
    public static Run run(String... args) {
        Lab lab = Lab.require();
        List<String> all = new ArrayList<>(List.of("--server", lab.admin().user() + "@" + lab.admin().host() + ":"
                + lab.admin().port(), "--identity", lab.admin().identityFiles().get(0).toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new Cli(LabShell::fresh), new PrintWriter(out, true), new PrintWriter(err, true),
                all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }
}
