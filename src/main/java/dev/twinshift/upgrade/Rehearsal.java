package dev.twinshift.upgrade;

import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.postgres.Psql;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.DetachedJob;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.LockedException;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.RefusedException;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import dev.twinshift.storage.StorageMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tries the upgrade on a twin, never on live: snapshot the live cluster, clone it, create a
 * new-version clone beside it, {@code pg_upgrade --check}, then (unless only a preflight was asked)
 * {@code pg_upgrade} for real, start both clones and compare them table by table, the administrator's
 * checks and a workload side by side. The live cluster only sees a CHECKPOINT and a snapshot.
 */
public final class Rehearsal {
    public static final String SNAPSHOT = "snapshot";
    public static final String CLONE = "clone";
    public static final String RECOVER = "recover";
    public static final String INSPECT = "inspect";
    public static final String NEW_CLUSTER = "new-cluster";
    public static final String CHECK = "check";
    public static final String UPGRADE = "upgrade";
    public static final String START = "start";
    public static final String COMPARE = "compare";
    public static final String CHECKS = "checks";
    public static final String WORKLOAD = "workload";
    public static final String ANALYZE = "analyze";
    public static final String REPORT = "report";
    public static final List<String> PREFLIGHT_STEPS = List.of(SNAPSHOT, CLONE, RECOVER, INSPECT, NEW_CLUSTER, CHECK);
    public static final List<String> STEPS = List.of(SNAPSHOT, CLONE, RECOVER, INSPECT, NEW_CLUSTER, CHECK, UPGRADE, START,
            COMPARE, CHECKS, WORKLOAD, ANALYZE, REPORT);
    public static final Map<String, String> TITLES = Map.ofEntries(
            Map.entry(SNAPSHOT, "Snapshot of the live cluster"),
            Map.entry(CLONE, "Clone of the snapshot"),
            Map.entry(RECOVER, "Crash recovery of the clone, clean shutdown"),
            Map.entry(INSPECT, "Extensions, locale, data types"),
            Map.entry(NEW_CLUSTER, "New-version cluster beside the clone, configuration carried over"),
            Map.entry(CHECK, "pg_upgrade --check"),
            Map.entry(UPGRADE, "pg_upgrade on the clone"),
            Map.entry(START, "Start the old and the new clone"),
            Map.entry(COMPARE, "Every table compared: row counts and checksums"),
            Map.entry(CHECKS, "Your SQL checks side by side"),
            Map.entry(WORKLOAD, "Regression diff: the same queries on old and new"),
            Map.entry(ANALYZE, "vacuumdb --analyze-in-stages, extension updates"),
            Map.entry(REPORT, "Report"));

    /**
     * @param checks      the administrator's SQL checks, compared old against new
     * @param workload    queries for the regression diff (empty: pgbench's own read queries when its tables exist)
     * @param runs        times each workload query runs per side (median reported)
     * @param keepClones  leave the two clones (stopped) for inspection; otherwise they are destroyed
     */
    public record Options(List<Validation.SqlCheck> checks, List<Validation.SqlCheck> workload, int runs,
                          boolean keepClones) {
        public Options {
            checks = checks == null ? List.of() : List.copyOf(checks);
            workload = workload == null ? List.of() : List.copyOf(workload);
        }

        public static Options defaults() {
            return new Options(List.of(), List.of(), 3, true);
        }
    }

    /** What a rehearsal (or a preflight) found. */
    public record Result(String operation, UpgradePlan plan, boolean preflightOnly, boolean compatible,
                         List<PgUpgradeCheckReport.Finding> findings, Map<String, Long> stepMillis,
                         List<Validation.TableComparison> tables, List<Validation.SideBySide> checks,
                         List<Validation.SideBySide> workload, List<String> extensionUpdates, String snapshot,
                         String oldClone, String newClone, String reportPath, String report) {

        public List<PgUpgradeCheckReport.Finding> blockers() {
            return findings.stream().filter(f -> f.severity() == PgUpgradeCheckReport.Severity.FATAL).toList();
        }

        /** The rehearsal proved the upgrade, as {@link CutoverReadiness} defines it for every console. */
        public boolean passed() {
            return CutoverReadiness.passed(this);
        }
    }

