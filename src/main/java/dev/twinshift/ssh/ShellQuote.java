package dev.twinshift.ssh;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one place where an argument becomes shell text. Every remote command goes through here, so
 * a user-supplied name can never be read by the remote shell as syntax.
 */
public final class ShellQuote {
    private ShellQuote() {}

    /** Quotes one argument for a POSIX shell: single quotes, with embedded single quotes spliced. */
    public static String quote(String arg) {
        if (arg.isEmpty()) {
            return "''";
        }
        if (arg.chars().allMatch(ShellQuote::isSafe)) {
            return arg;
        }
        return "'" + arg.replace("'", "'\"'\"'") + "'";
    }

    /**
     * Quotes every argument and joins them with spaces. The first word is where the shell looks for
     * variable assignments ({@code A=b cmd}) and reserved words ({@code if}, {@code time}, ...): it
     * is always quoted when it could be read as one, so it can only ever name a program.
     */
    public static String join(List<String> argv) {
        if (argv.isEmpty()) {
            return "";
        }
        String first = argv.get(0);
        String head = first.indexOf('=') >= 0 || RESERVED.contains(first)
                ? "'" + first.replace("'", "'\"'\"'") + "'"
                : quote(first);
        return argv.size() == 1 ? head
                : head + " " + argv.subList(1, argv.size()).stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }

    private static final Set<String> RESERVED = Set.of("if", "then", "else", "elif", "fi", "case", "esac", "for",
            "select", "while", "until", "do", "done", "in", "function", "time", "coproc");

    private static boolean isSafe(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '=' || c == ',' || c == '+' || c == '@' || c == '%';
    }
}
