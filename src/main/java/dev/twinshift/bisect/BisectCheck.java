package dev.twinshift.bisect;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * What a probe runs against the clone of a snapshot. Each kind maps its own outcome to a {@link Verdict}
 * in {@link Verdicts}; a check that cannot run at all is an ERROR, never a BAD.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({@JsonSubTypes.Type(value = BisectCheck.SqlTrue.class, name = "sql"),
        @JsonSubTypes.Type(value = BisectCheck.SameRows.class, name = "same-rows"),
        @JsonSubTypes.Type(value = BisectCheck.UpgradeCheck.class, name = "upgrade-check"),
        @JsonSubTypes.Type(value = BisectCheck.Rehearsal.class, name = "rehearsal"),
        @JsonSubTypes.Type(value = BisectCheck.Command.class, name = "command")})
public sealed interface BisectCheck {

    /** One line for logs, the journal and the result. */
    String describe();

    /** A query that must return one row with one boolean: true is GOOD, false BAD. */
    record SqlTrue(String database, String sql) implements BisectCheck {
        public SqlTrue {
            database = database == null || database.isBlank() ? "postgres" : database;
            requireSql(sql);
        }

        @Override
        public String describe() {
            return "SQL in " + database + " must return true: " + sql;
        }
    }

    /** A query whose rows must equal those it returns on the reference snapshot (computed once). */
    record SameRows(String database, String sql, String reference) implements BisectCheck {
        public SameRows {
            database = database == null || database.isBlank() ? "postgres" : database;
            requireSql(sql);
            if (reference == null || reference.isBlank()) {
                throw new IllegalArgumentException("--same-rows needs --reference SNAPSHOT: the snapshot whose rows are right");
            }
        }

        @Override
        public String describe() {
            return "SQL in " + database + " must return the same rows as on " + reference + ": " + sql;
        }
    }

    /** {@code pg_upgrade --check} to the target major, on a twin of the snapshot's clone. */
    record UpgradeCheck(String targetVersion) implements BisectCheck {
        public UpgradeCheck {
            requireVersion(targetVersion);
        }

        @Override
        public String describe() {
            return "pg_upgrade --check to " + targetVersion;
        }
    }

    /** The whole upgrade rehearsal to the target major: it must pass. */
    record Rehearsal(String targetVersion) implements BisectCheck {
        public Rehearsal {
            requireVersion(targetVersion);
        }

        @Override
        public String describe() {
            return "upgrade rehearsal to " + targetVersion;
        }
    }

    /**
     * A command run on the server as the clone's OS owner with PGHOST, PGPORT and PGDATA set to the
     * clone: exit 0 GOOD, 1 to 124 BAD, 125 SKIPPED (as in git bisect run), anything else ERROR.
     */
    record Command(List<String> argv) implements BisectCheck {
        public Command {
            if (argv == null || argv.isEmpty() || argv.get(0).isBlank()) {
                throw new IllegalArgumentException("--command needs the command after --, e.g. --command -- /usr/local/bin/check.sh");
            }
            argv = List.copyOf(argv);
        }

        @Override
        public String describe() {
            return "command " + String.join(" ", argv);
        }
    }

    private static void requireSql(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new IllegalArgumentException("the check's SQL is empty");
        }
    }

    private static void requireVersion(String v) {
        if (v == null || !v.matches("[0-9]{1,3}(\\.[0-9]{1,3})?")) {
            throw new IllegalArgumentException("'" + v + "' is not a PostgreSQL major version (e.g. 15)");
        }
    }
}