    private final RemoteShell shell;
    private final Actor actor;
    private final UpgradeListener listener;
    private final ServerWork work;
    private final CancelRequest cancel;

    public Rehearsal(RemoteShell shell, Actor actor, UpgradeListener listener) {
        this(shell, actor, listener, new CancelRequest());
    }

    /** @param cancel looked at between steps only: the step running ends, then the twins are removed */
    public Rehearsal(RemoteShell shell, Actor actor, UpgradeListener listener, CancelRequest cancel) {
        this.cancel = cancel == null ? new CancelRequest() : cancel;
        this.shell = shell;
        this.actor = actor;
        this.listener = listener == null ? UpgradeListener.NONE : listener;
        this.work = new ServerWork(shell, this.listener);
    }

    /** Preflight: everything up to {@code pg_upgrade --check}, on a clone; the clones are removed afterwards. */
    public Result preflight(UpgradePlan plan) throws UpgradeException, SshException, InterruptedException {
        return run(plan, Options.defaults(), true);
    }

    public Result rehearse(UpgradePlan plan, Options options) throws UpgradeException, SshException, InterruptedException {
        return run(plan, options, false);
    }

    /**
     * Preflight on a clone of an existing snapshot instead of a fresh one of live (a past state of the
     * cluster, as a bisect probes it). The snapshot stays; the twins are named {@link #twinNames}.
     */
    public Result preflightOf(UpgradePlan plan, String snapshotId, String twinPrefix)
            throws UpgradeException, SshException, InterruptedException {
        return run(plan, Options.defaults(), true, snapshotId, twinPrefix);
    }

    /** The whole rehearsal on a clone of an existing snapshot; see {@link #preflightOf}. */
    public Result rehearseOf(UpgradePlan plan, Options options, String snapshotId, String twinPrefix)
            throws UpgradeException, SshException, InterruptedException {
        return run(plan, options, false, snapshotId, twinPrefix);
    }

    /** The names of the old-version and the new-version twin a run with this prefix makes. */
    public static List<String> twinNames(UpgradePlan plan, String twinPrefix) {
        return List.of(twinPrefix + "-" + plan.oldVersion(), twinPrefix + "-" + plan.newVersion());
    }

    private Result run(UpgradePlan plan, Options options, boolean preflightOnly)
            throws UpgradeException, SshException, InterruptedException {
        return run(plan, options, preflightOnly, null, null);
    }

    private Result run(UpgradePlan plan, Options options, boolean preflightOnly, String givenSnapshot, String twinPrefix)
            throws UpgradeException, SshException, InterruptedException {
        Catalog catalog = UpgradeWorkspace.catalogOf(shell, plan);
        String op = Catalog.STAMP.format(Instant.now()) + (preflightOnly ? "-preflight-" : "-rehearsal-")
                + plan.oldVersion() + "-" + plan.oldName() + (twinPrefix == null ? "" : "-" + twinPrefix);
        Journal journal = new Journal(shell, catalog, op);
        String tag = op.substring(2, 15).replace("T", "");
        String oldName = twinPrefix == null ? "rh" + tag + "-" + plan.oldVersion() : twinNames(plan, twinPrefix).get(0);
        String newName = twinPrefix == null ? "rh" + tag + "-" + plan.newVersion() : twinNames(plan, twinPrefix).get(1);
        State s = new State(plan, catalog, journal, op, oldName, newName, options, preflightOnly);
        s.givenSnapshot = givenSnapshot;
        journal.append(UpgradeState.planEntry(actor, (preflightOnly ? "preflight of " : "rehearsal of ") + plan.summary(), plan));
        boolean ok = false;
        try {
            for (String step : preflightOnly ? PREFLIGHT_STEPS : STEPS) {
                if (s.stop) {
                    break;
                }
                s.cancelledBy = cancel.boundary(cancelPolicy(step)).orElse(null);
                if (s.cancelledBy != null) {
                    s.journal.append(JournalEntry.note(actor, "cancelled by " + s.cancelledBy + " before " + step,
                            Map.of("cancelledBy", s.cancelledBy, "cancelledBefore", step)));
                    listener.log("cancelled by " + s.cancelledBy + " before " + step + ": removing the twins");
                    break;
                }
                step(s, step);
            }
            ok = s.cancelledBy == null;
        } finally {
            cancel.refuse("The twins are being removed: this runs to its end.");
            try {
                finish(s, ok);
            } catch (SshException | RuntimeException e) {
                listener.log("cleaning up the rehearsal failed: " + e.getMessage());
            }
        }
        if (s.cancelledBy != null) {
            throw new UpgradeException((preflightOnly ? "the preflight" : "the rehearsal") + " was cancelled by "
                    + s.cancelledBy + "; its clones and snapshot were removed, the live cluster was not touched");
        }
        return s.result();
    }

