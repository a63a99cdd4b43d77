package dev.twinshift.ssh;

import java.util.List;
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

    /** Quotes every argument and joins them with spaces. */
    public static String join(List<String> argv) {
        return argv.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
    }

    private static boolean isSafe(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '=' || c == ',' || c == '+' || c == '@' || c == '%';
    }
}
