package dev.twinshift.upgrade;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Carries postgresql.conf from the old major to the new, as Debian's pg_upgradecluster does. */
public final class ConfigCarryOver {
    private static final Pattern SETTING = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*(=)?\\s*(.*)$");

    public record Result(String text, List<String> notes) {}

    private ConfigCarryOver() {}

    public static Result carry(String oldConf, Set<String> knownInNew, Map<String, String> overrides) {
        Map<String, String> pending = new LinkedHashMap<>(overrides);
        List<String> notes = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        for (String line : oldConf.split("\n", -1)) {
            Matcher m = SETTING.matcher(line);
            if (!line.stripLeading().startsWith("#") && m.matches() && !line.isBlank()) {
                String key = m.group(1).toLowerCase();
                if (key.equals("include") || key.equals("include_dir") || key.equals("include_if_exists")) {
                    out.append(line).append('\n');
                    continue;
                }
                if (pending.containsKey(key)) {
                    out.append(key).append(" = ").append(quote(pending.remove(key))).append('\n');
                    continue;
                }
                if (overrides.containsKey(key)) {
                    out.append("#").append(line).append("   # set above\n");
                    continue;
                }
                if (!knownInNew.isEmpty() && !knownInNew.contains(key) && !key.contains(".")) {
                    out.append("# not known to the new version: ").append(line).append('\n');
                    notes.add(key + " is not a setting of the new version: commented out");
                    continue;
                }
            }
            out.append(line).append('\n');
        }
        if (out.length() > 0 && oldConf.endsWith("\n") || oldConf.isEmpty()) {
            out.setLength(Math.max(0, out.length() - 1));
        }
        if (!pending.isEmpty()) {
            out.append("\n# set by the upgrade\n");
            for (Map.Entry<String, String> e : pending.entrySet()) {
                out.append(e.getKey()).append(" = ").append(quote(e.getValue())).append('\n');
            }
        }
        return new Result(out.toString(), notes);
    }

    public static Set<String> parseDescribeConfig(String output) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : output.split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                names.add(line.substring(0, tab).toLowerCase());
            }
        }
        return names;
    }

    static String quote(String v) {
        if (v.matches("-?[0-9]+")) {
            return v;
        }
        return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