    /** What a cancel asked while {@code step} runs means: the step ends, then everything made is removed. */
    public static CancelRequest.Policy cancelPolicy(String step) {
        return CancelRequest.Policy.abandon("Cancel: the running step (" + step + ") finishes, then the twins and the"
                + " snapshot made for them are removed. The live cluster is never touched.");
    }

    /** Everything the steps share. */
    private final class State {
        final UpgradePlan plan;
        final Catalog catalog;
        final Journal journal;
        final String op;
        final String oldName;
        final String newName;
        final Options options;
        final boolean preflightOnly;
        final CloneService clones;
        final Map<String, Long> millis = new LinkedHashMap<>();
        final List<PgUpgradeCheckReport.Finding> findings = new ArrayList<>();
        List<Validation.TableComparison> tables = List.of();
        final List<Validation.SideBySide> checks = new ArrayList<>();
        final List<Validation.SideBySide> workload = new ArrayList<>();
        final List<String> extensionUpdates = new ArrayList<>();
        Map<String, String> beforeChecksums = Map.of();
        boolean compatible;
        boolean stop;
        String cancelledBy;
        SnapshotRecord snapshot;
        /** A snapshot the caller chose (kept afterwards); null: one of live is taken and removed again. */
        String givenSnapshot;
        CloneRecord oldClone;
        CloneRecord newClone;
        String reportPath;
        String report;

        State(UpgradePlan plan, Catalog catalog, Journal journal, String op, String oldName, String newName,
              Options options, boolean preflightOnly) {
            this.plan = plan;
            this.catalog = catalog;
            this.journal = journal;
            this.op = op;
            this.oldName = oldName;
            this.newName = newName;
            this.options = options;
            this.preflightOnly = preflightOnly;
            this.clones = new CloneService(shell, actor, listener::log);
        }

        Result result() {
            boolean kept = !preflightOnly && options.keepClones();
            return new Result(op, plan, preflightOnly, compatible, List.copyOf(findings), Map.copyOf(millis), tables,
                    List.copyOf(checks), List.copyOf(workload), List.copyOf(extensionUpdates),
                    snapshot == null ? null : snapshot.id(), kept && oldClone != null ? oldName : null,
                    kept && newClone != null ? newName : null, reportPath, report);
        }

        CloneServer.Spec spec(CloneRecord c) {
            return clones.spec(catalog, c);
        }

        Psql psql(CloneRecord c) {
            return new CloneServer(shell).psql(spec(c));
        }
    }

