package dev.twinshift.inventory;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Checks what an administrator typed for a server, and says what to fix. */
public final class ServerValidation {
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} ._@()-]{0,63}");
    // Host names (RFC 1123 labels), IPv4, or IPv6 literals; nothing a shell or ssh option could read.
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[?[0-9A-Fa-f:.]+]?");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}\\$?", Pattern.CASE_INSENSITIVE);

    private ServerValidation() {}

    /** The fields of a server entry that are checked. */
    public enum Field {
        NAME("Name"), HOST("Host"), PORT("Port"), USER("User");

        private final String label;

        Field(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What is wrong with one field, and what to enter instead. */
    public record Problem(Field field, String text) {
        /** The sentence with its field's name first, as in a list of every problem. */
        public String sentence() {
            return field.label() + ": " + text;
        }
    }

    /** Empty when fine; otherwise one sentence per problem, each saying what to enter. */
    public static List<String> problems(String name, String host, String port, String user) {
        return check(name, host, port, user).stream().map(Problem::sentence).toList();
    }

    /** Every problem at once, each tied to its field, so a form can mark each field. */
    public static List<Problem> check(String name, String host, String port, String user) {
        List<Problem> out = new ArrayList<>();
        if (name == null || !NAME.matcher(name.strip()).matches()) {
            out.add(new Problem(Field.NAME, "1-64 letters, digits, spaces or . _ - @ ( ), starting with a letter or digit."));
        }
        if (host == null || host.isBlank()) {
            out.add(new Problem(Field.HOST, "enter a host name or an IP address."));
        } else if (!HOST.matcher(host.strip()).matches()) {
            out.add(new Problem(Field.HOST, "\"" + host.strip()
                    + "\" is not a host name or IP address (no spaces, no user@, no :port here)."));
        }
        try {
            int p = Integer.parseInt(port == null ? "" : port.strip());
            if (p < 1 || p > 65535) {
                out.add(new Problem(Field.PORT, "a number from 1 to 65535 (SSH is usually 22)."));
            }
        } catch (NumberFormatException e) {
            out.add(new Problem(Field.PORT, "a number from 1 to 65535 (SSH is usually 22)."));
        }
        if (user == null || !USER.matcher(user.strip()).matches()) {
            out.add(new Problem(Field.USER, "a login name such as postgres-admin (letters, digits, _ . -)."));
        }
        return out;
    }
}
