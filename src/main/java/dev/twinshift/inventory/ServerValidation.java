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

    /** Empty when fine; otherwise one sentence per problem, each saying what to enter. */
    public static List<String> problems(String name, String host, String port, String user) {
        List<String> out = new ArrayList<>();
        if (name == null || !NAME.matcher(name.strip()).matches()) {
            out.add("Name: 1-64 letters, digits, spaces or . _ - @ ( ), starting with a letter or digit.");
        }
        if (host == null || host.isBlank()) {
            out.add("Host: enter a host name or an IP address.");
        } else if (!HOST.matcher(host.strip()).matches()) {
            out.add("Host: \"" + host.strip() + "\" is not a host name or IP address (no spaces, no user@, no :port here).");
        }
        try {
            int p = Integer.parseInt(port == null ? "" : port.strip());
            if (p < 1 || p > 65535) {
                out.add("Port: a number from 1 to 65535 (SSH is usually 22).");
            }
        } catch (NumberFormatException e) {
            out.add("Port: a number from 1 to 65535 (SSH is usually 22).");
        }
        if (user == null || !USER.matcher(user.strip()).matches()) {
            out.add("User: a login name such as postgres-admin (letters, digits, _ . -).");
        }
        return out;
    }
}
