package dev.twinshift.upgrade;

import dev.twinshift.postgres.ClusterControl;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.DetachedJob;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CatalogLock;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.FailPoint;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.LockedException;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.RefusedException;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The blue/green upgrade: a twin of the live cluster (blue), made from an instant snapshot and brought
 * to exactly the position of a logical replication slot, is upgraded with pg_upgrade and kept in step
 * by logical replication (green). The switchover pauses the clients in PgBouncer, lets green apply the
 * last commits, copies the sequences, starts replication back to blue and points the pooler at green;
 * the way back is the same switchover in the other direction and loses no write. Every step is
 * journaled on the server; the switchover itself runs detached there with a deadline.
 */
public final class BlueGreen {
    public static final String KIND = "bluegreen";
    // Preparation steps, in order.
    public static final String MARKERS = "markers";
    public static final String PUBLICATIONS = "publications";
    public static final String WAL_SLOT = "wal-slot";
    public static final String SNAPSHOT = "snapshot";
    public static final String SLOTS = "slots";
    public static final String TWIN = "twin";
    public static final String RECOVER = "recover";
    public static final String GREEN = "green-cluster";
    public static final String PG_UPGRADE = "pg_upgrade";
    public static final String START = "start-green";
    public static final String SUBSCRIBE = "subscribe";
    public static final List<String> PREPARE_STEPS = List.of(MARKERS, PUBLICATIONS, WAL_SLOT, SNAPSHOT, SLOTS, TWIN, RECOVER,
            GREEN, PG_UPGRADE, START, SUBSCRIBE);
    public static final Map<String, String> TITLES = Map.ofEntries(
            Map.entry(MARKERS, "Marker table and DDL watch on blue (schema twinshift)"),
            Map.entry(PUBLICATIONS, "A publication FOR ALL TABLES in each database of blue"),
            Map.entry(WAL_SLOT, "A physical slot that keeps blue's WAL for the twin"),
            Map.entry(SNAPSHOT, "Instant snapshot of blue (blue keeps serving)"),
            Map.entry(SLOTS, "A logical slot per database: the position green starts from"),
            Map.entry(TWIN, "The twin: a writable clone of the snapshot"),
            Map.entry(RECOVER, "The twin streams blue's WAL up to the slots' position and promotes"),
            Map.entry(GREEN, "The new version's cluster, with blue's configuration"),
            Map.entry(PG_UPGRADE, "pg_upgrade of the twin into green"),
            Map.entry(START, "Green starts on its own port"),
            Map.entry(SUBSCRIBE, "Green subscribes to blue from the slots' position (no table copy)"));
    public static final String SWITCHOVER = "switchover";
    public static final String SWITCHBACK = "switchback";
    public static final String FINISH = "finish";
    /** Which cluster clients use: blue or green. */
    public static final String SERVING = "serving";
    /** Journal data: the server directory of the latest switch's detached run. */
    static final String SWITCH_JOB = "switchJob";

    /** PgBouncer's admin console and configuration file on the server. */
    public record Pooler(int port, String socketDirectory, String adminUser, String iniFile) {
    }

