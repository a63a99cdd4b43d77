package dev.twinshift.upgrade;

import dev.twinshift.upgrade.PgUpgradeCheckReport.Finding;
import dev.twinshift.upgrade.PgUpgradeCheckReport.Severity;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a preflight asks the old cluster, database by database, to find what would stop pg_upgrade
 * before a clone is even made: pg_upgrade stops at the first problem, these name them all at once.
 *
 * <p>Each {@code *_SQL} is run in every database of {@link #DATABASES_SQL} (psql {@code -A -t}, one row
 * per line, fields split); the rows, keyed by database, go to the matching method, which returns a
 * {@link Finding} — {@code OK} when there is nothing to fix. The queries only read the catalogs and
 * work on PostgreSQL 9.6 to 15.
 */
public final class BlockerQueries {
    private BlockerQueries() {}

    /** Databases pg_upgrade will visit (those refusing connections are a finding of pg_upgrade itself). */
    public static final String DATABASES_SQL =
            "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn ORDER BY datname";

    /**
     * Columns whose type is, or contains (domain, array, composite, range), a reg* type whose values
     * are OIDs pg_upgrade does not preserve; the same walk as pg_upgrade's own check. Rows: schema,
     * table, column, declared type. regclass, regrole and regtype are preserved and not listed.
     */
    public static final String REG_TYPE_COLUMNS_SQL = """
            WITH RECURSIVE oids AS (
              SELECT t.oid FROM pg_catalog.pg_type t
               WHERE t.typnamespace = 'pg_catalog'::regnamespace
                 AND t.typname IN ('regproc', 'regprocedure', 'regoper', 'regoperator',
                                   'regconfig', 'regdictionary', 'regnamespace', 'regcollation')
              UNION ALL
              SELECT * FROM (
                WITH x AS (SELECT oid FROM oids)
                SELECT t.oid FROM pg_catalog.pg_type t, x WHERE t.typbasetype = x.oid AND t.typtype = 'd'
                UNION ALL
                SELECT t.oid FROM pg_catalog.pg_type t, x WHERE t.typelem = x.oid AND t.typtype = 'b'
                UNION ALL
                SELECT t.oid FROM pg_catalog.pg_type t, pg_catalog.pg_class c, pg_catalog.pg_attribute a, x
                 WHERE t.typtype = 'c' AND t.oid = c.reltype AND c.oid = a.attrelid
                   AND NOT a.attisdropped AND a.atttypid = x.oid
                UNION ALL
                SELECT t.oid FROM pg_catalog.pg_type t, pg_catalog.pg_range r, x
                 WHERE t.typtype = 'r' AND r.rngtypid = t.oid AND r.rngsubtype = x.oid
              ) foo
            )
            SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
             WHERE NOT a.attisdropped
               AND a.atttypid IN (SELECT oid FROM oids)
               AND c.relkind IN ('r', 'm', 'i')
               AND n.nspname !~ '^pg_temp_' AND n.nspname !~ '^pg_toast_temp_'
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
             ORDER BY 1, 2, 3""";

    /** User-defined postfix operators (gone in 14). Rows: schema, operator, left operand type. */
    public static final String POSTFIX_OPERATORS_SQL = """
            SELECT n.nspname, o.oprname, pg_catalog.format_type(o.oprleft, NULL)
              FROM pg_catalog.pg_operator o
              JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
             WHERE o.oprright = 0 AND o.oid >= 16384
             ORDER BY 1, 2, 3""";

    /** Installed extensions. Rows: name, version. */
    public static final String EXTENSIONS_SQL =
            "SELECT extname, extversion FROM pg_catalog.pg_extension ORDER BY extname";

    /**
     * Shared libraries that user C functions load (pg_upgrade loads each one in the new server).
     * Rows: library as written ("$libdir/postgis-3"), number of functions using it.
     */
    public static final String C_LIBRARIES_SQL = """
            SELECT p.probin, count(*)
              FROM pg_catalog.pg_proc p
              JOIN pg_catalog.pg_language l ON l.oid = p.prolang
             WHERE l.lanname = 'c' AND p.probin IS NOT NULL AND p.oid >= 16384
             GROUP BY p.probin
             ORDER BY 1""";

