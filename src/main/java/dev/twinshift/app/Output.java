package dev.twinshift.app;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * How a command answers: with --json the value as one JSON document for scripts, otherwise lines or
 * a table for a person. Both forms are decided here, so a command only says what each of them is.
 */
final class Output {

    /** The value printed with --json; computed only then, as it may ask the server for more. */
    @FunctionalInterface
    interface Value {
        Object get() throws Exception;
    }

    /** What a person reads instead; computed only without --json. */
    @FunctionalInterface
    interface Lines {
        void print(PrintWriter out) throws Exception;
    }

    private final Cli cli;

    Output(Cli cli) {
        this.cli = cli;
    }

    /** The result of a command: JSON or lines, on stdout. */
    void print(Value json, Lines lines) throws Exception {
        if (cli.json) {
            cli.printJson(json.get());
            return;
        }
        PrintWriter out = cli.out();
        lines.print(out);
        out.flush();
    }

    /** A result that is a list: JSON, or a table of the same rows. */
    void table(Value json, List<String> header, List<List<String>> rows) throws Exception {
        print(json, out -> table(out, header, rows));
    }

    /**
     * What a command would do and did not, for want of a confirmation: with --json the value on stdout,
     * where a script reads it; otherwise lines on stderr, as a notice and not a result.
     */
    void preview(Value json, Lines lines) throws Exception {
        if (cli.json) {
            cli.printJson(json.get());
            return;
        }
        PrintWriter err = cli.spec.commandLine().getErr();
        lines.print(err);
        err.flush();
    }

    /** Columns as wide as their widest cell; an absent cell shows as "-". */
    static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i) == null ? 1 : r.get(i).length());
            }
        }
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                String cell = r.get(i) == null ? "-" : r.get(i);
                b.append(i == w.length - 1 ? cell : String.format("%-" + w[i] + "s  ", cell));
            }
            out.println(b.toString().stripTrailing());
        }
        out.flush();
    }
}