    private void step(State s, String step) throws UpgradeException, SshException, InterruptedException {
        Instant t0 = Instant.now();
        try {
            JournaledSteps.Done done = new JournaledSteps(s.preflightOnly ? "preflight" : "rehearsal", actor, s.journal,
                    listener).run(step, TITLES.get(step), () -> JournaledSteps.Done.of(switch (step) {
                        case SNAPSHOT -> snapshot(s);
                        case CLONE -> cloneOld(s);
                        case RECOVER -> recover(s);
                        case INSPECT -> inspect(s);
                        case NEW_CLUSTER -> newCluster(s);
                        case CHECK -> check(s);
                        case UPGRADE -> upgrade(s);
                        case START -> start(s);
                        case COMPARE -> compare(s);
                        case CHECKS -> checks(s);
                        case WORKLOAD -> workload(s);
                        case ANALYZE -> analyze(s);
                        case REPORT -> report(s);
                        default -> throw new IllegalStateException(step);
                    }));
            s.millis.put(step, Long.parseLong(done.data().get("millis")));
        } catch (UpgradeException | SshException e) {
            s.millis.put(step, Duration.between(t0, Instant.now()).toMillis());
            throw e;
        } catch (RuntimeException | RefusedException | LockedException e) {
            s.millis.put(step, Duration.between(t0, Instant.now()).toMillis());
            throw new UpgradeException(TITLES.get(step) + " failed: " + e.getMessage(), e);
        }
    }

    private String snapshot(State s) throws RefusedException, LockedException, SshException, InterruptedException {
        if (s.givenSnapshot != null) {
            s.snapshot = s.catalog.snapshot(s.givenSnapshot).orElseThrow(() -> new IllegalArgumentException(
                    "no snapshot " + s.givenSnapshot + " in " + s.catalog.root()));
            return "snapshot " + s.snapshot.id() + " of " + s.snapshot.createdAt() + " (chosen, kept); live is not touched";
        }
        PgCluster live = new ClusterDiscovery(shell).find(s.plan.oldId());
        s.snapshot = new SnapshotService(shell, actor, listener::log).create(live, Reason.REHEARSAL, "rehearsal");
        return "snapshot " + s.snapshot.id() + " at WAL " + s.snapshot.walLsn() + "; the live cluster keeps serving";
    }

    private String cloneOld(State s) throws RefusedException, LockedException, SshException, InterruptedException {
        s.oldClone = s.clones.create(s.catalog, s.snapshot.id(), s.oldName);
        return "clone " + s.oldName + " of " + s.snapshot.id();
    }

    /** pg_upgrade wants a cleanly shut down old cluster; a clone of a live snapshot has to recover first. */
    private String recover(State s) throws RefusedException, LockedException, SshException, InterruptedException {
        s.oldClone = s.clones.start(s.catalog, s.oldName);
        s.clones.stop(s.catalog, s.oldName);
        return "the clone recovered and shut down cleanly";
    }