    /**
     * Prepared (two-phase) transactions, which pg_upgrade refuses. Cluster-wide: run once (in any
     * database) and always against the LIVE cluster, read-only: a clone rolls its copies back when it
     * starts, so a preflight on a clone would not see them. Rows: gid, owner, database, prepared at.
     */
    public static final String PREPARED_TRANSACTIONS_SQL =
            "SELECT gid, owner, database, prepared FROM pg_catalog.pg_prepared_xacts ORDER BY prepared, gid";

    /** pg_upgrade's own title for the same check, so that its finding and this one are shown as one. */
    public static final String PREPARED_CHECK = "Checking for prepared transactions";
    public static final String REG_TYPES_CHECK = "Checking for reg* data types in user tables";
    public static final String POSTFIX_CHECK = "Checking for user-defined postfix operators";
    public static final String EXTENSIONS_CHECK = "Checking for extensions missing in the new version";
    public static final String LIBRARIES_CHECK = "Checking for presence of required libraries";

    public static Finding regTypeColumns(Map<String, List<List<String>>> rowsByDatabase) {
        List<String> items = new ArrayList<>();
        rowsByDatabase.forEach((db, rows) -> {
            for (List<String> r : rows) {
                items.add(db + ": " + r.get(0) + "." + r.get(1) + "." + r.get(2) + " (" + r.get(3) + ")");
            }
        });
        if (items.isEmpty()) {
            return ok(REG_TYPES_CHECK);
        }
        return new Finding(REG_TYPES_CHECK, Severity.FATAL,
                "The old cluster has " + count(items.size(), "column") + " of reg* types, whose values are "
                        + "internal object ids that pg_upgrade does not keep: " + String.join("; ", items) + ".",
                "Change each column to text (ALTER TABLE t ALTER c TYPE text) or drop it before the "
                        + "upgrade; change it back afterwards if needed.",
                null);
    }

    public static Finding postfixOperators(Map<String, List<List<String>>> rowsByDatabase) {
        List<String> items = new ArrayList<>();
        rowsByDatabase.forEach((db, rows) -> {
            for (List<String> r : rows) {
                items.add(db + ": " + r.get(0) + "." + r.get(1) + " (" + r.get(2) + ", NONE)");
            }
        });
        if (items.isEmpty()) {
            return ok(POSTFIX_CHECK);
        }
        return new Finding(POSTFIX_CHECK, Severity.FATAL,
                "The old cluster has " + count(items.size(), "user-defined postfix operator")
                        + ", which PostgreSQL 14 and later "
                        + "no longer support: " + String.join("; ", items) + ".",
                "Drop each operator (DROP OPERATOR schema.op (type, NONE)) and replace its uses with a prefix "
                        + "operator or a function call.",
                null);
    }

    /** @param rows the rows of {@link #PREPARED_TRANSACTIONS_SQL}, run against the live cluster */
    public static Finding preparedTransactions(List<List<String>> rows) {
        if (rows.isEmpty()) {
            return ok(PREPARED_CHECK);
        }
        List<String> items = new ArrayList<>();
        for (List<String> r : rows) {
            items.add("'" + r.get(0) + "' (owner " + r.get(1) + ", database " + r.get(2) + ", prepared at " + r.get(3) + ")");
        }
        return new Finding(PREPARED_CHECK, Severity.FATAL,
                "The live cluster holds " + count(rows.size(), "prepared transaction") + " (two-phase, neither"
                        + " committed nor rolled back), which pg_upgrade refuses to carry over: "
                        + String.join("; ", items) + ".",
                "Have the application (or its transaction manager) finish each one, or do it yourself in its database:"
                        + " COMMIT PREPARED 'gid' or ROLLBACK PREPARED 'gid'; list: SELECT gid, owner, database, prepared"
                        + " FROM pg_prepared_xacts. (Clones roll their copies back by themselves; live keeps them.)",
                null);
    }

