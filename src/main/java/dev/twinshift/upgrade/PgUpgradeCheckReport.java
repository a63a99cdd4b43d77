package dev.twinshift.upgrade;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@code pg_upgrade --check} prints on stdout and turns each "Checking ..." line into a
 * {@link Finding} a DBA can act on.
 *
 * <p>pg_upgrade pads each title to a fixed width and appends {@code ok}, {@code warning} or
 * {@code fatal}; a fatal check is followed by a blank line, pg_upgrade's own explanation, often the
 * path of a file listing the problem objects, and {@code Failure, exiting}. Some checks fail without
 * printing a status word (the title line is left open and the message follows on the next line), and
 * some failures belong to no title at all (control data compared right after "Checking cluster
 * versions", locale and encoding compared per database). pg_upgrade stops at the first fatal problem,
 * so a report holds at most one blocker; fixing it and checking again reveals the next.
 */
public final class PgUpgradeCheckReport {

    public enum Severity { OK, WARNING, FATAL }

    /**
     * One check. {@code check} is pg_upgrade's title ("Checking for reg* data types in user tables"),
     * or a short name of the problem for a failure printed outside any title. {@code detailFile} is
     * the path pg_upgrade names for the list of problem objects, or null.
     */
    public record Finding(String check, Severity severity, String explanation, String fix, String detailFile) {
        public Finding {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(severity, "severity");
        }
    }

    // Other status lines (e.g. "Finding the real data directory for the source cluster") are padded
    // the same way; requiring two spaces keeps a sentence ending in "ok" from passing for one.
    private static final Pattern TITLE_WITH_STATUS =
            Pattern.compile("^(Checking .*?|[A-Z][^ ].*?(?=\\s{2}))\\s+(ok|warning|fatal)\\s*$");
    private static final Pattern TITLE_OPEN = Pattern.compile("^(Checking .*?)\\s*$");
    private static final Pattern DETAIL_PATH = Pattern.compile("^\\s+(/\\S.*?)\\s*$");
    private static final Pattern CONSULT_LOG = Pattern.compile("Consult the last few lines of \"([^\"]+)\"");
    private static final Pattern SERVER_LOG_ERROR =
            Pattern.compile("^.*?\\b(FATAL|PANIC|ERROR):\\s+(.*)$");
    private static final String COMPATIBLE = "*Clusters are compatible*";
    private static final String FAILURE = "Failure, exiting";

    private final List<Finding> findings;
    private final boolean compatibleSeen;

    private PgUpgradeCheckReport(List<Finding> findings, boolean compatibleSeen) {
        this.findings = List.copyOf(findings);
        this.compatibleSeen = compatibleSeen;
    }

    public List<Finding> findings() {
        return findings;
    }

    /** pg_upgrade said the clusters are compatible and nothing fatal was reported. */
    public boolean compatible() {
        return compatibleSeen && blockers().isEmpty();
    }

    /** The findings that stop the upgrade. */
    public List<Finding> blockers() {
        return findings.stream().filter(f -> f.severity() == Severity.FATAL).toList();
    }

    public static PgUpgradeCheckReport parse(String output) {
        List<Finding> out = new ArrayList<>();
        boolean compatible = false;
        String title = null;          // title whose message lines are being gathered
        Severity severity = null;
        List<String> message = new ArrayList<>();
        for (String raw : (output == null ? "" : output).split("\r?\n", -1)) {
            String line = raw.stripTrailing();
            String trimmed = line.strip();
            if (trimmed.equals(COMPATIBLE)) {
                flush(out, title, severity, message);
                title = null;
                compatible = true;
                continue;
            }
            if (trimmed.equals(FAILURE)) {
                flush(out, title, severity == null ? Severity.FATAL : severity, message);
                title = null;
                severity = null;
                continue;
            }
            Matcher withStatus = TITLE_WITH_STATUS.matcher(line);
            if (withStatus.matches()) {
                flush(out, title, severity, message);
                title = withStatus.group(1);
                severity = switch (withStatus.group(2)) {
                    case "ok" -> Severity.OK;
                    case "warning" -> Severity.WARNING;
                    default -> Severity.FATAL;
                };
                continue;
            }
            Matcher open = TITLE_OPEN.matcher(line);
            if (open.matches() && raw.startsWith("Checking ")) {
                // An open title is fatal only if a message follows before the next title.
                flush(out, title, severity, message);
                title = open.group(1);
                severity = null;
                continue;
            }
            if (trimmed.isEmpty() || trimmed.startsWith("Performing Consistency Checks")
                    || trimmed.matches("-{5,}")) {
                continue;
            }
            if (title == null && severity == null && message.isEmpty()
                    && !looksLikeProblem(trimmed)) {
                continue;
            }
            if (title != null && severity == Severity.OK) {
                // Text after an "ok" title but before the next one is a problem outside any check
                // (e.g. control data compared right after "Checking cluster versions").
                flush(out, title, severity, message);
                title = null;
                severity = null;
            }
            message.add(line);
        }
        flush(out, title, severity, message);
        return new PgUpgradeCheckReport(out, compatible);
    }

    private static boolean looksLikeProblem(String line) {
        return !line.startsWith("Performing ") && !line.startsWith("Upgrade Complete");
    }

    private static void flush(List<Finding> out, String title, Severity severity, List<String> message) {
        if (title == null && message.isEmpty()) {
            return;
        }
        if (severity == null && message.isEmpty()) {
            return; // a title left open at the end of the output: the check never finished
        }
        if (severity == null) {
            severity = Severity.FATAL;
        }
        String detail = null;
        List<String> text = new ArrayList<>();
        for (String m : message) {
            Matcher p = DETAIL_PATH.matcher(m);
            if (p.matches()) {
                detail = p.group(1);
            } else {
                text.add(m.strip());
            }
        }
        String ownText = String.join(" ", text).replaceAll("\\s+", " ").strip();
        if (detail == null) {
            Matcher log = CONSULT_LOG.matcher(ownText);
            if (log.find()) {
                detail = log.group(1);
            }
        }
        Finding f = describe(title, severity, ownText, detail);
        out.add(f);
        message.clear();
    }

    private static Finding describe(String title, Severity severity, String ownText, String detail) {
        if (severity == Severity.OK) {
            return new Finding(title, severity, null, null, null);
        }
        for (Known k : KNOWN) {
            Matcher m = null;
            if (k.message != null) {
                m = k.message.matcher(ownText);
                if (!m.find()) {
                    continue;
                }
            }
            if (k.title != null && (title == null || !title.startsWith(k.title))) {
                continue;
            }
            String check = title != null ? title : k.name;
            String explanation = k.explanation.apply(m);
            if (explanation == null) {
                explanation = ownText;
            }
            return new Finding(check, severity, explanation, k.fix, detail);
        }
        String check = title != null ? title : "pg_upgrade";
        String explanation = ownText.isEmpty() ? "pg_upgrade stopped at this check without saying why." : ownText;
        String fix = severity == Severity.WARNING
                ? "Read pg_upgrade's note above; the upgrade can go ahead, but follow it up afterwards."
                : "Resolve what pg_upgrade describes on the old cluster"
                        + (detail != null ? " (the objects concerned are listed in " + detail + ")" : "")
                        + ", then run the check again.";
        return new Finding(check, severity, explanation, fix, detail);
    }

    /**
     * A known problem: recognised by the start of its title, by its message, or both. The explanation
     * is computed from the message match (null title/message pattern means "any").
     */
    private record Known(String name, String title, Pattern message, Function<Matcher, String> explanation, String fix) {
    }

    private static Known byTitle(String title, String explanation, String fix) {
        return new Known(title, title, null, m -> explanation, fix);
    }

    private static Known byMessage(String name, String regex, Function<Matcher, String> explanation, String fix) {
        return new Known(name, null, Pattern.compile(regex), explanation, fix);
    }

    private static final List<Known> KNOWN = List.of(
            // Messages first: they are more precise than the title they may appear under.
            byMessage("Install user", "database user \"([^\"]+)\" is not the install user",
                    m -> "pg_upgrade connected as \"" + m.group(1) + "\", but it must run as the user that "
                            + "created the old cluster (its bootstrap superuser, OID 10).",
                    "Run pg_upgrade with -U set to the cluster's install user (usually postgres)."),
            byMessage("Install user", "Only the install user can be defined in the new cluster",
                    m -> "The new cluster already contains roles other than its install user.",
                    "Re-create the new cluster with initdb (or pg_dropcluster/pg_createcluster) and do not "
                            + "create any role in it before upgrading."),
            byMessage("Prepared transactions", "The (source|target) cluster contains prepared transactions",
                    m -> "The " + ("source".equals(m.group(1)) ? "old" : "new") + " cluster holds prepared "
                            + "(two-phase) transactions that were never committed or rolled back; "
                            + "pg_upgrade cannot carry them over.",
                    "List them with SELECT gid, database, owner, prepared FROM pg_prepared_xacts; and finish "
                            + "each with COMMIT PREPARED 'gid' or ROLLBACK PREPARED 'gid' (in its database)."),
            byMessage("Encoding", "encodings for database \"([^\"]+)\" do not match: +old \"([^\"]*)\", new \"([^\"]*)\"",
                    m -> "Database \"" + m.group(1) + "\" uses encoding " + m.group(2) + " in the old cluster but "
                            + m.group(3) + " in the new one; the new cluster was initialised with another encoding.",
                    "Re-create the new cluster with the old cluster's encoding and locale (pg_createcluster "
                            + "--encoding=... --locale=..., or initdb -E ... --locale=...), then check again."),
            byMessage("Locale", "(lc_collate|lc_ctype) values for database \"([^\"]+)\" do not match: +old \"([^\"]*)\", new \"([^\"]*)\"",
                    m -> "Database \"" + m.group(2) + "\" has " + m.group(1) + " " + m.group(3)
                            + " in the old cluster but " + m.group(4) + " in the new one; text would sort "
                            + "differently and indexes on text would be wrong.",
                    "Re-create the new cluster with the old cluster's locale (pg_createcluster --locale=..., or "
                            + "initdb --lc-collate=... --lc-ctype=...), then check again."),
            byMessage("Locale", "(locale providers|ICU locale values) for database \"([^\"]+)\" do not match: +old \"([^\"]*)\", new \"([^\"]*)\"",
                    m -> "Database \"" + m.group(2) + "\" has " + m.group(1) + " " + m.group(3)
                            + " in the old cluster but " + m.group(4) + " in the new one.",
                    "Re-create the new cluster with the old cluster's locale provider and locale, then check again."),
            byMessage("Data checksums", "old cluster (does not use|uses) data checksums but the new one (does not|does)",
                    m -> "uses".equals(m.group(1))
                            ? "The old cluster has data checksums enabled but the new cluster was created without them."
                            : "The new cluster was created with data checksums but the old cluster has none; "
                                    + "pg_upgrade copies data files as they are, so both must agree.",
                    "Re-create the new cluster with the same checksum setting as the old one (initdb with or "
                            + "without --data-checksums; on Debian pg_createcluster ... -- --data-checksums), or "
                            + "change the old cluster first with pg_checksums --enable/--disable while it is stopped."),
            byMessage("Data checksums", "checksum versions do not match",
                    m -> "The old and new clusters use different data checksum versions.",
                    "Re-create the new cluster with the old cluster's checksum setting, then check again."),
            byMessage("Control data", "old and new pg_controldata (.*?) (are invalid or )?do not match",
                    m -> "The old and new servers were built with different " + m.group(1)
                            + "; their data files are not interchangeable.",
                    "Use a build of the new version made with the same compile-time options as the old one "
                            + "(the distribution's packages normally agree)."),
            byMessage("Server running", "There seems to be a postmaster servicing the (old|new) cluster",
                    m -> "The " + m.group(1) + " cluster is running; pg_upgrade needs it stopped.",
                    "Stop the cluster (pg_ctlcluster VERSION NAME stop) and run the check again."),
            byMessage("Server start", "could not connect to (source|target) postmaster started with the command",
                    m -> "pg_upgrade could not start the " + ("source".equals(m.group(1)) ? "old" : "new")
                            + " server; its log says why.",
                    "Read the last lines of the server log (the detail file): usually a setting the server "
                            + "rejects or a library in shared_preload_libraries that is not installed. Fix it, "
                            + "then check again."),
            byMessage("Live check ports", "When checking a live server, the old and new port numbers must be different",
                    m -> "The old cluster is running, and pg_upgrade was told to start the new one on the same port.",
                    "Give the new cluster a free port with -P (the old cluster's stays -p), or stop the old cluster "
                            + "and check it offline."),
            byMessage("New cluster not empty", "New cluster database \"([^\"]+)\" is not empty",
                    m -> "The new cluster's database \"" + m.group(1) + "\" already contains user objects.",
                    "Re-create the new cluster empty (pg_dropcluster and pg_createcluster, or a fresh initdb)."),

            byTitle("Checking database connection settings",
                    "Some databases other than template0 refuse connections (pg_database.datallowconn is false), "
                            + "or template0 accepts them; pg_upgrade must connect to every database but template0.",
                    "For each database in the list run ALTER DATABASE name ALLOW_CONNECTIONS true (or drop it); "
                            + "template0 must keep refusing connections."),
            byTitle("Checking for system-defined composite types in user tables",
                    "Some user tables have columns whose type is the row type of a system catalog or view; "
                            + "those type OIDs change between major versions.",
                    "Drop the listed columns (or change them to another type) in the old cluster, then check again."),
            byTitle("Checking for reg* data types in user tables",
                    "Some user tables have columns of type regproc, regprocedure, regoper, regoperator, "
                            + "regconfig, regdictionary, regnamespace or regcollation: they store internal object "
                            + "ids that pg_upgrade does not keep, so the values would point to the wrong objects.",
                    "Change each listed column to text (ALTER TABLE t ALTER c TYPE text) or drop it; change it back "
                            + "after the upgrade if needed. regclass, regrole and regtype columns are fine."),
            byTitle("Checking for contrib/isn with bigint-passing mismatch",
                    "The contrib isn extension is installed, and the old and new servers pass bigint values "
                            + "differently, so its functions would break.",
                    "Dump the data that uses isn types, drop the isn extension, upgrade, then re-create it and "
                            + "reload the data."),
            byTitle("Checking for user-defined encoding conversions",
                    "The old cluster has user-defined encoding conversions; the parameters of conversion "
                            + "functions changed in PostgreSQL 14.",
                    "Drop the listed conversions (DROP CONVERSION name) and re-create them after the upgrade with "
                            + "functions written for the new signature."),
            byTitle("Checking for user-defined postfix operators",
                    "The old cluster has user-defined postfix (right-unary) operators, which PostgreSQL 14 "
                            + "and later no longer support.",
                    "Drop the listed operators (DROP OPERATOR name (type, NONE)) and replace their uses with a "
                            + "prefix operator or a function call."),
            byTitle("Checking for incompatible polymorphic functions",
                    "User-defined aggregates or operators refer to built-in functions taking anyarray/anyelement "
                            + "(such as array_append), which PostgreSQL 14 changed to anycompatiblearray/"
                            + "anycompatible; they could not be restored.",
                    "Drop the listed objects before the upgrade and re-create them afterwards against the new "
                            + "signatures (e.g. STYPE = anycompatiblearray, argument anycompatible)."),
            byTitle("Checking for not-null constraint inconsistencies",
                    "Some inherited columns allow NULL although the parent column is NOT NULL; the new version "
                            + "would fail to restore the schema.",
                    "Run ALTER TABLE child ALTER COLUMN col SET NOT NULL on each listed column, then check again."),
            byTitle("Checking for tables WITH OIDS",
                    "Some tables are declared WITH OIDS, which PostgreSQL 12 and later no longer support.",
                    "Run ALTER TABLE name SET WITHOUT OIDS on each listed table."),
            byTitle("Checking for invalid \"sql_identifier\" user columns",
                    "Some user columns use information_schema.sql_identifier, whose storage format changed in "
                            + "PostgreSQL 12.",
                    "Change the listed columns to name or text (ALTER TABLE t ALTER c TYPE text), or drop them."),
            byTitle("Checking for invalid \"unknown\" user columns",
                    "Some user columns have the pseudo-type unknown, which PostgreSQL 10 and later do not allow in tables.",
                    "Change the listed columns to text (ALTER TABLE t ALTER c TYPE text), or drop them."),
            byTitle("Checking for removed ",
                    "Some user columns use a data type that the new version removed.",
                    "Change the listed columns to a supported type (e.g. timestamptz for abstime), or drop them."),
            byTitle("Checking for incompatible \"jsonb\" data type",
                    "Some user columns use jsonb in the beta 9.4 storage format.",
                    "Dump and reload the listed tables, or change the columns to json and back, then check again."),
            byTitle("Checking for incompatible \"line\" data type",
                    "Some user columns use the line type, whose input/output format changed in 9.4.",
                    "Drop the listed columns, or change them to another type."),
            byTitle("Checking for roles starting with \"pg_\"",
                    "Some roles have names starting with pg_, which are reserved for the system.",
                    "Rename the roles (ALTER ROLE pg_x RENAME TO x) in the old cluster."),
            byTitle("Checking for presence of required libraries",
                    "Functions in the old cluster reference shared libraries (usually those of an extension) "
                            + "that the new version cannot load: the extension is not installed for the new "
                            + "major version, or was built for the old one.",
                    "Install the extension's package for the new major version (on Debian "
                            + "postgresql-<new>-<extension>), or drop the extension or functions from the old "
                            + "cluster; the libraries and databases concerned are in the listed file."),
            byTitle("Checking for new cluster tablespace directories",
                    "The tablespace directories the new version would create already exist.",
                    "Remove the leftover version subdirectories inside each tablespace (from an earlier attempt), "
                            + "then check again."),
            byTitle("Checking for hash indexes",
                    "Hash indexes have a different on-disk format in the new version and must be rebuilt.",
                    "After the upgrade run the reindex_hash.sql script pg_upgrade writes (REINDEX each hash index)."));

    /**
     * The errors of a {@code pg_upgrade_server.log} (the file named when a server would not start),
     * without timestamps: what to show next to a "Server start" blocker.
     */
    public static List<String> serverLogErrors(String serverLog) {
        List<String> out = new ArrayList<>();
        for (String line : serverLog.split("\r?\n")) {
            Matcher m = SERVER_LOG_ERROR.matcher(line);
            if (m.matches()) {
                out.add(m.group(1) + ": " + m.group(2).strip());
            }
        }
        return out;
    }

    /** Reads a detail file such as {@code loadable_libraries.txt}: each problem line, without the per-database headings. */
    public static List<String> detailItems(String detailFileText) {
        List<String> items = new ArrayList<>();
        for (String line : detailFileText.split("\r?\n")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("In database:")) {
                items.add(t);
            }
        }
        return items;
    }
}