    /** What pg_upgrade --check does not say in a DBA's words: extensions missing in the target, unlogged tables. */
    private String inspect(State s) throws RefusedException, LockedException, SshException, InterruptedException {
        s.oldClone = s.clones.start(s.catalog, s.oldName);
        Psql psql = s.psql(s.oldClone);
        // pg_upgrade --check stops at its first fatal finding; these queries list every blocker at once.
        Map<String, List<List<String>>> reg = new LinkedHashMap<>();
        Map<String, List<List<String>>> postfix = new LinkedHashMap<>();
        Map<String, List<List<String>>> extensions = new LinkedHashMap<>();
        Map<String, List<List<String>>> libraries = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (String db : Validation.databases(psql)) {
            reg.put(db, psql.rows(db, BlockerQueries.REG_TYPE_COLUMNS_SQL));
            postfix.put(db, psql.rows(db, BlockerQueries.POSTFIX_OPERATORS_SQL));
            extensions.put(db, psql.rows(db, BlockerQueries.EXTENSIONS_SQL));
            libraries.put(db, psql.rows(db, BlockerQueries.C_LIBRARIES_SQL));
            String unlogged = psql.value(db, "SELECT count(*) FROM pg_class WHERE relpersistence = 'u' AND relkind = 'r'");
            if (!"0".equals(unlogged)) {
                notes.add(db + " has " + unlogged + " unlogged table(s): carried over, but emptied if the server ever crashes");
            }
        }
        Set<String> available = BlockerQueries.namesFromListing(listing("/usr/share/postgresql/" + s.plan.newVersion()
                + "/extension"), ".control");
        Set<String> libs = BlockerQueries.namesFromListing(listing(s.plan.newBinDir().replace("/bin", "/lib")), ".so");
        // Asked of live, read-only (the clone rolled back its copies when it started), and only for a
        // snapshot taken of it now: a past snapshot's prepared transactions say nothing of live's.
        PgCluster live = s.givenSnapshot == null ? new ClusterDiscovery(shell).locate(s.plan.oldId()) : null;
        List<List<String>> prepared = live != null && live.running()
                ? Psql.forCluster(shell, live).rows("postgres", BlockerQueries.PREPARED_TRANSACTIONS_SQL) : List.of();
        for (PgUpgradeCheckReport.Finding f : List.of(BlockerQueries.regTypeColumns(reg), BlockerQueries.postfixOperators(postfix),
                BlockerQueries.missingExtensions(extensions, available), BlockerQueries.missingLibraries(libraries, libs),
                BlockerQueries.preparedTransactions(prepared))) {
            if (f.severity() != PgUpgradeCheckReport.Severity.OK) {
                s.findings.add(f);
            }
        }
        notes.add("encoding " + s.plan.encoding() + ", collation " + s.plan.lcCollate() + ", ctype " + s.plan.lcCtype()
                + (s.plan.dataChecksums() ? ", data checksums on" : ", data checksums off") + ": the new cluster is made the same");
        for (String n : notes) {
            s.findings.add(new PgUpgradeCheckReport.Finding(n, PgUpgradeCheckReport.Severity.OK, n, null, null));
        }
        if (!s.preflightOnly) {
            s.beforeChecksums = Validation.tableChecksums(psql);
        }
        s.clones.stop(s.catalog, s.oldName);
        return s.findings.stream().filter(f -> f.severity() == PgUpgradeCheckReport.Severity.FATAL).count()
                + " blocker(s) outside pg_upgrade's own checks";
    }

    private String listing(String dir) throws SshException, InterruptedException {
        CommandResult r = shell.run(RemoteCommand.of("ls", "-1", "--", dir));
        return r.ok() ? r.stdout() : "";
    }

    /** initdb of the new version beside the clone, same locale, encoding and checksums, with the carried configuration. */
    private String newCluster(State s) throws LockedException, SshException, InterruptedException, UpgradeException {
        UpgradePlan p = s.plan;
        String location = s.catalog.clonePath(s.newName);
        if (s.oldClone.method() == StorageMethod.ZFS_DATASET) {
            throw new UpgradeException("rehearsals on ZFS are not supported yet");
        }
        work.createDataDirectory(location, s.oldClone.method() == StorageMethod.BTRFS_SUBVOLUME,
                s.oldClone.dataDirectory(), p.owner());
        String run = s.catalog.cloneRunDir(s.newName);
        String src = run + "/source-conf";
        // Recorded before anything can fail, so that a failed rehearsal removes it with the rest.
        s.newClone = new CloneRecord(s.newName, Instant.now(), actor, s.snapshot.id(), p.oldId(), p.newVersion(), p.owner(),
                s.oldClone.method(), location, location, src, null, null);
        s.clones.register(s.catalog, s.newClone);
        List<String> initdb = new ArrayList<>(List.of(p.newBinDir() + "/initdb", "-D", location, "-E", p.encoding(),
                "--lc-collate", p.lcCollate(), "--lc-ctype", p.lcCtype(), "-U", p.installUser()));
        if (p.dataChecksums()) {
            initdb.add("--data-checksums");
        }
        work.logged(RemoteCommand.of(initdb).asUser(p.owner()), Duration.ofHours(6));
        // The configuration the live cutover will carry, so that the rehearsal proves it too. It is the
        // clone's source configuration (kept in its run directory, removed with it).
        int unknown = work.carryConfiguration(p, src, location, Map.of("data_directory", location,
                "hba_file", run + "/conf/pg_hba.conf", "ident_file", run + "/conf/pg_ident.conf"));
        s.newClone = s.clones.configure(s.catalog, s.newName);
        return "PostgreSQL " + p.newVersion() + " initialised in " + location + "; " + unknown
                + " setting(s) not known to " + p.newVersion() + " commented out";
    }