    /**
     * @param availableInNew extension names the new version can create (its {@code *.control} files,
     *                       see {@link #namesFromListing})
     */
    public static Finding missingExtensions(Map<String, List<List<String>>> rowsByDatabase, Set<String> availableInNew) {
        List<String> items = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        rowsByDatabase.forEach((db, rows) -> {
            for (List<String> r : rows) {
                if (!availableInNew.contains(r.get(0))) {
                    items.add(db + ": " + r.get(0) + " " + r.get(1));
                    names.add(r.get(0));
                }
            }
        });
        if (items.isEmpty()) {
            return ok(EXTENSIONS_CHECK);
        }
        return new Finding(EXTENSIONS_CHECK, Severity.FATAL,
                "The old cluster has " + count(items.size(), "installed extension") + " that the new version "
                        + "does not provide, so their objects could not be restored: " + String.join("; ", items) + ".",
                "Install the package of " + String.join(", ", names) + " for the new major version (on Debian "
                        + "postgresql-<new>-<extension>), or DROP EXTENSION in the old cluster if unused.",
                null);
    }

    /**
     * @param librariesInNew file names without ".so" in the new version's library directory
     *                       ({@code pg_config --pkglibdir}, see {@link #namesFromListing})
     */
    public static Finding missingLibraries(Map<String, List<List<String>>> rowsByDatabase, Set<String> librariesInNew) {
        List<String> items = new ArrayList<>();
        rowsByDatabase.forEach((db, rows) -> {
            for (List<String> r : rows) {
                String lib = r.get(0);
                if (!libraryPresent(lib, librariesInNew)) {
                    items.add(db + ": " + lib + " (" + r.get(1) + " function" + ("1".equals(r.get(1)) ? "" : "s") + ")");
                }
            }
        });
        if (items.isEmpty()) {
            return ok(LIBRARIES_CHECK);
        }
        return new Finding(LIBRARIES_CHECK, Severity.FATAL,
                "C functions of the old cluster load " + count(items.size(), "shared library")
                        + " that the new version does not have: " + String.join("; ", items) + ".",
                "Install the extension's package for the new major version, or drop the functions (or the "
                        + "extension) that use the library in the old cluster.",
                null);
    }

    /**
     * A library reference of {@code pg_proc.probin}: {@code $libdir/name} is looked up among the new
     * version's libraries; an absolute path cannot be judged from a listing and counts as present
     * (pg_upgrade's own check will load it).
     */
    static boolean libraryPresent(String probin, Set<String> librariesInNew) {
        String name = probin;
        if (name.startsWith("$libdir/")) {
            name = name.substring("$libdir/".length());
        } else if (name.contains("/")) {
            return true;
        }
        if (name.endsWith(".so")) {
            name = name.substring(0, name.length() - 3);
        }
        return librariesInNew.contains(name);
    }

    /**
     * Base names of the files of a listing ({@code ls DIR} or {@code find DIR -name '*.control'}) that
     * end in {@code suffix}, without it: "pg_trgm.control" gives "pg_trgm".
     */
    public static Set<String> namesFromListing(String listing, String suffix) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : listing.split("\r?\n")) {
            String t = line.strip();
            if (t.endsWith(suffix)) {
                String base = t.substring(t.lastIndexOf('/') + 1);
                out.add(base.substring(0, base.length() - suffix.length()));
            }
        }
        return out;
    }

    private static Finding ok(String check) {
        return new Finding(check, Severity.OK, null, null, null);
    }

    private static String count(int n, String noun) {
        String plural = noun.endsWith("y") ? noun.substring(0, noun.length() - 1) + "ies" : noun + "s";
        return n + " " + (n == 1 ? noun : plural);
    }
}
