package dev.twinshift.bisect;

import java.util.ArrayList;
import java.util.List;

/** How each kind of check's raw outcome becomes a verdict: one place, so every console judges a probe alike. */
public final class Verdicts {
    /** What is kept of a check's output per probe. */
    public static final int EXCERPT_CHARS = 2000;
    /** psql's field separator in the rows it prints (the ASCII unit separator). */
    public static final String SEP = "\u001f";

    /** A verdict and the words for it. */
    public record Judged(Verdict verdict, String excerpt) {
        public Judged {
            excerpt = Verdicts.excerpt(excerpt);
        }
    }

    private Verdicts() {}

    /** A query that must return one row with one boolean ({@code psql -A -t}: "t" or "f"). */
    public static Judged sqlTrue(int exit, String stdout, String stderr) {
        if (exit != 0) {
            return sqlFailure(exit, stderr);
        }
        List<String> rows = rows(stdout);
        if (rows.size() != 1 || rows.get(0).contains(SEP)) {
            return new Judged(Verdict.ERROR, "the check must return one row with one boolean; it returned " + rows.size()
                    + " row(s)" + (rows.isEmpty() ? "" : ", the first: " + rows.get(0).replace(SEP, " | ")));
        }
        return switch (rows.get(0)) {
            case "t" -> new Judged(Verdict.GOOD, "true");
            case "f" -> new Judged(Verdict.BAD, "false");
            case "" -> new Judged(Verdict.ERROR, "the check returned NULL, which is neither true nor false");
            default -> new Judged(Verdict.ERROR, "the check must return a boolean; it returned '" + rows.get(0) + "'");
        };
    }

    /** A query whose rows must equal the reference's, in order (give the query an ORDER BY). */
    public static Judged sameRows(List<String> reference, int exit, String stdout, String stderr) {
        if (exit != 0) {
            return sqlFailure(exit, stderr);
        }
        List<String> rows = rows(stdout);
        if (rows.equals(reference)) {
            return new Judged(Verdict.GOOD, rows.size() + " row(s), the same as on the reference");
        }
        StringBuilder b = new StringBuilder(rows.size() + " row(s) against " + reference.size() + " on the reference");
        int shown = 0;
        for (int i = 0; i < Math.max(rows.size(), reference.size()) && shown < 5; i++) {
            String mine = i < rows.size() ? rows.get(i) : null;
            String ref = i < reference.size() ? reference.get(i) : null;
            if (mine == null || !mine.equals(ref)) {
                b.append("\nrow ").append(i + 1).append(": ").append(ref == null ? "(none)" : ref.replace(SEP, " | "))
                        .append(" -> ").append(mine == null ? "(none)" : mine.replace(SEP, " | "));
                shown++;
            }
        }
        return new Judged(Verdict.BAD, b.toString());
    }

    /** The rows of a reference, or the reason it cannot be one. */
    public static List<String> rows(String stdout) {
        List<String> out = new ArrayList<>();
        if (stdout == null || stdout.isEmpty()) {
            return out;
        }
        // Each row ends with a line break: "\n" alone is one row holding NULL (or ''), "" is no row at all.
        String body = stdout.endsWith("\n") ? stdout.substring(0, stdout.length() - 1) : stdout;
        for (String line : body.split("\n", -1)) {
            out.add(line);
        }
        return out;
    }

    /**
     * psql did not finish: an error the server reported about the check (SQL error, unknown database or
     * role) is the check's own fault, ERROR; a connection that went away is the clone's, SKIPPED.
     */
    static Judged sqlFailure(int exit, String stderr) {
        String err = stderr == null ? "" : stderr.strip();
        if (err.contains("ERROR:") || err.contains("FATAL:")) {
            return new Judged(Verdict.ERROR, "the check failed in the server: " + err);
        }
        if (exit == 2 || err.contains("connection to server") || err.contains("could not connect")) {
            return new Judged(Verdict.SKIPPED, "the clone stopped answering: " + err);
        }
        return new Judged(Verdict.ERROR, "psql exited " + exit + ": " + err);
    }

    /** A command's exit status as git bisect run reads it. */
    public static Judged command(int exit, String stdout, String stderr) {
        String out = (stdout == null ? "" : stdout.strip()) + (stderr == null || stderr.isBlank() ? "" : "\n" + stderr.strip());
        if (exit == 0) {
            return new Judged(Verdict.GOOD, "exit 0" + tail(out));
        }
        if (exit >= 1 && exit <= 124) {
            return new Judged(Verdict.BAD, "exit " + exit + tail(out));
        }
        if (exit == 125) {
            return new Judged(Verdict.SKIPPED, "exit 125: the command says this snapshot cannot be tested" + tail(out));
        }
        String why = exit == 126 ? "the command is not executable" : exit == 127 ? "the command was not found"
                : exit > 128 ? "the command was killed by signal " + (exit - 128) : "an exit status a check may not use";
        return new Judged(Verdict.ERROR, "exit " + exit + ": " + why + tail(out));
    }

    private static String tail(String out) {
        return out.isBlank() ? "" : "\n" + out.strip();
    }

    public static String excerpt(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= EXCERPT_CHARS ? s : s.substring(0, EXCERPT_CHARS) + " ... (" + (s.length() - EXCERPT_CHARS)
                + " more characters)";
    }
}
