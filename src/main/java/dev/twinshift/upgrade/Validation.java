package dev.twinshift.upgrade;

import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.SshException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Compares an old and a new cluster holding the same data: tables, the administrator's checks, a workload. */
public final class Validation {

    /** One table on both sides: its row count and an order-independent checksum of its rows. */
    public record TableComparison(String table, String before, String after) {
        public boolean equal() {
            return before != null && before.equals(after);
        }
    }

    /** An SQL check the administrator supplies, run on both sides. */
    public record SqlCheck(String name, String database, String sql) {
        /**
         * A check written as "DATABASE: SQL" (the wizard's lines, the command line's options), named by
         * its SQL; empty when it is not of that form (no database, a database with a space, no SQL).
         */
        public static java.util.Optional<SqlCheck> parse(String spec) {
            String l = spec.strip();
            int colon = l.indexOf(':');
            String db = colon < 0 ? "" : l.substring(0, colon).strip();
            String sql = colon < 0 ? "" : l.substring(colon + 1).strip();
            if (db.isEmpty() || sql.isEmpty() || db.contains(" ")) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new SqlCheck(sql.length() > 48 ? sql.substring(0, 45) + "..." : sql, db, sql));
        }
    }

    /** A check's (or a workload query's) result on both sides, with timing and plan. */
    public record SideBySide(String name, String database, String sql, String before, String after, long beforeMillis,
                             long afterMillis, String planBefore, String planAfter, String error) {
        public boolean sameResult() {
            return error == null && before != null && before.equals(after);
        }

        public boolean planChanged() {
            return planBefore != null && !planBefore.equals(planAfter);
        }
    }

    private Validation() {}

    /** Databases a client can connect to, templates left out. */
    public static List<String> databases(Psql psql) throws SshException, InterruptedException {
        List<String> dbs = new ArrayList<>();
        for (List<String> r : psql.rows("postgres", "SELECT datname FROM pg_database WHERE datallowconn"
                + " AND NOT datistemplate ORDER BY 1")) {
            dbs.add(r.get(0));
        }
        return dbs;
    }

    /**
     * Row count and checksum of every user table of every database: {@code db.schema.table -> count:sum}.
     * The checksum sums a hash of each row's text, so it needs no sort and no memory in the size of
     * the table (a 100 GB table is read once, sequentially).
     */
    public static Map<String, String> tableChecksums(Psql psql) throws SshException, InterruptedException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String db : databases(psql)) {
            for (List<String> t : psql.rows(db, "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm')"
                    + " AND c.relpersistence <> 't' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    + " AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1")) {
                String table = t.get(0);
                String v = psql.exec(db, "SELECT count(*) || ':' || coalesce(sum(('x' || substr(md5(x::text), 1, 15))"
                        + "::bit(60)::bigint::numeric), 0) FROM " + table + " x", Duration.ofHours(12)).stdout().strip();
                out.put(db + "." + table, v);
            }
        }
        return out;
    }

    public static List<TableComparison> compare(Map<String, String> before, Map<String, String> after) {
        TreeSet<String> all = new TreeSet<>(before.keySet());
        all.addAll(after.keySet());
        List<TableComparison> out = new ArrayList<>();
        for (String t : all) {
            out.add(new TableComparison(t, before.get(t), after.get(t)));
        }
        return out;
    }

    /** Runs the query on both sides {@code runs} times: its result, the median time and the plan on each. */
    public static SideBySide sideBySide(String name, String db, String sql, Psql before, Psql after, int runs)
            throws InterruptedException {
        try {
            Run b = run(before, db, sql, runs);
            Run a = run(after, db, sql, runs);
            return new SideBySide(name, db, sql, b.result, a.result, b.millis, a.millis, plan(before, db, sql),
                    plan(after, db, sql), null);
        } catch (SshException e) {
            return new SideBySide(name, db, sql, null, null, -1, -1, null, null, e.getMessage());
        }
    }

    private record Run(String result, long millis) {}

    private static Run run(Psql psql, String db, String sql, int runs) throws SshException, InterruptedException {
        List<Long> times = new ArrayList<>();
        String result = null;
        for (int i = 0; i < Math.max(1, runs); i++) {
            CommandResult r = psql.script(db, "\\timing on\n" + sql.strip() + (sql.strip().endsWith(";") ? "" : ";") + "\n",
                    Duration.ofMinutes(30));
            String out = r.stdout();
            // psql prints "Time: 1.234 ms" after the result; the result is what precedes it.
            int t = out.lastIndexOf("Time: ");
            String res = t < 0 ? out : out.substring(0, t);
            if (t >= 0) {
                String ms = out.substring(t + 6).strip().split(" ")[0];
                times.add(Math.round(Double.parseDouble(ms)));
            }
            result = res.strip();
        }
        times.sort(Long::compare);
        return new Run(result, times.isEmpty() ? -1 : times.get(times.size() / 2));
    }

    /** The plan's shape without costs, for a query that can be explained (a SELECT); null otherwise. */
    private static String plan(Psql psql, String db, String sql) throws InterruptedException {
        String s = sql.strip();
        if (!s.regionMatches(true, 0, "select", 0, 6) && !s.regionMatches(true, 0, "with", 0, 4)) {
            return null;
        }
        try {
            return psql.exec(db, "EXPLAIN (COSTS OFF) " + s, Duration.ofMinutes(5)).stdout().strip();
        } catch (SshException e) {
            return null;
        }
    }

    /** Databases and the number of user tables in each: what must be there after the upgrade. */
    static String inventory(Psql psql) throws SshException, InterruptedException {
        Map<String, String> inv = new TreeMap<>();
        for (List<String> row : psql.rows("postgres", "SELECT datname FROM pg_database WHERE datallowconn ORDER BY 1")) {
            String db = row.get(0);
            inv.put(db, psql.value(db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    + " AND n.nspname NOT LIKE 'pg_toast%'"));
        }
        StringBuilder b = new StringBuilder();
        inv.forEach((db, n) -> b.append(b.length() == 0 ? "" : ", ").append(db).append(": ").append(n).append(" tables"));
        return b.toString();
    }
}