    private String check(State s) throws UpgradeException, SshException, InterruptedException {
        DetachedJob.Status end = pgUpgrade(s, true);
        String out = new DetachedJob(shell, jobDir(s, "check")).log();
        PgUpgradeCheckReport report = PgUpgradeCheckReport.parse(out);
        for (PgUpgradeCheckReport.Finding f : report.findings()) {
            if (f.severity() == PgUpgradeCheckReport.Severity.OK) {
                continue;
            }
            // The same check found by the preflight's own queries already lists every object in every
            // database: keep that one, with pg_upgrade's file for reference, instead of saying it twice.
            int same = -1;
            for (int i = 0; i < s.findings.size(); i++) {
                if (s.findings.get(i).check().equals(f.check())) {
                    same = i;
                }
            }
            if (same >= 0) {
                PgUpgradeCheckReport.Finding mine = s.findings.get(same);
                s.findings.set(same, new PgUpgradeCheckReport.Finding(mine.check(), mine.severity(), mine.explanation(),
                        mine.fix(), f.detailFile()));
            } else {
                s.findings.add(withDetail(f));
            }
        }
        s.compatible = end.succeeded() && report.compatible()
                && s.findings.stream().noneMatch(f -> f.severity() == PgUpgradeCheckReport.Severity.FATAL);
        if (!s.compatible) {
            s.stop = true;
            long n = s.findings.stream().filter(f -> f.severity() == PgUpgradeCheckReport.Severity.FATAL).count();
            return "not compatible: " + (n == 0 ? "pg_upgrade --check exited " + end.exitCode() : n + " blocker(s) to fix first");
        }
        return "clusters are compatible";
    }

    /** The finding with the list of problem objects pg_upgrade wrote, read from the server. */
    private PgUpgradeCheckReport.Finding withDetail(PgUpgradeCheckReport.Finding f) throws InterruptedException {
        if (f.detailFile() == null) {
            return f;
        }
        try {
            CommandResult r = shell.run(RemoteCommand.of("head", "-c", "4000", "--", f.detailFile()).asRoot());
            if (!r.ok() || r.stdout().isBlank()) {
                return f;
            }
            List<String> items = PgUpgradeCheckReport.detailItems(r.stdout());
            return new PgUpgradeCheckReport.Finding(f.check(), f.severity(), f.explanation() + " Found: "
                    + String.join("; ", items.subList(0, Math.min(items.size(), 12))) + (items.size() > 12 ? " ..." : ""),
                    f.fix(), f.detailFile());
        } catch (SshException e) {
            return f;
        }
    }

    private String upgrade(State s) throws UpgradeException, SshException, InterruptedException {
        DetachedJob.Status end = pgUpgrade(s, false);
        if (!end.succeeded()) {
            throw new UpgradeException("pg_upgrade on the clone exited with " + end.exitCode() + "; its log is "
                    + jobDir(s, "upgrade") + "/log");
        }
        return "pg_upgrade " + s.plan.method().flag() + " succeeded on the clone";
    }

    private String jobDir(State s, String name) {
        return UpgradeWorkspace.workDir(s.catalog, s.op) + "/" + name;
    }

    private DetachedJob.Status pgUpgrade(State s, boolean check) throws SshException, InterruptedException {
        CloneServer.Spec oldSpec = s.spec(s.oldClone);
        CloneServer.Spec newSpec = s.spec(s.newClone);
        String sock = work.socketDirectory(s.plan.owner());
        // The clone method the live cutover will use, when the clone's storage has reflinks; else copy.
        UpgradeMethod m = s.oldClone.method().copyOnWrite() ? UpgradeMethod.CLONE : UpgradeMethod.COPY;
        RemoteCommand cmd = PgUpgradeCommand.of(s.plan, oldSpec.dataDirectory(), oldSpec.confDir(), newSpec.dataDirectory(),
                newSpec.confDir(), sock, m, check);
        String dir = jobDir(s, check ? "check" : "upgrade");
        listener.log("$ " + String.join(" ", cmd.argv()));
        try {
            DetachedJob job = DetachedJob.start(shell, dir, cmd);
            return job.follow(0, (st, line) -> listener.log(line), Duration.ofMillis(300));
        } finally {
            work.removeSocketDirectory(sock);
        }
    }

