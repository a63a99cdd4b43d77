package dev.twinshift.upgrade;

import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the blue/green upgrade needs of blue and of the pooler in front of it, read-only: every finding
 * says what to do. A fatal one refuses the upgrade before anything is made; the snapshot cutover stays
 * available for clusters this path does not suit.
 */
public final class BlueGreenPreflight {
    public enum Severity { OK, WARNING, FATAL }

    public record Finding(Severity severity, String check, String text, String fix) {
    }

    public record Result(List<Finding> findings, List<String> databases) {
        public boolean passed() {
            return findings.stream().noneMatch(f -> f.severity() == Severity.FATAL);
        }

        public List<String> blockers() {
            return findings.stream().filter(f -> f.severity() == Severity.FATAL)
                    .map(f -> f.text() + (f.fix() == null ? "" : " (" + f.fix() + ")")).toList();
        }
    }

    /** Tables logical replication cannot update or delete in: no primary key and no replica identity. */
    static final String NO_IDENTITY_SQL = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                   coalesce(s.n_tup_upd + s.n_tup_del, 0)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
             WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p'
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
               AND (c.relreplident = 'n' OR (c.relreplident = 'd'
                    AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)))
             ORDER BY 1""";

    private BlueGreenPreflight() {
    }

    public static Result run(RemoteShell shell, Psql blue, UpgradePlan plan, BlueGreen.Pooler pooler)
            throws SshException, InterruptedException {
        List<Finding> out = new ArrayList<>();
        List<String> dbs = Validation.databases(blue);
        String walLevel = blue.value("postgres", "SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            out.add(new Finding(Severity.FATAL, "wal_level", "wal_level is " + walLevel + " on " + plan.oldId()
                    + "; logical replication needs logical", "ALTER SYSTEM SET wal_level = logical, then one restart of "
                    + plan.oldId() + " in a quiet hour; or use the snapshot cutover"));
        } else {
            out.add(new Finding(Severity.OK, "wal_level", "wal_level is logical", null));
        }
        int slotsNeeded = dbs.size() + 1;
        int slotsFree = Integer.parseInt(blue.value("postgres", "SELECT current_setting('max_replication_slots')::int"
                + " - (SELECT count(*) FROM pg_replication_slots)"));
        out.add(slotsFree >= slotsNeeded ? new Finding(Severity.OK, "slots", slotsFree + " replication slot(s) free", null)
                : new Finding(Severity.FATAL, "slots", "max_replication_slots leaves " + slotsFree + " free; " + slotsNeeded
                + " are needed (one per database and one for the twin)", "raise max_replication_slots (restart)"));
        int sendersFree = Integer.parseInt(blue.value("postgres", "SELECT current_setting('max_wal_senders')::int"
                + " - (SELECT count(*) FROM pg_stat_replication)"));
        out.add(sendersFree >= slotsNeeded ? new Finding(Severity.OK, "senders", sendersFree + " WAL sender(s) free", null)
                : new Finding(Severity.FATAL, "senders", "max_wal_senders leaves " + sendersFree + " free; " + slotsNeeded
                + " are needed", "raise max_wal_senders (restart)"));
        int workers = Integer.parseInt(blue.value("postgres", "SELECT current_setting('max_logical_replication_workers')"));
        if (workers < dbs.size()) {
            out.add(new Finding(Severity.FATAL, "workers", "max_logical_replication_workers is " + workers + "; green"
                    + " needs one per database (" + dbs.size() + ") and takes blue's setting",
                    "raise max_logical_replication_workers and max_worker_processes on " + plan.oldId()));
        }
        for (String db : dbs) {
            for (List<String> r : blue.rows(db, NO_IDENTITY_SQL)) {
                long changes = Long.parseLong(r.get(1));
                String t = db + "." + r.get(0);
                if (changes > 0) {
                    out.add(new Finding(Severity.FATAL, "identity", t + " has no primary key or replica identity and"
                            + " has had " + changes + " UPDATE/DELETE row(s): while the publication exists such statements"
                            + " fail on blue", "ALTER TABLE " + r.get(0) + " ADD PRIMARY KEY (...), or REPLICA IDENTITY FULL"
                            + " (every UPDATE then sends the whole old row and green searches by it)"));
                } else {
                    out.add(new Finding(Severity.WARNING, "identity", t + " has no primary key or replica identity; it"
                            + " has only had INSERTs: an UPDATE or DELETE on it would fail on blue until the upgrade ends",
                            "ALTER TABLE " + r.get(0) + " REPLICA IDENTITY FULL, or a primary key"));
                }
            }
            String unlogged = blue.value(db, "SELECT string_agg(oid::regclass::text, ', ') FROM pg_class WHERE"
                    + " relpersistence = 'u' AND relkind = 'r'");
            if (!unlogged.isBlank()) {
                out.add(new Finding(Severity.WARNING, "unlogged", db + ": unlogged tables are not replicated; green has"
                        + " them as they were in the snapshot: " + unlogged, null));
            }
            String matviews = blue.value(db, "SELECT string_agg(oid::regclass::text, ', ') FROM pg_class WHERE relkind = 'm'");
            if (!matviews.isBlank()) {
                out.add(new Finding(Severity.WARNING, "matviews", db + ": materialized views are not replicated; refresh"
                        + " them on green before the switchover: " + matviews, null));
            }
            String lobs = blue.value(db, "SELECT count(*) FROM pg_largeobject_metadata");
            if (!"0".equals(lobs)) {
                out.add(new Finding(Severity.FATAL, "large objects", db + " has " + lobs + " large object(s); logical"
                        + " replication does not carry them", "use the snapshot cutover"));
            }
        }
        poolerFindings(shell, plan, pooler, out);
        return new Result(List.copyOf(out), dbs);
    }

    private static void poolerFindings(RemoteShell shell, UpgradePlan plan, BlueGreen.Pooler pooler, List<Finding> out)
            throws SshException, InterruptedException {
        if (pooler == null) {
            out.add(new Finding(Severity.FATAL, "pooler", "no PgBouncer given: the blue/green switchover pauses clients"
                    + " there", "give the pooler's admin port and configuration file, or use the snapshot cutover"));
            return;
        }
        CommandResult r = shell.run(RemoteCommand.of("psql", "-X", "-A", "-t", "-h", pooler.socketDirectory(), "-p",
                Integer.toString(pooler.port()), "-U", pooler.adminUser(), "-d", "pgbouncer", "-c", "SHOW DATABASES")
                .asUser(plan.owner()));
        if (!r.ok()) {
            out.add(new Finding(Severity.FATAL, "pooler", "PgBouncer's admin console on port " + pooler.port() + " does not"
                    + " answer as " + pooler.adminUser() + ": " + r.stderr().strip(), "check that PgBouncer runs and that "
                    + pooler.adminUser() + " is in admin_users"));
            return;
        }
        List<String> names = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.split("\\|", -1);
            if (f.length > 2 && !"pgbouncer".equals(f[0]) && f[2].equals(Integer.toString(plan.oldPort()))) {
                names.add(f[0]);
            }
        }
        if (names.isEmpty()) {
            out.add(new Finding(Severity.FATAL, "pooler", "no PgBouncer database points at port " + plan.oldPort(),
                    "add the databases of " + plan.oldId() + " to [databases] with port=" + plan.oldPort()));
            return;
        }
        CommandResult ini = shell.run(RemoteCommand.of("grep", "-c", "port[[:space:]]*=[[:space:]]*" + plan.oldPort(), "--",
                pooler.iniFile()).asRoot());
        if (!ini.ok()) {
            out.add(new Finding(Severity.FATAL, "pooler", pooler.iniFile() + " does not name port " + plan.oldPort()
                    + " (or cannot be read)", "give the configuration file PgBouncer runs with; its [databases]"
                    + " entries must say port=" + plan.oldPort()));
            return;
        }
        out.add(new Finding(Severity.OK, "pooler", "PgBouncer pauses " + String.join(", ", names) + " at the switchover", null));
    }
}
