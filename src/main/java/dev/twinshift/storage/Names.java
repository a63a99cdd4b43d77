package dev.twinshift.storage;

import java.util.List;
import java.util.regex.Pattern;

/** Checks names that come from users (snapshot labels, clone names) before they reach a server. */
public final class Names {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /* Suffixes the catalog gives to files beside a volume: a name ending so would collide with them. */
    private static final List<String> RESERVED_SUFFIXES = List.of(".json", ".tmp", ".run");

    private Names() {}

    /**
     * @param what what the name is for, as the message should say it ("clone name", "snapshot label")
     * @return the name, unchanged
     * @throws IllegalArgumentException saying what is wrong and what is allowed
     */
    public static String requireValid(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("the " + what + " is empty: " + RULE);
        }
        if (!VALID.matcher(name).matches()) {
            String shown = name.length() > 80 ? name.substring(0, 80) + "..." : name;
            throw new IllegalArgumentException("\"" + shown.replaceAll("\\p{Cntrl}", "?") + "\" is not a valid "
                    + what + ": " + RULE);
        }
        for (String s : RESERVED_SUFFIXES) {
            if (name.endsWith(s)) {
                throw new IllegalArgumentException("\"" + name + "\" is not a valid " + what + ": it may not end in "
                        + String.join(", ", RESERVED_SUFFIXES));
            }
        }
        return name;
    }

    public static boolean isValid(String name) {
        try {
            requireValid("name", name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static final String RULE = "use 1 to 63 characters: letters, digits, '.', '_' or '-', starting with a letter or digit";
}
