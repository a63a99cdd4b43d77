package dev.twinshift.upgrade;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Carries a Debian cluster's {@code postgresql.conf} from the old major version to the new one, the
 * way {@code pg_upgradecluster} does: every active setting is kept, except those the new server no
 * longer knows (commented out, so that the new server starts), and the cluster-specific keys (paths,
 * port, cluster name) take the new cluster's values. Everything else stays byte for byte: comments,
 * blank lines, include directives, line order, line endings.
 *
 * <p>{@code postgres --describe-config} leaves out developer and internal parameters that a
 * configuration file may still set (force_parallel_mode, zero_damaged_pages, jit_expressions,
 * application_name, ... in 15). So before carrying, ask the new server about each name of
 * {@link #namesToVerify} with {@code postgres -C NAME -D NEWCONFDIR} (as the cluster owner) and add
 * those it knows ({@link #recognizedBy}) to the known set; otherwise a valid setting would be
 * commented out.
 */
public final class ConfigCarryOver {
    private ConfigCarryOver() {}

    /** The new file's text, and one line per change made, for the upgrade log and the plan preview. */
    public record Result(String text, List<String> notes) {
        public Result {
            notes = List.copyOf(notes);
        }
    }

    private static final Set<String> DIRECTIVES = Set.of("include", "include_dir", "include_if_exists");

    /*
     * name [=] value [# comment]. The value is a single-quoted string ('' and \' escape a quote) or a
     * run of characters up to whitespace or '#', as in the server's own lexer (guc-file.l).
     */
    private static final Pattern SETTING = Pattern.compile(
            "^(\\s*)([A-Za-z_][A-Za-z0-9_$]*(?:\\.[A-Za-z_][A-Za-z0-9_$]*)*)(\\s*=?\\s*)"
                    + "('(?:[^'\\\\\\n]|''|\\\\.)*'|[^\\s#']*)(.*)$");
    private static final Pattern DEBIAN_CLUSTER_NAME = Pattern.compile("^'?(\\d+)/.*");

    /**
     * The new version label used in notes is taken from a Debian-style {@code cluster_name} override
     * ("15/main"); use {@link #carry(String, Set, Map, String)} to give it explicitly.
     */
    public static Result carry(String oldConf, Set<String> knownInNew, Map<String, String> overrides) {
        String version = null;
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (e.getKey().equalsIgnoreCase("cluster_name")) {
                Matcher m = DEBIAN_CLUSTER_NAME.matcher(e.getValue());
                if (m.matches()) {
                    version = m.group(1);
                }
            }
        }
        return carry(oldConf, knownInNew, overrides, version);
    }

    /**
     * @param knownInNew parameter names the new server accepts (see {@link #parseDescribeConfig}),
     *                   compared without regard to case, as the server does
     * @param overrides  new values by parameter name, raw (quoted here when needed), in the order to
     *                   append those absent from the old file
     * @param newVersion the new major version for the notes ("15"), or null
     */
    public static Result carry(String oldConf, Set<String> knownInNew, Map<String, String> overrides,
            String newVersion) {
        Set<String> known = new LinkedHashSet<>();
        for (String k : knownInNew) {
            known.add(k.toLowerCase(Locale.ROOT));
        }
        Map<String, String> pending = new LinkedHashMap<>();
        Map<String, String> originalCase = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            pending.put(key, e.getValue());
            originalCase.put(key, e.getKey());
        }
        Map<String, String> toAppend = new LinkedHashMap<>(pending);
        String removedLabel = "# removed in " + (newVersion == null ? "the new version" : newVersion) + ": ";

        StringBuilder out = new StringBuilder(oldConf.length() + 256);
        List<String> notes = new ArrayList<>();
        int i = 0;
        String newline = oldConf.contains("\r\n") ? "\r\n" : "\n";
        while (i < oldConf.length()) {
            int nl = oldConf.indexOf('\n', i);
            int end = nl < 0 ? oldConf.length() : nl + 1;
            String whole = oldConf.substring(i, end);
            String eol = whole.endsWith("\r\n") ? "\r\n" : whole.endsWith("\n") ? "\n" : "";
            String line = whole.substring(0, whole.length() - eol.length());
            i = end;

            Matcher m = SETTING.matcher(line);
            if (!m.matches()) {
                out.append(whole);
                continue;
            }
            String name = m.group(2);
            String key = name.toLowerCase(Locale.ROOT);
            String value = m.group(4);
            if (DIRECTIVES.contains(key)) {
                out.append(whole);
                continue;
            }
            if (pending.containsKey(key)) {
                String newValue = quote(pending.get(key));
                toAppend.remove(key);
                if (newValue.equals(value)) {
                    out.append(whole);
                } else {
                    out.append(m.group(1)).append(name).append(m.group(3)).append(newValue).append(m.group(5)).append(eol);
                    notes.add(name + ": " + value + " -> " + newValue);
                }
                continue;
            }
            // Dotted names are extension settings: the server accepts them as placeholders.
            if (!key.contains(".") && !known.contains(key)) {
                out.append(removedLabel).append(line.stripLeading()).append(eol);
                notes.add("commented out " + name + " = " + value + " (not a parameter of "
                        + (newVersion == null ? "the new version" : "PostgreSQL " + newVersion) + ")");
                continue;
            }
            out.append(whole);
        }
        if (!toAppend.isEmpty()) {
            if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                out.append(newline);
            }
            for (Map.Entry<String, String> e : toAppend.entrySet()) {
                String line = originalCase.get(e.getKey()) + " = " + quote(e.getValue());
                out.append(line).append(newline);
                notes.add("appended " + line);
            }
        }
        return new Result(out.toString(), notes);
    }

    /**
     * Active parameters of the old file that are absent from {@code knownInNew}: the ones the new
     * server should be asked about before they are commented out.
     */
    public static Set<String> namesToVerify(String oldConf, Set<String> knownInNew) {
        Set<String> known = new LinkedHashSet<>();
        for (String k : knownInNew) {
            known.add(k.toLowerCase(Locale.ROOT));
        }
        Set<String> out = new LinkedHashSet<>();
        for (String line : oldConf.split("\r?\n")) {
            Matcher m = SETTING.matcher(line);
            if (m.matches()) {
                String key = m.group(2).toLowerCase(Locale.ROOT);
                if (!DIRECTIVES.contains(key) && !key.contains(".") && !known.contains(key)) {
                    out.add(m.group(2));
                }
            }
        }
        return out;
    }

    /**
     * Reads the combined output and exit code of {@code postgres -C NAME}: the server prints the
     * value and exits 0 for a parameter it knows, and a FATAL "unrecognized configuration parameter"
     * otherwise. Any other failure (no data directory, permissions) is not an answer: it throws.
     */
    public static boolean recognizedBy(String output, int exitCode) {
        if (exitCode == 0) {
            return true;
        }
        if (output.contains("unrecognized configuration parameter")) {
            return false;
        }
        throw new IllegalStateException("postgres -C failed without naming the parameter: " + output.strip());
    }

    /** Quotes a value for postgresql.conf unless it is a number, a plain word or already quoted (as Debian's PgCommon does). */
    static String quote(String value) {
        if (value.matches("-?[0-9.]+") || value.matches("\\w+") || value.matches("'.*'")) {
            return value;
        }
        return "'" + value.replace("'", "''") + "'";
    }

    /**
     * Parameter names from {@code postgres --describe-config}: one tab-separated line per parameter,
     * name first. Names are as the server prints them (e.g. "DateStyle"); compare without case.
     */
    public static Set<String> parseDescribeConfig(String output) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : output.split("\r?\n")) {
            int tab = line.indexOf('\t');
            if (tab <= 0) {
                continue;
            }
            String name = line.substring(0, tab).strip();
            if (name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                names.add(name);
            }
        }
        return names;
    }
}
