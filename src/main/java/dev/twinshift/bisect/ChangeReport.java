package dev.twinshift.bisect;

import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.SshException;
import dev.twinshift.upgrade.Validation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changed between the last good and the first bad snapshot, read from a clone of each: schema
 * objects added, dropped or altered, the tables whose row counts changed the most, settings that
 * differ, extensions and their versions. Rendered as Markdown for the console and as JSON.
 *
 * @param good       the last good snapshot's id
 * @param bad        the first bad snapshot's id
 * @param databases  per database present in both, what changed in it
 * @param databasesAdded   databases only in the bad snapshot
 * @param databasesDropped databases only in the good snapshot
 * @param settings   non-default settings that differ (the clones' own port, socket and safety settings left out)
 */
public record ChangeReport(String good, String bad, List<DatabaseChanges> databases, List<String> databasesAdded,
                           List<String> databasesDropped, List<Change> settings) {

    /** Shown per database: the tables whose row counts changed the most. */
    public static final int TOP_TABLES = 10;
    /** Tables up to this size are counted exactly; bigger ones are estimated from pg_class.reltuples. */
    public static final long EXACT_COUNT_BYTES = 10L * 1024 * 1024;

    public enum Kind { ADDED, DROPPED, ALTERED }

    /** One object (a relation, column, index, constraint, function, type; a setting; an extension) that changed. */
    public record Change(Kind change, String type, String name, String before, String after) {
    }

    /** @param exact counted with count(*) on both sides; otherwise an estimate (pg_class.reltuples) on at least one */
    public record RowCount(String table, Long before, Long after, boolean exact) {
        public long delta() {
            return (after == null ? 0 : after) - (before == null ? 0 : before);
        }
    }

    public record DatabaseChanges(String database, List<Change> schema, List<RowCount> rowCounts, List<Change> extensions) {
        public boolean empty() {
            return schema.isEmpty() && rowCounts.isEmpty() && extensions.isEmpty();
        }
    }

    /** What one clone holds, as read by {@link #read}. */
    public record State(Map<String, DatabaseState> databases, Map<String, String> settings) {
    }

    /**
     * @param objects    "type name" -> definition
     * @param rows       table -> {count, 1 if exact else 0}; count null when never analysed and too big to count
     * @param extensions name -> version
     */
    public record DatabaseState(Map<String, String> objects, Map<String, Long[]> rows, Map<String, String> extensions) {
    }

    private static final String USER_SCHEMA = " n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

    private static String notInExtension(String oid) {
        return " AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = " + oid + " AND dep.deptype = 'e')";
    }

    /** Every user object with its definition: one row per object, type, name and definition. */
    static final String OBJECTS_SQL = "SELECT 'relation', n.nspname || '.' || c.relname, CASE c.relkind WHEN 'r' THEN"
            + " 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'p' THEN 'partitioned table'"
            + " WHEN 'f' THEN 'foreign table' ELSE 'sequence' END"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S') AND" + USER_SCHEMA + notInExtension("c.oid")
            + " UNION ALL SELECT 'column', n.nspname || '.' || c.relname || '.' || a.attname,"
            + " format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
            + " || coalesce(' DEFAULT ' || regexp_replace(pg_get_expr(d.adbin, d.adrelid), '\\s+', ' ', 'g'), '')"
            + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'p', 'f') AND" + USER_SCHEMA
            + notInExtension("c.oid")
            + " UNION ALL SELECT 'index', n.nspname || '.' || c.relname, pg_get_indexdef(c.oid)"
            + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE" + USER_SCHEMA + notInExtension("i.indrelid")
            + " UNION ALL SELECT 'constraint', n.nspname || '.' || r.relname || '.' || co.conname,"
            + " regexp_replace(pg_get_constraintdef(co.oid), '\\s+', ' ', 'g')"
            + " FROM pg_constraint co JOIN pg_class r ON r.oid = co.conrelid JOIN pg_namespace n ON n.oid = co.connamespace"
            + " WHERE" + USER_SCHEMA + notInExtension("r.oid")
            + " UNION ALL SELECT 'function', n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid)"
            + " || ')', coalesce(pg_get_function_result(p.oid), 'procedure') || ', body md5 ' || md5(coalesce(p.prosrc, ''))"
            + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE" + USER_SCHEMA + notInExtension("p.oid")
            + " UNION ALL SELECT 'type', n.nspname || '.' || t.typname, CASE t.typtype WHEN 'e' THEN 'enum ('"
            + " || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e"
            + " WHERE e.enumtypid = t.oid) || ')' WHEN 'd' THEN 'domain over ' || format_type(t.typbasetype, t.typtypmod)"
            + " WHEN 'c' THEN 'composite' WHEN 'r' THEN 'range' ELSE 'type ' || t.typtype::text END"
            + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype IN ('c', 'd', 'e', 'r')"
            + " AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') AND" + USER_SCHEMA
            + notInExtension("t.oid")
            + " ORDER BY 1, 2";

    /** Row counts: exact for small tables (by their real size, not the statistics a clone may lack), else the estimate. */
    static final String ROWS_SQL = "SELECT n.nspname || '.' || c.relname, CASE WHEN pg_relation_size(c.oid) <= "
            + EXACT_COUNT_BYTES + " THEN (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I',"
            + " n.nspname, c.relname), false, true, '')))[1]::text ELSE CASE WHEN c.reltuples < 0 THEN '' ELSE"
            + " c.reltuples::bigint::text END END, CASE WHEN pg_relation_size(c.oid) <= " + EXACT_COUNT_BYTES
            + " THEN '1' ELSE '0' END FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'm') AND" + USER_SCHEMA + " ORDER BY 1";

    static final String SETTINGS_SQL = "SELECT name, setting || coalesce(' ' || unit, '') FROM pg_settings"
            + " WHERE source NOT IN ('default', 'override', 'client', 'session') ORDER BY 1";

    static final String EXTENSIONS_SQL = "SELECT extname, extversion FROM pg_extension ORDER BY 1";

    /** Reads a running clone; {@code ignoredSettings} are the clone's own (port, socket, safety settings). */
    public static State read(Psql psql, Set<String> ignoredSettings) throws SshException, InterruptedException {
        Map<String, DatabaseState> dbs = new TreeMap<>();
        for (String db : Validation.databases(psql)) {
            Map<String, String> objects = new TreeMap<>();
            for (List<String> r : psql.rows(db, OBJECTS_SQL)) {
                objects.put(r.get(0) + " " + r.get(1), r.get(2));
            }
            Map<String, Long[]> rows = new TreeMap<>();
            for (List<String> r : psql.rows(db, ROWS_SQL)) {
                rows.put(r.get(0), new Long[] {r.get(1).isEmpty() ? null : Long.parseLong(r.get(1)), "1".equals(r.get(2)) ? 1L : 0L});
            }
            Map<String, String> ext = new TreeMap<>();
            for (List<String> r : psql.rows(db, EXTENSIONS_SQL)) {
                ext.put(r.get(0), r.get(1));
            }
            dbs.put(db, new DatabaseState(objects, rows, ext));
        }
        Map<String, String> settings = new TreeMap<>();
        for (List<String> r : psql.rows("postgres", SETTINGS_SQL)) {
            if (!ignoredSettings.contains(r.get(0))) {
                settings.put(r.get(0), r.get(1));
            }
        }
        return new State(dbs, settings);
    }

    /** The report from what the two clones hold. */
    public static ChangeReport compare(String good, String bad, State before, State after) {
        List<DatabaseChanges> dbs = new ArrayList<>();
        List<String> added = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        Set<String> all = new TreeSet<>(before.databases().keySet());
        all.addAll(after.databases().keySet());
        for (String db : all) {
            DatabaseState b = before.databases().get(db);
            DatabaseState a = after.databases().get(db);
            if (b == null) {
                added.add(db);
                continue;
            }
            if (a == null) {
                dropped.add(db);
                continue;
            }
            List<Change> schema = diff(b.objects(), a.objects(), true);
            List<RowCount> counts = new ArrayList<>();
            Set<String> tables = new TreeSet<>(b.rows().keySet());
            tables.addAll(a.rows().keySet());
            for (String t : tables) {
                Long[] x = b.rows().get(t);
                Long[] y = a.rows().get(t);
                RowCount rc = new RowCount(t, x == null ? null : x[0], y == null ? null : y[0],
                        (x == null || x[1] == 1L) && (y == null || y[1] == 1L));
                if (rc.delta() != 0 || rc.before() == null != (rc.after() == null)) {
                    counts.add(rc);
                }
            }
            counts.sort(Comparator.comparingLong((RowCount r) -> Math.abs(r.delta())).reversed()
                    .thenComparing(RowCount::table));
            List<RowCount> top = List.copyOf(counts.subList(0, Math.min(TOP_TABLES, counts.size())));
            dbs.add(new DatabaseChanges(db, schema, top, diff(prefixed("extension", b.extensions()),
                    prefixed("extension", a.extensions()), true)));
        }
        return new ChangeReport(good, bad, dbs, added, dropped,
                diff(prefixed("setting", before.settings()), prefixed("setting", after.settings()), true));
    }

    private static Map<String, String> prefixed(String type, Map<String, String> m) {
        Map<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(type + " " + k, v));
        return out;
    }

    /** Keys are "type name"; values definitions. */
    static List<Change> diff(Map<String, String> before, Map<String, String> after, boolean sorted) {
        List<Change> out = new ArrayList<>();
        Set<String> keys = sorted ? new TreeSet<>(before.keySet()) : new java.util.LinkedHashSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String k : keys) {
            String type = k.substring(0, k.indexOf(' '));
            String name = k.substring(k.indexOf(' ') + 1);
            String b = before.get(k);
            String a = after.get(k);
            if (b == null) {
                out.add(new Change(Kind.ADDED, type, name, null, a));
            } else if (a == null) {
                out.add(new Change(Kind.DROPPED, type, name, b, null));
            } else if (!a.equals(b)) {
                out.add(new Change(Kind.ALTERED, type, name, b, a));
            }
        }
        return out;
    }

    public boolean empty() {
        return databasesAdded.isEmpty() && databasesDropped.isEmpty() && settings.isEmpty()
                && databases.stream().allMatch(DatabaseChanges::empty);
    }

    /** The report as Markdown: headings, tables, code for names. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("## What changed from ").append(code(good)).append(" (last good) to ").append(code(bad))
                .append(" (first bad)\n\n");
        if (empty()) {
            b.append("Nothing in the schema, the row counts, the settings or the extensions differs.\n");
            return b.toString();
        }
        for (String d : databasesAdded) {
            b.append("- database ").append(code(d)).append(" **added**\n");
        }
        for (String d : databasesDropped) {
            b.append("- database ").append(code(d)).append(" **dropped**\n");
        }
        if (!databasesAdded.isEmpty() || !databasesDropped.isEmpty()) {
            b.append('\n');
        }
        List<String[]> schema = new ArrayList<>();
        List<String[]> rows = new ArrayList<>();
        List<String[]> ext = new ArrayList<>();
        for (DatabaseChanges d : databases) {
            for (Change c : d.schema()) {
                schema.add(new String[] {d.database(), c.change().name().toLowerCase(), c.type(), code(c.name()),
                        cell(c.before()), cell(c.after())});
            }
            for (RowCount r : d.rowCounts()) {
                rows.add(new String[] {d.database(), code(r.table()), num(r.before()), num(r.after()),
                        (r.delta() > 0 ? "+" : "") + String.format("%,d", r.delta()), r.exact() ? "exact" : "estimate"});
            }
            for (Change c : d.extensions()) {
                ext.add(new String[] {d.database(), c.change().name().toLowerCase(), code(c.name()), cell(c.before()),
                        cell(c.after())});
            }
        }
        section(b, "Schema", List.of("database", "change", "object", "name", "before", "after"), schema);
        section(b, "Row counts (the " + TOP_TABLES + " biggest changes per database; tables up to "
                + EXACT_COUNT_BYTES / (1024 * 1024) + " MiB counted exactly, bigger ones estimated from pg_class.reltuples)",
                List.of("database", "table", "before", "after", "change", "counted"), rows);
        List<String[]> set = new ArrayList<>();
        for (Change c : settings) {
            set.add(new String[] {c.change().name().toLowerCase(), code(c.name()), cell(c.before()), cell(c.after())});
        }
        section(b, "Settings (not at their default)", List.of("change", "setting", "before", "after"), set);
        section(b, "Extensions", List.of("database", "change", "extension", "before", "after"), ext);
        return b.toString();
    }

    private static void section(StringBuilder b, String title, List<String> header, List<String[]> rows) {
        b.append("### ").append(title).append("\n\n");
        if (rows.isEmpty()) {
            b.append("No difference.\n\n");
            return;
        }
        b.append("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> b.append(" --- |"));
        b.append('\n');
        for (String[] r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        b.append('\n');
    }

    private static String code(String s) {
        return "`" + s.replace("`", "'") + "`";
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    private static String num(Long n) {
        return n == null ? "-" : String.format("%,d", n);
    }

    /** For JSON readers that want the sections keyed. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaChanges", databases.stream().mapToInt(d -> d.schema().size()).sum());
        m.put("tablesWithOtherCounts", databases.stream().mapToInt(d -> d.rowCounts().size()).sum());
        m.put("settings", settings.size());
        return m;
    }
}