    private String start(State s) throws RefusedException, LockedException, SshException, InterruptedException {
        s.newClone = s.clones.start(s.catalog, s.newName);
        s.oldClone = s.clones.start(s.catalog, s.oldName);
        return "old clone on port " + s.oldClone.port() + ", new clone (" + s.plan.newVersion() + ") on port "
                + s.newClone.port();
    }

    private String compare(State s) throws UpgradeException, SshException, InterruptedException {
        Map<String, String> after = Validation.tableChecksums(s.psql(s.newClone));
        s.tables = Validation.compare(s.beforeChecksums, after);
        long bad = s.tables.stream().filter(t -> !t.equal()).count();
        if (bad > 0) {
            throw new UpgradeException(bad + " of " + s.tables.size() + " tables differ after pg_upgrade: "
                    + s.tables.stream().filter(t -> !t.equal()).map(Validation.TableComparison::table).limit(5).toList());
        }
        return s.tables.size() + " tables equal (row counts and checksums)";
    }

    private String checks(State s) throws InterruptedException {
        s.checks.clear();
        for (Validation.SqlCheck c : s.options.checks()) {
            s.checks.add(Validation.sideBySide(c.name(), c.database(), c.sql(), s.psql(s.oldClone), s.psql(s.newClone), 1));
        }
        long differ = s.checks.stream().filter(c -> !c.sameResult()).count();
        return s.checks.size() + " check(s), " + differ + " with different results";
    }

    private String workload(State s) throws SshException, InterruptedException {
        List<Validation.SqlCheck> queries = new ArrayList<>(s.options.workload());
        if (queries.isEmpty()) {
            queries.addAll(defaultWorkload(s.psql(s.oldClone)));
        }
        for (Validation.SqlCheck q : queries) {
            s.workload.add(Validation.sideBySide(q.name(), q.database(), q.sql(), s.psql(s.oldClone), s.psql(s.newClone),
                    s.options.runs()));
        }
        long differ = s.workload.stream().filter(w -> !w.sameResult()).count();
        long plans = s.workload.stream().filter(Validation.SideBySide::planChanged).count();
        return s.workload.size() + " queries: " + differ + " with different results, " + plans + " with a different plan";
    }

    /** pgbench's read queries where its tables exist: a workload every lab and many test systems have. */
    static List<Validation.SqlCheck> defaultWorkload(Psql psql) throws SshException, InterruptedException {
        List<Validation.SqlCheck> out = new ArrayList<>();
        for (String db : Validation.databases(psql)) {
            if (!"1".equals(psql.value(db, "SELECT count(*) FROM pg_class WHERE relname = 'pgbench_accounts' AND relkind = 'r'"))) {
                continue;
            }
            out.add(new Validation.SqlCheck("pgbench select-only", db, "SELECT abalance FROM pgbench_accounts WHERE aid = 4242"));
            out.add(new Validation.SqlCheck("balance per branch", db,
                    "SELECT bid, sum(abalance), count(*) FROM pgbench_accounts GROUP BY bid ORDER BY bid"));
            out.add(new Validation.SqlCheck("top tellers", db, "SELECT t.tid, t.tbalance, b.bbalance FROM pgbench_tellers t"
                    + " JOIN pgbench_branches b USING (bid) ORDER BY t.tbalance DESC, t.tid LIMIT 10"));
            out.add(new Validation.SqlCheck("history per teller", db,
                    "SELECT tid, count(*), sum(delta) FROM pgbench_history GROUP BY tid ORDER BY tid"));
        }
        return out;
    }

