package dev.twinshift.upgrade;

import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.SshException;
import java.util.ArrayList;
import java.util.List;

/**
 * How green follows blue (or blue follows green after a switchover) right now, and the guardrails a
 * switchover waits for: one rule, read by the command line, the wizard and the switchover itself.
 */
public record BlueGreenStatus(BlueGreen.State state, List<Database> databases, List<Guardrail> guardrails) {
    /** Lag beyond this refuses a switchover: the pause would last while it is applied. */
    public static final long LAG_LIMIT_BYTES = 16L * 1024 * 1024;
    /** A write transaction older than this would hold PgBouncer's PAUSE past the deadline. */
    public static final int LONG_TRANSACTION_SECONDS = 5;

    public record Database(String name, long lagBytes, boolean following, String lastMessageAt) {
    }

    public record Guardrail(String name, boolean green, String detail) {
    }

    public List<String> red() {
        return guardrails.stream().filter(g -> !g.green()).map(g -> g.name() + ": " + g.detail()).toList();
    }

    public long maxLagBytes() {
        return databases.stream().mapToLong(Database::lagBytes).max().orElse(0);
    }

    static BlueGreenStatus read(BlueGreen bg, BlueGreen.State s) throws SshException, InterruptedException {
        List<Database> dbs = new ArrayList<>();
        List<Guardrail> rails = new ArrayList<>();
        if (!s.prepared() || s.finished()) {
            return new BlueGreenStatus(s, dbs, rails);
        }
        if (s.unsettledSwitch() != null) {
            // Which side serves is what that switch decided: nothing else can be judged before it is read.
            rails.add(new Guardrail("switch", false, "a switch's outcome is not journaled yet (its console went away);"
                    + " the next switchover, rollback, finish or abandon reads it from " + s.unsettledSwitch() + " first"));
            return new BlueGreenStatus(s, dbs, rails);
        }
        boolean greenServes = "green".equals(s.serving());
        Psql publisher = greenServes ? bg.green(s.plan()) : bg.blue(s.plan());
        Psql subscriber = greenServes ? bg.blue(s.plan()) : bg.green(s.plan());
        String sub = greenServes ? s.names().subscriptionOnBlue() : s.names().subscriptionOnGreen();
        String serverName = greenServes ? s.plan().newId() : s.plan().oldId();
        List<String> stopped = new ArrayList<>();
        List<String> ddl = new ArrayList<>();
        for (String db : s.databases()) {
            List<List<String>> w = subscriber.rows(db, "SELECT s.subenabled, st.pid IS NOT NULL, coalesce(st.last_msg_receipt_time::text, '')"
                    + " FROM pg_subscription s LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL"
                    + " WHERE s.subname = " + BlueGreen.sqlLiteral(sub)
                    + " AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())");
            boolean following = !w.isEmpty() && "t".equals(w.get(0).get(0)) && "t".equals(w.get(0).get(1));
            String lag = publisher.value(db, "SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)), -1)::bigint"
                    + " FROM pg_replication_slots WHERE slot_name LIKE " + BlueGreen.sqlLiteral("tsbg\\_" + s.names().tag() + "\\_%")
                    + " AND database = current_database()");
            long lagBytes = Long.parseLong(lag.strip());
            dbs.add(new Database(db, lagBytes, following, w.isEmpty() ? "" : w.get(0).get(2)));
            if (!following) {
                stopped.add(db);
            }
            String changes = publisher.value(db, "SELECT coalesce(string_agg(command || ' ' || coalesce(object, ''), '; ' ORDER BY at), '')"
                    + " FROM twinshift.bluegreen_ddl");
            if (!changes.isBlank()) {
                ddl.add(db + ": " + changes);
            }
        }
        rails.add(new Guardrail("replication", stopped.isEmpty(), stopped.isEmpty() ? "applying in every database"
                : "not applying in " + String.join(", ", stopped) + " (subscription " + sub + " disabled or its worker is"
                + " down: see the log of " + (greenServes ? s.plan().oldId() : s.plan().newId()) + ")"));
        long maxLag = dbs.stream().mapToLong(Database::lagBytes).max().orElse(0);
        rails.add(new Guardrail("lag", maxLag >= 0 && maxLag <= LAG_LIMIT_BYTES, maxLag < 0 ? "a slot of this upgrade is missing"
                : human(maxLag) + " behind" + (maxLag > LAG_LIMIT_BYTES ? " (limit " + human(LAG_LIMIT_BYTES) + "): wait"
                + " until it catches up" : "")));
        rails.add(new Guardrail("ddl", ddl.isEmpty(), ddl.isEmpty() ? "no DDL on " + serverName + " since green was made"
                : "DDL on " + serverName + " is not replicated: " + String.join(" | ", ddl) + ". Repeat it on the other"
                + " side, then clear twinshift.bluegreen_ddl on " + serverName));
        // A slot of this upgrade that nobody reads keeps WAL on its cluster until the disk is full.
        List<String> idle = new ArrayList<>();
        for (Psql side : List.of(publisher, subscriber)) {
            String slots = side.value("postgres", "SELECT coalesce(string_agg(slot_name || ' retains ' || pg_size_pretty("
                    + "pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)), ', '), '') FROM pg_replication_slots WHERE"
                    + " NOT active AND slot_name LIKE " + BlueGreen.sqlLiteral("tsbg\\_" + s.names().tag() + "\\_%")
                    + " AND pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) > " + LAG_LIMIT_BYTES);
            if (!slots.isBlank()) {
                idle.add(slots);
            }
        }
        rails.add(new Guardrail("slots", idle.isEmpty(), idle.isEmpty() ? "every slot of this upgrade is read"
                : "not read by anyone, keeping WAL: " + String.join("; ", idle) + " (a subscription stopped: see the"
                + " replication guardrail; abandon removes them)"));
        String longTx = publisher.value("postgres", "SELECT coalesce(string_agg(pid || ' (' || usename || '@' || datname || ', '"
                + " || extract(epoch FROM now() - xact_start)::int || ' s)', ', '), '') FROM pg_stat_activity WHERE backend_xid"
                + " IS NOT NULL AND xact_start < now() - interval '" + LONG_TRANSACTION_SECONDS + " seconds'"
                + " AND backend_type = 'client backend'");
        rails.add(new Guardrail("long transactions", longTx.isBlank(), longTx.isBlank() ? "no write transaction older than "
                + LONG_TRANSACTION_SECONDS + " s" : "write transactions hold PgBouncer's pause: " + longTx));
        return new BlueGreenStatus(s, dbs, rails);
    }

    static String human(long bytes) {
        return UpgradePlanner.human(bytes);
    }
}