    /** How long clients may stay paused, and what is added to each sequence on the side that takes over. */
    public record Options(Duration deadline, long sequenceMargin) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(3), 1000);
        }
    }

    /** What a switchover reported: whether the clients moved, how long they were paused, each step's time. */
    public record SwitchResult(boolean switched, long pauseMillis, Map<String, Long> stepMillis, String reason,
                               String log) {
    }

    private static final String SWITCH_SCRIPT = resource("bluegreen-switch.sh");

    private final RemoteShell shell;
    private final Actor actor;
    private final UpgradeListener listener;
    private final ServerWork work;
    private final ClusterControl control;

    public BlueGreen(RemoteShell shell, Actor actor, UpgradeListener listener) {
        this.shell = shell;
        this.actor = actor;
        this.listener = listener == null ? UpgradeListener.NONE : listener;
        this.work = new ServerWork(shell, this.listener);
        this.control = new ClusterControl(shell);
    }

    // ---- names ------------------------------------------------------------------------------------

    /** The names one blue/green operation uses on both clusters, all plain lower-case identifiers. */
    public record Names(String tag) {
        public Names {
            if (!tag.matches("[a-z0-9]{1,20}")) {
                throw new IllegalArgumentException("bad tag " + tag);
            }
        }

        public String publication() {
            return "tsbg_" + tag;
        }

        /** On green: pulls from blue. */
        public String subscriptionOnGreen() {
            return "tsbg_" + tag + "_from_blue";
        }

        /** On blue, after a switchover: pulls from green. */
        public String subscriptionOnBlue() {
            return "tsbg_" + tag + "_from_green";
        }

        /** Slots on blue, one per database, for green's subscription. */
        public String blueSlotPrefix() {
            return "tsbg_" + tag + "_b";
        }

        public String greenSlotPrefix() {
            return "tsbg_" + tag + "_g";
        }

        public String walSlot() {
            return "tsbg_" + tag + "_twin";
        }

        public String twin() {
            return "bg" + tag + "-twin";
        }
    }

    public static Names namesOf(String operation) {
        return new Names(operation.replaceAll("[^0-9]", "").substring(2, 14).replace("T", ""));
    }

    // ---- the state, as the journal holds it ------------------------------------------------------

    /** A blue/green operation as its journal says: the plan, the pooler, what was made, who serves. */
    public record State(String operation, UpgradePlan plan, Pooler pooler, List<String> databases, String lsn,
                        String serving, UpgradeState journal) {
        public Names names() {
            return namesOf(operation);
        }

        public boolean prepared() {
            return journal.done(SUBSCRIBE);
        }

        public boolean finished() {
            return journal.outcome() != null;
        }

        /** The detached run of a switch whose outcome is not journaled yet, or null. */
        public String unsettledSwitch() {
            String dir = journal.data().get(SWITCH_JOB);
            if (dir == null) {
                return null;
            }
            return UpgradeState.STARTED.equals(journal.steps().get(switchStep(dir))) ? dir : null;
        }

        public String describe() {
            if (UpgradeState.COMPLETED.equals(journal.outcome())) {
                return operation + " finished: " + plan.newId() + " serves; " + plan.oldId() + " is stopped and kept";
            }
            if (UpgradeState.ABANDONED.equals(journal.outcome()) || UpgradeState.ROLLED_BACK.equals(journal.outcome())) {
                return operation + " was abandoned: " + plan.oldId() + " serves as before; what was made for green is removed";
            }
            if (!prepared()) {
                return operation + " is being prepared (" + journal.describe() + "); " + plan.oldId() + " serves. If the"
                        + " console that prepares it is gone, `upgrade bluegreen abandon --cluster " + plan.oldId()
                        + " --yes` removes what it made";
            }
            if (unsettledSwitch() != null) {
                return operation + ": a switch was started and its console went away before journaling where clients"
                        + " are; any command on this upgrade reads it from " + unsettledSwitch() + " first";
            }
            return operation + ": " + ("green".equals(serving) ? plan.newId() + " serves, " + plan.oldId()
                    + " follows it (the way back)" : plan.oldId() + " serves, " + plan.newId() + " follows it");
        }
    }

    public State state(Catalog catalog, String operation) throws SshException, InterruptedException, UpgradeException {
        Journal journal = new Journal(shell, catalog, operation);
        UpgradeState st = UpgradeState.of(operation, journal.read());
        if (st.plan() == null) {
            throw new UpgradeException("no blue/green operation " + operation + " in " + journal.path());
        }
        Map<String, String> d = st.data();
        Pooler pooler = d.containsKey("poolerPort") ? new Pooler(Integer.parseInt(d.get("poolerPort")),
                d.get("poolerSocket"), d.get("poolerUser"), d.get("poolerIni")) : null;
        return new State(operation, st.plan(), pooler, decodeList(d.get("databases")), d.get("lsn"),
                d.getOrDefault(SERVING, "blue"), st);
    }

    /**
     * The blue/green operation of a cluster that is still under way (prepared, switched or not), newest
     * first: what a console or the command line acts on when no operation is named.
     */
    public java.util.Optional<String> current(Catalog catalog, String clusterId) throws SshException, InterruptedException {
        for (UpgradeState st : new Upgrades(shell).journaled(catalog)) {
            if (st.operation().contains("-" + KIND + "-") && st.outcome() == null && st.plan() != null
                    && (st.plan().oldId().equals(clusterId) || st.plan().newId().equals(clusterId))) {
                return java.util.Optional.of(st.operation());
            }
        }
        return java.util.Optional.empty();
    }

    static String encodeList(List<String> items) {
        List<String> enc = new ArrayList<>();
        for (String i : items) {
            enc.add(URLEncoder.encode(i, StandardCharsets.UTF_8));
        }
        return String.join(",", enc);
    }

    static List<String> decodeList(String s) {
        if (s == null || s.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String i : s.split(",")) {
            out.add(URLDecoder.decode(i, StandardCharsets.UTF_8));
        }
        return out;
    }

    // ---- prepare ----------------------------------------------------------------------------------

    /**
     * Makes green beside blue and leaves it following blue. Blue keeps serving throughout; a failing
     * step removes everything made so far (slots first: a slot nobody reads fills blue's disk).
     *
     * @return the operation's name
     */
    public String prepare(UpgradePlan plan, Pooler pooler, BlueGreenPreflight.Result preflight)
            throws UpgradeException, SshException, InterruptedException, LockedException {
        if (!preflight.passed()) {
            throw new CutoverRefusedException("blue/green upgrade of " + plan.oldId() + " refused by its preflight: "
                    + String.join("; ", preflight.blockers()) + ". Nothing was changed.");
        }
        Catalog catalog = UpgradeWorkspace.catalogOf(shell, plan);
        String op = Catalog.STAMP.format(Instant.now()) + "-" + KIND + "-" + plan.oldVersion() + "-" + plan.oldName();
        Journal journal = new Journal(shell, catalog, op);
        try (CatalogLock lock = CatalogLock.acquire(catalog, actor, UpgradeWorkspace.lockName(op), listener::log)) {
            journal.append(UpgradeState.planEntry(actor, "blue/green upgrade planned: " + plan.oldId() + " -> "
                    + plan.newId() + " through PgBouncer on port " + pooler.port(), plan));
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("kind", KIND);
            facts.put("poolerPort", Integer.toString(pooler.port()));
            facts.put("poolerSocket", pooler.socketDirectory());
            facts.put("poolerUser", pooler.adminUser());
            facts.put("poolerIni", pooler.iniFile());
            facts.put("databases", encodeList(preflight.databases()));
            facts.put(SERVING, "blue");
            journal.append(JournalEntry.note(actor, "blue/green: " + preflight.databases().size() + " database(s), pooler "
                    + pooler.iniFile(), facts));
            Prep p = new Prep(catalog, journal, op);
            try {
                for (String step : PREPARE_STEPS) {
                    lock.requireHeld();
                    p.state = state(catalog, op);
                    runPrepareStep(p, step);
                }
            } catch (UpgradeException | SshException | RuntimeException | RefusedException | LockedException e) {
                listener.log("blue/green preparation failed: " + e.getMessage() + "; removing what it made");
                try {
                    removeGreen(catalog, state(catalog, op), "preparation failed: " + e.getMessage());
                } catch (UpgradeException | SshException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                if (e instanceof UpgradeException ue) {
                    throw ue;
                }
                throw new UpgradeException("the blue/green preparation failed: " + e.getMessage() + "; " + plan.oldId()
                        + " kept serving and what was made for green is removed", e);
            }
            journal.append(JournalEntry.note(actor, plan.newId() + " follows " + plan.oldId() + " from " + p.state.lsn(),
                    Map.of()));
        }
        return op;
    }

    private final class Prep {
        final Catalog catalog;
        final Journal journal;
        final String op;
        State state;

        Prep(Catalog catalog, Journal journal, String op) {
            this.catalog = catalog;
            this.journal = journal;
            this.op = op;
        }
    }

    private void runPrepareStep(Prep p, String step)
            throws UpgradeException, SshException, InterruptedException, RefusedException, LockedException {
        new JournaledSteps(KIND, actor, p.journal, listener).run(step, TITLES.get(step), () -> {
            Map<String, String> out = new LinkedHashMap<>();
            String message = switch (step) {
                case MARKERS -> markers(p.state);
                case PUBLICATIONS -> publications(p.state);
                case WAL_SLOT -> walSlot(p, out);
                case SNAPSHOT -> snapshot(p, out);
                case SLOTS -> slots(p, out);
                case TWIN -> twin(p, out);
                case RECOVER -> recover(p);
                case GREEN -> greenCluster(p, out);
                case PG_UPGRADE -> pgUpgrade(p);
                case START -> startGreen(p);
                case SUBSCRIBE -> subscribe(p.state);
                default -> throw new IllegalStateException(step);
            };
            return new JournaledSteps.Done(message, out);
        });
    }

    Psql blue(UpgradePlan plan) throws SshException, InterruptedException {
        return Psql.forCluster(shell, new ClusterDiscovery(shell).listed(plan.oldId()).orElseThrow(
                () -> new IllegalStateException("no cluster " + plan.oldId())));
    }

    Psql green(UpgradePlan plan) throws SshException, InterruptedException {
        return Psql.forCluster(shell, new ClusterDiscovery(shell).listed(plan.newId()).orElseThrow(
                () -> new IllegalStateException("no cluster " + plan.newId())));
    }

    /** The marker a switchover waits for, and a record of DDL (which logical replication does not carry). */
    static final String MARKERS_SQL = """
            CREATE SCHEMA IF NOT EXISTS twinshift;
            CREATE TABLE IF NOT EXISTS twinshift.bluegreen_marker (id int PRIMARY KEY, n bigint NOT NULL);
            INSERT INTO twinshift.bluegreen_marker VALUES (1, 0) ON CONFLICT DO NOTHING;
            CREATE TABLE IF NOT EXISTS twinshift.bluegreen_ddl (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
              at timestamptz NOT NULL DEFAULT clock_timestamp(), command text, object text);
            CREATE OR REPLACE FUNCTION twinshift.bluegreen_ddl_log() RETURNS event_trigger LANGUAGE plpgsql
            SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
            DECLARE r record;
            BEGIN
              -- The side that follows takes the administrator's catch-up DDL: only the serving side's counts.
              IF EXISTS (SELECT 1 FROM pg_subscription WHERE subenabled AND subname LIKE 'tsbg\\_%'
                         AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) THEN
                RETURN;
              END IF;
              IF tg_event = 'sql_drop' THEN
                FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
                  IF r.schema_name IS DISTINCT FROM 'twinshift' AND r.original
                     AND r.object_type NOT IN ('publication', 'subscription', 'publication relation') THEN
                    INSERT INTO twinshift.bluegreen_ddl (command, object) VALUES ('DROP ' || r.object_type, r.object_identity);
                  END IF;
                END LOOP;
              ELSE
                FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
                  IF r.command_tag NOT LIKE '%PUBLICATION' AND r.command_tag NOT LIKE '%SUBSCRIPTION'
                     AND r.schema_name IS DISTINCT FROM 'twinshift' THEN
                    INSERT INTO twinshift.bluegreen_ddl (command, object) VALUES (r.command_tag, r.object_identity);
                  END IF;
                END LOOP;
              END IF;
            EXCEPTION WHEN OTHERS THEN
              -- The application's DDL must never fail because of the watch; the warning reaches its log.
              RAISE WARNING 'twinshift: DDL not recorded for the blue/green switchover guard: %', SQLERRM;
            END $f$;
            DROP EVENT TRIGGER IF EXISTS twinshift_bluegreen_ddl;
            DROP EVENT TRIGGER IF EXISTS twinshift_bluegreen_drop;
            CREATE EVENT TRIGGER twinshift_bluegreen_ddl ON ddl_command_end EXECUTE FUNCTION twinshift.bluegreen_ddl_log();
            CREATE EVENT TRIGGER twinshift_bluegreen_drop ON sql_drop EXECUTE FUNCTION twinshift.bluegreen_ddl_log();
            """;

    static final String DROP_MARKERS_SQL = """
            DROP EVENT TRIGGER IF EXISTS twinshift_bluegreen_ddl;
            DROP EVENT TRIGGER IF EXISTS twinshift_bluegreen_drop;
            DROP TABLE IF EXISTS twinshift.bluegreen_marker, twinshift.bluegreen_ddl;
            DROP FUNCTION IF EXISTS twinshift.bluegreen_ddl_log();
            """;

    private String markers(State s) throws SshException, InterruptedException {
        Psql blue = blue(s.plan());
        for (String db : s.databases()) {
            blue.script(db, "\\set ON_ERROR_STOP on\n" + MARKERS_SQL, Duration.ofMinutes(2));
        }
        return "twinshift.bluegreen_marker and a DDL event trigger in " + s.databases().size() + " database(s)";
    }

    private String publications(State s) throws SshException, InterruptedException {
        Psql blue = blue(s.plan());
        String pub = s.names().publication();
        for (String db : s.databases()) {
            // Its own statement: a slot cannot be made later in a transaction that has written.
            if ("0".equals(blue.value(db, "SELECT count(*) FROM pg_publication WHERE pubname = '" + pub + "'"))) {
                blue.exec(db, "CREATE PUBLICATION " + pub + " FOR ALL TABLES", Duration.ofMinutes(2));
            }
        }
        return "publication " + pub + " in each database";
    }

    private String walSlot(Prep p, Map<String, String> out) throws SshException, InterruptedException {
        String slot = p.state.names().walSlot();
        Psql blue = blue(p.state.plan());
        if ("0".equals(blue.value("postgres", "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))) {
            blue.exec("postgres", "SELECT pg_create_physical_replication_slot('" + slot + "', true)", Duration.ofMinutes(1));
        }
        out.put("walSlot", slot);
        return "physical slot " + slot + " keeps blue's WAL from now on";
    }

    private String snapshot(Prep p, Map<String, String> out)
            throws SshException, InterruptedException, RefusedException, LockedException {
        // Taken after the physical slot and before the logical ones: recovery of a crash-consistent
        // snapshot is consistent only at the end of the WAL it holds, so the slots must lie past it.
        PgCluster live = new ClusterDiscovery(shell).find(p.state.plan().oldId());
        SnapshotRecord snap = new SnapshotService(shell, actor, listener::log).create(live, Reason.REHEARSAL, "bluegreen");
        out.put("snapshot", snap.id());
        return "snapshot " + snap.id() + " at WAL " + snap.walLsn();
    }

    private String slots(Prep p, Map<String, String> out) throws SshException, InterruptedException, UpgradeException {
        Psql blue = blue(p.state.plan());
        String last = null;
        List<String> dbs = p.state.databases();
        for (int i = 0; i < dbs.size(); i++) {
            String slot = p.state.names().blueSlotPrefix() + i;
            String lsn = blue.value(dbs.get(i), "SELECT lsn FROM pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            last = lsn;
        }
        // The twin stops before the first record at or past this position: make sure one exists even
        // when blue is idle.
        blue.value("postgres", "SELECT pg_logical_emit_message(false, 'twinshift', 'bluegreen')");
        if (last == null) {
            throw new UpgradeException("no database to replicate");
        }
        out.put("lsn", last);
        return dbs.size() + " logical slot(s); green starts at " + last;
    }

    private String twin(Prep p, Map<String, String> out) throws SshException, InterruptedException, RefusedException,
            LockedException, UpgradeException {
        CloneService clones = new CloneService(shell, actor, listener::log);
        CloneRecord twin = clones.create(p.catalog, p.state.journal().data().get("snapshot"), p.state.names().twin());
        if (!twin.method().copyOnWrite()) {
            throw new UpgradeException("the twin of " + p.state.plan().oldId() + " is a full copy (" + twin.method()
                    + "): the blue/green upgrade needs copy-on-write storage (btrfs, XFS with reflink)");
        }
        out.put("twin", twin.name());
        return "twin " + twin.name() + " in " + twin.dataDirectory();
    }

    /** The twin as a standby of blue that stops right before the slots' position and promotes. */
    private String recover(Prep p) throws SshException, InterruptedException, UpgradeException, LockedException {
        State s = p.state;
        CloneService clones = new CloneService(shell, actor, listener::log);
        // A free port and the clone's configuration, without starting it: it starts as a standby here.
        CloneRecord twin = clones.configure(p.catalog, s.names().twin());
        CloneServer server = new CloneServer(shell);
        CloneServer.Spec spec = clones.spec(p.catalog, twin);
        String data = spec.dataDirectory();
        shell.run(RemoteCommand.of("sh", "-c", "rm -rf -- \"$1\"/pg_replslot/* && touch \"$1/standby.signal\"", "sh", data)
                .asUser(spec.owner())).requireSuccess();
        PgCluster live = new ClusterDiscovery(shell).listed(s.plan().oldId()).orElseThrow();
        Map<String, String> settings = new LinkedHashMap<>(CloneServer.commandLineSettings(spec));
        settings.put("primary_conninfo", "host=" + live.socketDirectory() + " port=" + live.port() + " user="
                + s.plan().installUser() + " application_name=" + s.names().twin());
        settings.put("primary_slot_name", s.names().walSlot());
        settings.put("recovery_target_lsn", s.lsn());
        // Not inclusive: a commit record that starts exactly at the slot's position is sent by the slot,
        // and replaying it here too would apply it twice.
        settings.put("recovery_target_inclusive", "off");
        settings.put("recovery_target_action", "promote");
        // Not a hot standby: that would need max_wal_senders and the like at blue's values; nobody
        // reads the twin before it promotes.
        settings.put("hot_standby", "off");
        CommandResult started = shell.run(RemoteCommand.of(spec.binDir() + "/pg_ctl", "start", "-D", data, "-w", "-t", "600",
                "-l", spec.logFile(), "-o", CloneServer.pgCtlOptions(settings)).asUser(spec.owner()), Duration.ofMinutes(11));
        if (!started.ok()) {
            throw new UpgradeException("the twin did not start as a standby of blue: " + started.stderr().strip()
                    + "; last lines of its log:\n" + tail(spec.logFile()));
        }
        Psql twinSql = server.psql(spec);
        Instant until = Instant.now().plus(Duration.ofMinutes(10));
        while (!promoted(twinSql)) {
            if (Instant.now().isAfter(until)) {
                throw new UpgradeException("the twin did not reach " + s.lsn() + " within 10 minutes; last lines of its log:\n"
                        + tail(spec.logFile()));
            }
            Thread.sleep(200);
        }
        String log = shell.run(RemoteCommand.of("cat", "--", spec.logFile()).asRoot()).requireSuccess().stdout();
        if (!log.contains("recovery stopping before WAL location (LSN) \"" + s.lsn() + "\"")) {
            throw new UpgradeException("the twin promoted, but its log does not say that recovery stopped right before "
                    + s.lsn() + ": it may hold a different set of transactions than the slots will send. Last lines of its log:\n"
                    + tail(spec.logFile()));
        }
        List<CloneServer.PreparedTransaction> prepared = server.rollBackPreparedTransactions(spec);
        server.stop(spec);
        blue(s.plan()).value("postgres", "SELECT pg_drop_replication_slot('" + s.names().walSlot() + "')");
        return "the twin stopped right before " + s.lsn() + " and promoted" + (prepared.isEmpty() ? ""
                : "; " + prepared.size() + " prepared transaction(s) rolled back in the twin (blue commits them later)");
    }

    /** Whether the twin answers as a primary; it takes no connection at all while it recovers. */
    private static boolean promoted(Psql twin) throws InterruptedException {
        try {
            return "f".equals(twin.value("postgres", "SELECT pg_is_in_recovery()"));
        } catch (SshException e) {
            return false;
        }
    }

    private String tail(String file) throws InterruptedException {
        try {
            return shell.run(RemoteCommand.of("tail", "-n", "15", "--", file).asRoot()).stdout().strip();
        } catch (SshException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private String greenCluster(Prep p, Map<String, String> out) throws SshException, InterruptedException, UpgradeException {
        UpgradePlan plan = p.state.plan();
        if (new ClusterDiscovery(shell).listed(plan.newId()).isPresent()) {
            throw new UpgradeException(plan.newId() + " exists already: choose another name for green");
        }
        work.createDataDirectory(plan.newDataDirectory(), plan.newIsSubvolume(), plan.oldDataDirectory(), plan.owner());
        p.journal.append(JournalEntry.note(actor, "made " + plan.newDataDirectory(),
                Map.of(UpgradeWorkspace.MADE_DATA_DIRECTORY, plan.newDataDirectory())));
        p.journal.append(JournalEntry.note(actor, "made " + plan.newId(), Map.of(UpgradeWorkspace.MADE_CLUSTER, plan.newId())));
        work.createNewCluster(plan, "auto");
        work.carryToNewCluster(plan);
        out.put("greenPort", Integer.toString(plan.newTemporaryPort()));
        return plan.newId() + " on port " + plan.newTemporaryPort();
    }

    private String pgUpgrade(Prep p) throws SshException, InterruptedException, UpgradeException, LockedException {
        State s = p.state;
        CloneService clones = new CloneService(shell, actor, listener::log);
        CloneRecord twin = clones.require(p.catalog, s.names().twin());
        CloneServer.Spec spec = clones.spec(p.catalog, twin);
        String sock = work.socketDirectory(s.plan().owner());
        RemoteCommand cmd = PgUpgradeCommand.of(s.plan(), spec.dataDirectory(), spec.confDir(),
                s.plan().newDataDirectory(), s.plan().newConfigDirectory(), sock, UpgradeMethod.CLONE, false);
        String dir = UpgradeWorkspace.workDir(p.catalog, p.op) + "/pg_upgrade";
        listener.log("$ " + String.join(" ", cmd.argv()));
        DetachedJob.Status end;
        try {
            end = DetachedJob.start(shell, dir, cmd).follow(0, (st, line) -> listener.log(line), Duration.ofMillis(300));
        } finally {
            work.removeSocketDirectory(sock);
        }
        if (!end.succeeded()) {
            throw new UpgradeException("pg_upgrade of the twin exited with " + end.exitCode() + "; its log is " + dir + "/log");
        }
        // Green's files are reflinks of the twin's: the twin is no longer needed.
        clones.destroy(p.catalog, s.names().twin());
        return "pg_upgrade --clone of the twin into " + s.plan().newId();
    }

    private String startGreen(Prep p) throws SshException, InterruptedException {
        PgCluster g = new ClusterDiscovery(shell).listed(p.state.plan().newId()).orElseThrow();
        control.start(g);
        return p.state.plan().newId() + " runs on port " + g.port();
    }

    private String subscribe(State s) throws SshException, InterruptedException {
        Psql green = green(s.plan());
        PgCluster live = new ClusterDiscovery(shell).listed(s.plan().oldId()).orElseThrow();
        String sub = s.names().subscriptionOnGreen();
        List<String> dbs = s.databases();
        for (int i = 0; i < dbs.size(); i++) {
            String db = dbs.get(i);
            String conn = "host=" + live.socketDirectory() + " port=" + live.port() + " dbname=" + conninfoQuote(db)
                    + " user=" + s.plan().installUser() + " application_name=" + sub;
            green.exec(db, "CREATE SUBSCRIPTION " + sub + " CONNECTION " + sqlLiteral(conn) + " PUBLICATION "
                    + s.names().publication() + " WITH (copy_data = false, create_slot = false, enabled = false, slot_name = '"
                    + s.names().blueSlotPrefix() + i + "')", Duration.ofMinutes(2));
            // Green already holds every transaction before the slots' position: start right there.
            green.exec(db, "SELECT pg_replication_origin_advance('pg_' || oid, '" + s.lsn() + "') FROM pg_subscription"
                    + " WHERE subname = '" + sub + "' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
                    Duration.ofMinutes(1));
            green.exec(db, "ALTER SUBSCRIPTION " + sub + " ENABLE", Duration.ofMinutes(1));
        }
        return "green follows blue in " + dbs.size() + " database(s) from " + s.lsn();
    }

    static String sqlLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static String conninfoQuote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * The lock for acting on {@code operation}: taken over from a console proven gone in the middle of
     * this very operation (so that another console can finish or undo it), otherwise waited for as any
     * operation waits for it.
     */
    private CatalogLock lockFor(Catalog catalog, String operation) throws LockedException, SshException, InterruptedException {
        String name = UpgradeWorkspace.lockName(operation);
        java.util.Optional<dev.twinshift.storage.LockOwner> holder = CatalogLock.holder(catalog);
        if (holder.isPresent() && name.equals(holder.get().operation()) && !CatalogLock.judge(holder.get()).alive()) {
            return CatalogLock.adopt(catalog, actor, name);
        }
        return CatalogLock.acquire(catalog, actor, name, listener::log);
    }

    // ---- status -----------------------------------------------------------------------------------

    public BlueGreenStatus status(Catalog catalog, String operation) throws SshException, InterruptedException, UpgradeException {
        return BlueGreenStatus.read(this, state(catalog, operation));
    }

    RemoteShell shell() {
        return shell;
    }

    // ---- switchover and back ----------------------------------------------------------------------

    /** Moves the clients to green; refused while a guardrail is red. */
    public SwitchResult switchover(Catalog catalog, String operation, Options options)
            throws UpgradeException, SshException, InterruptedException, LockedException {
        return switchTo(catalog, operation, options, "green");
    }

    /** Moves the clients back to blue, which has every write green took since the switchover. */
    public SwitchResult switchBack(Catalog catalog, String operation, Options options)
            throws UpgradeException, SshException, InterruptedException, LockedException {
        return switchTo(catalog, operation, options, "blue");
    }

    private SwitchResult switchTo(Catalog catalog, String operation, Options options, String target)
            throws UpgradeException, SshException, InterruptedException, LockedException {
        options = options == null ? Options.defaults() : options;
        try (CatalogLock lock = lockFor(catalog, operation)) {
            if (settleLocked(catalog, state(catalog, operation)).isPresent()) {
                listener.log("the earlier switch is journaled now");
            }
            State s = state(catalog, operation);
            if (s.finished()) {
                throw new UpgradeException(s.describe() + ": nothing to switch");
            }
            if (!s.prepared()) {
                throw new CutoverRefusedException("switchover refused: green is not ready (" + s.journal().describe() + ")");
            }
            if (target.equals(s.serving())) {
                throw new UpgradeException(("green".equals(target) ? s.plan().newId() : s.plan().oldId()) + " serves already");
            }
            BlueGreenStatus st = BlueGreenStatus.read(this, s);
            List<String> red = st.red();
            if (!red.isEmpty()) {
                throw new CutoverRefusedException("switchover refused, nothing was changed: " + String.join("; ", red));
            }
            boolean toGreen = "green".equals(target);
            PgCluster blue = new ClusterDiscovery(shell).listed(s.plan().oldId()).orElseThrow();
            PgCluster green = new ClusterDiscovery(shell).listed(s.plan().newId()).orElseThrow();
            PgCluster from = toGreen ? blue : green;
            PgCluster to = toGreen ? green : blue;
            String step = toGreen ? SWITCHOVER : SWITCHBACK;
            List<String> argv = new ArrayList<>(List.of("sh", "-c", SWITCH_SCRIPT, "bluegreen-switch",
                    "--os-user", s.plan().owner(), "--role", s.plan().installUser(),
                    "--from-port", Integer.toString(from.port()), "--from-socket", from.socketDirectory(),
                    "--to-port", Integer.toString(to.port()), "--to-socket", to.socketDirectory(),
                    "--sub-on-to", toGreen ? s.names().subscriptionOnGreen() : s.names().subscriptionOnBlue(),
                    "--sub-on-from", toGreen ? s.names().subscriptionOnBlue() : s.names().subscriptionOnGreen(),
                    "--slot-prefix", toGreen ? s.names().greenSlotPrefix() : s.names().blueSlotPrefix(),
                    "--publication", s.names().publication(),
                    "--pooler-port", Integer.toString(s.pooler().port()), "--pooler-socket", s.pooler().socketDirectory(),
                    "--pooler-user", s.pooler().adminUser(), "--pooler-ini", s.pooler().iniFile(),
                    "--deadline-ms", Long.toString(options.deadline().toMillis()),
                    "--sequence-margin", Long.toString(options.sequenceMargin()), "--"));
            argv.addAll(s.databases());
            String dir = UpgradeWorkspace.workDir(catalog, operation) + "/" + step + "-" + Instant.now().toEpochMilli();
            Journal journal = new Journal(shell, catalog, operation);
            journal.append(JournalEntry.step(actor, step, UpgradeState.STARTED, "clients paused in PgBouncer and moved to "
                    + to.id() + ", deadline " + options.deadline().toMillis() + " ms; detached in " + dir,
                    Map.of(SWITCH_JOB, dir)));
            DetachedJob.start(shell, dir, RemoteCommand.of(argv).asRoot());
            FailPoint.reached(KIND, step, "started");
            return settle(journal, s, dir);
        }
    }

    /**
     * Follows a switch's detached run to its end and journals what it did. Also what a console does for
     * a switch whose console was lost: the run went on without it, and its log says where clients are.
     */
    private SwitchResult settle(Journal journal, State s, String dir) throws SshException, InterruptedException,
            UpgradeException {
        String step = switchStep(dir);
        String target = SWITCHOVER.equals(step) ? "green" : "blue";
        String to = "green".equals(target) ? s.plan().newId() : s.plan().oldId();
        StringBuilder log = new StringBuilder();
        DetachedJob.Status end = new DetachedJob(shell, dir).follow(0, (stream, line) -> {
            log.append(line).append('\n');
            listener.log(line);
        }, Duration.ofMillis(100));
        SwitchResult r = parse(end.exitCode() == 0, log.toString());
        if (r.switched()) {
            journal.append(JournalEntry.step(actor, step, UpgradeState.DONE, to + " serves; clients were paused "
                    + r.pauseMillis() + " ms", Map.of(SERVING, target, "pauseMillis", Long.toString(r.pauseMillis()))));
        } else {
            journal.append(JournalEntry.step(actor, step, UpgradeState.FAILED, "nothing changed for clients: "
                    + r.reason(), Map.of()));
            if (end.exitCode() == 4) {
                throw new UpgradeException("the switchover was reverted but its undo is incomplete: " + r.reason()
                        + "; see " + dir + "/log");
            }
        }
        return r;
    }

    private static String switchStep(String dir) {
        return dir.substring(dir.lastIndexOf('/') + 1).startsWith(SWITCHBACK) ? SWITCHBACK : SWITCHOVER;
    }

    /**
     * Journals the outcome of a switch whose console went away before it could (killed, or its
     * connection cut). Until then the journal cannot say which side serves.
     *
     * @return what the switch did, or empty when none was left unsettled
     */
    public java.util.Optional<SwitchResult> settle(Catalog catalog, String operation)
            throws UpgradeException, SshException, InterruptedException, LockedException {
        try (CatalogLock lock = lockFor(catalog, operation)) {
            return settleLocked(catalog, state(catalog, operation));
        }
    }

    private java.util.Optional<SwitchResult> settleLocked(Catalog catalog, State s)
            throws UpgradeException, SshException, InterruptedException {
        String dir = s.unsettledSwitch();
        if (dir == null) {
            return java.util.Optional.empty();
        }
        listener.log("a switch begun by a console that went away: reading what it did from " + dir);
        return java.util.Optional.of(settle(new Journal(shell, catalog, s.operation()), s, dir));
    }

    private static final Pattern STEP = Pattern.compile("^step (\\S+) (\\d+)$", Pattern.MULTILINE);
    private static final Pattern SWITCHED = Pattern.compile("^switched pause=(\\d+)$", Pattern.MULTILINE);
    private static final Pattern REVERTED = Pattern.compile("^reverted(?: incompletely)?: (.*)$", Pattern.MULTILINE);

    static SwitchResult parse(boolean exitedZero, String log) {
        Map<String, Long> steps = new LinkedHashMap<>();
        Matcher m = STEP.matcher(log);
        while (m.find()) {
            steps.put(m.group(1), Long.parseLong(m.group(2)));
        }
        Matcher sw = SWITCHED.matcher(log);
        if (exitedZero && sw.find()) {
            return new SwitchResult(true, Long.parseLong(sw.group(1)), steps, null, log);
        }
        Matcher rv = REVERTED.matcher(log);
        String reason = rv.find() ? rv.group(1) : "the switchover script ended without saying why; see its log";
        return new SwitchResult(false, -1, steps, reason, log);
    }

    // ---- finish and abandon -----------------------------------------------------------------------

    /**
     * Ends the upgrade with green serving: the way back is dropped, blue gets a pinned snapshot, is
     * stopped, set to manual start and kept; slots, publications and the marker schema are removed.
     */
    public String finish(Catalog catalog, String operation) throws UpgradeException, SshException, InterruptedException,
            LockedException, RefusedException {
        try (CatalogLock lock = lockFor(catalog, operation)) {
            settleLocked(catalog, state(catalog, operation));
            State s = state(catalog, operation);
            if (s.finished()) {
                throw new UpgradeException(s.describe());
            }
            if (!"green".equals(s.serving())) {
                throw new UpgradeException("finish needs green serving: switch over first, or abandon to keep "
                        + s.plan().oldId());
            }
            Journal journal = new Journal(shell, catalog, operation);
            journal.append(JournalEntry.step(actor, FINISH, UpgradeState.STARTED, "dropping the way back", Map.of()));
            Psql blue = blue(s.plan());
            Psql green = green(s.plan());
            for (String db : s.databases()) {
                blue.exec(db, "DROP SUBSCRIPTION IF EXISTS " + s.names().subscriptionOnBlue(), Duration.ofMinutes(2));
                blue.exec(db, "DROP PUBLICATION IF EXISTS " + s.names().publication(), Duration.ofMinutes(1));
                green.exec(db, "DROP PUBLICATION IF EXISTS " + s.names().publication(), Duration.ofMinutes(1));
                green.script(db, DROP_MARKERS_SQL, Duration.ofMinutes(1));
            }
            dropSlots(blue, s.names());
            dropSlots(green, s.names());
            PgCluster old = new ClusterDiscovery(shell).find(s.plan().oldId());
            SnapshotRecord snap = new SnapshotService(shell, actor, listener::log).create(old, Reason.PRE_UPGRADE,
                    "after-bluegreen");
            control.stop(old);
            work.writeFile(s.plan().oldConfigDirectory() + "/start.conf", "manual\n", s.plan().owner());
            String what = s.plan().newId() + " serves; " + s.plan().oldId() + " is stopped, set to manual start, and its"
                    + " snapshot " + snap.id() + " is pinned";
            journal.append(JournalEntry.step(actor, FINISH, UpgradeState.DONE, what, Map.of("snapshot", snap.id())));
            journal.append(JournalEntry.outcome(actor, UpgradeState.COMPLETED, what, Map.of()));
            return what;
        }
    }

    /** Gives green up while blue serves: everything made for it is removed, blue is as before. */
    public String abandon(Catalog catalog, String operation) throws UpgradeException, SshException, InterruptedException,
            LockedException {
        try (CatalogLock lock = lockFor(catalog, operation)) {
            settleLocked(catalog, state(catalog, operation));
            State s = state(catalog, operation);
            if (s.finished()) {
                throw new UpgradeException(s.describe());
            }
            if ("green".equals(s.serving())) {
                throw new UpgradeException(s.plan().newId() + " serves: switch back first (it keeps every write), then abandon");
            }
            return removeGreen(catalog, s, "abandoned by " + actor.display());
        }
    }

    private String removeGreen(Catalog catalog, State s, String why) throws SshException, InterruptedException, UpgradeException {
        Journal journal = new Journal(shell, catalog, s.operation());
        UpgradePlan plan = s.plan();
        List<String> problems = new ArrayList<>();
        java.util.Optional<PgCluster> green = new ClusterDiscovery(shell).listed(plan.newId());
        boolean madeGreen = s.journal().data().containsKey(UpgradeWorkspace.MADE_CLUSTER);
        if (green.isPresent() && madeGreen) {
            try {
                if (control.isRunning(green.get())) {
                    Psql g = Psql.forCluster(shell, green.get());
                    for (String db : s.databases()) {
                        // Detached from blue's slot first, so that dropping it here never waits on blue.
                        g.script(db, "SELECT format('ALTER SUBSCRIPTION %I DISABLE', subname) FROM pg_subscription WHERE subname = "
                                + sqlLiteral(s.names().subscriptionOnGreen()) + " AND subdbid = (SELECT oid FROM pg_database"
                                + " WHERE datname = current_database()) \\gexec\n"
                                + "SELECT format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', subname) FROM pg_subscription"
                                + " WHERE subname = " + sqlLiteral(s.names().subscriptionOnGreen()) + " AND subdbid = (SELECT oid"
                                + " FROM pg_database WHERE datname = current_database()) \\gexec\n"
                                + "SELECT format('DROP SUBSCRIPTION %I', subname) FROM pg_subscription WHERE subname = "
                                + sqlLiteral(s.names().subscriptionOnGreen()) + " AND subdbid = (SELECT oid FROM pg_database"
                                + " WHERE datname = current_database()) \\gexec\n", Duration.ofMinutes(2));
                    }
                    control.stop(green.get());
                }
                work.logged(RemoteCommand.of("pg_dropcluster", plan.newVersion(), plan.newName()).asRoot(), Duration.ofMinutes(10));
            } catch (SshException | RuntimeException e) {
                problems.add("green " + plan.newId() + ": " + e.getMessage());
            }
        }
        String madeDir = s.journal().data().get(UpgradeWorkspace.MADE_DATA_DIRECTORY);
        if (madeDir != null && work.exists(madeDir)) {
            CommandResult r = shell.run(RemoteCommand.of("sh", "-c", "btrfs subvolume delete \"$1\" >/dev/null 2>&1 || rm -rf -- \"$1\"",
                    "sh", madeDir).asRoot());
            if (!r.ok()) {
                problems.add("could not remove " + madeDir);
            }
        }
        CloneService clones = new CloneService(shell, actor, listener::log);
        try {
            if (catalog.clone(s.names().twin()).isPresent()) {
                clones.destroy(catalog, s.names().twin());
            }
        } catch (SshException | RuntimeException | LockedException e) {
            problems.add("twin: " + e.getMessage());
        }
        try {
            Psql blue = blue(plan);
            dropSlots(blue, s.names());
            for (String db : s.databases()) {
                blue.exec(db, "DROP SUBSCRIPTION IF EXISTS " + s.names().subscriptionOnBlue(), Duration.ofMinutes(2));
                blue.exec(db, "DROP PUBLICATION IF EXISTS " + s.names().publication(), Duration.ofMinutes(1));
                blue.script(db, DROP_MARKERS_SQL, Duration.ofMinutes(1));
            }
        } catch (SshException | RuntimeException e) {
            problems.add("blue: " + e.getMessage());
        }
        String snap = s.journal().data().get("snapshot");
        if (snap != null) {
            try {
                new SnapshotService(shell, actor, listener::log).delete(catalog, snap);
            } catch (SshException | RuntimeException | RefusedException | LockedException e) {
                problems.add("snapshot " + snap + ": " + e.getMessage());
            }
        }
        String what = plan.oldId() + " serves as before; green, its twin, slots and publications removed (" + why + ")"
                + (problems.isEmpty() ? "" : "; NOT removed: " + String.join("; ", problems));
        journal.append(JournalEntry.outcome(actor, UpgradeState.ABANDONED, what, Map.of()));
        if (!problems.isEmpty()) {
            throw new UpgradeException(what);
        }
        return what;
    }

    private static void dropSlots(Psql psql, Names names) throws SshException, InterruptedException {
        // Never a slot that is in use: an active one belongs to a subscription being dropped right now.
        psql.exec("postgres", "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE "
                + sqlLiteral("tsbg\\_" + names.tag() + "\\_%") + " AND NOT active", Duration.ofMinutes(1));
    }

    private static String resource(String name) {
        try (InputStream in = BlueGreen.class.getResourceAsStream("/dev/twinshift/remote/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> words(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }
}