    private String analyze(State s) throws SshException, InterruptedException {
        CloneServer.Spec spec = s.spec(s.newClone);
        work.logged(RemoteCommand.of(s.plan.newBinDir() + "/vacuumdb", "--all", "--analyze-in-stages", "-h",
                spec.socketDirectory(), "-p", Integer.toString(spec.port()), "-U", s.plan.installUser())
                .asUser(s.plan.owner()), Duration.ofHours(6));
        Psql psql = s.psql(s.newClone);
        for (String db : Validation.databases(psql)) {
            for (List<String> e : psql.rows(db, "SELECT name, installed_version, default_version FROM pg_available_extensions"
                    + " WHERE installed_version IS NOT NULL AND installed_version <> default_version")) {
                psql.exec(db, "ALTER EXTENSION \"" + e.get(0).replace("\"", "\"\"") + "\" UPDATE", Duration.ofMinutes(10));
                s.extensionUpdates.add(db + ": " + e.get(0) + " " + e.get(1) + " -> " + e.get(2));
            }
        }
        return "statistics gathered; " + s.extensionUpdates.size() + " extension(s) updated";
    }

    private String report(State s) throws SshException, InterruptedException {
        saveReport(s);
        return "report saved to " + s.reportPath;
    }

    /** The report as it stands, in the operation's folder on the server (made here: a failed start may not have). */
    private void saveReport(State s) throws SshException, InterruptedException {
        s.report = RehearsalReport.markdown(s.result());
        s.reportPath = UpgradeWorkspace.workDir(s.catalog, s.op) + "/report.md";
        work.root("mkdir", "-p", "--", UpgradeWorkspace.workDir(s.catalog, s.op));
        work.writeFile(s.reportPath, s.report, "root");
    }

    private void finish(State s, boolean ok) throws SshException, InterruptedException {
        boolean keep = ok && !s.preflightOnly && s.options.keepClones();
        if (s.report == null) {
            saveReport(s);
        }
        for (String name : List.of(s.newName, s.oldName)) {
            // Another console's operation may hold the lock for longer than one wait: a twin left
            // behind would keep its disk space and its port, so ask a few times before giving up.
            for (int attempt = 1; attempt <= 4; attempt++) {
                try {
                    if (s.catalog.clone(name).isPresent()) {
                        if (keep) {
                            s.clones.stop(s.catalog, name);
                        } else {
                            s.clones.destroy(s.catalog, name);
                        }
                    }
                    break;
                } catch (LockedException e) {
                    if (attempt == 4) {
                        listener.log("could not " + (keep ? "stop" : "remove") + " clone " + name + ": " + e.getMessage()
                                + "; remove it from the cluster view or with: clone destroy " + name);
                    }
                }
            }
        }
        if (!keep && s.snapshot != null && s.givenSnapshot == null) {
            try {
                new SnapshotService(shell, actor, listener::log).delete(s.catalog, s.snapshot.id());
            } catch (RefusedException | LockedException | RuntimeException e) {
                listener.log("the rehearsal's snapshot " + s.snapshot.id() + " stays: " + e.getMessage());
            }
        }
        // The verdict and the plan's fingerprint go with the outcome: a cutover from any console reads them here.
        Instant snapshotAt = s.snapshot == null ? null : s.snapshot.createdAt();
        Map<String, String> verdict = s.preflightOnly ? Map.of() : ok ? CutoverReadiness.outcomeData(s.result(), snapshotAt)
                : CutoverReadiness.stoppedData(s.plan, snapshotAt);
        s.journal.append(JournalEntry.outcome(actor, ok ? UpgradeState.COMPLETED : UpgradeState.ABANDONED,
                ok ? (s.preflightOnly ? "preflight done" : "rehearsal done" + (CutoverReadiness.PASSED.equals(
                        verdict.get(CutoverReadiness.VERDICT)) ? ": passed" : ": not passed (" + verdict.get(CutoverReadiness.WHY)
                        + ")")) : s.cancelledBy != null ? "cancelled by " + s.cancelledBy + "; clones removed"
                        : "stopped; clones removed", verdict));
    }
}
