package dev.twinshift.bisect;

import dev.twinshift.postgres.CloneServer;
import dev.twinshift.postgres.ClusterDiscovery;
import dev.twinshift.postgres.PgCluster;
import dev.twinshift.ssh.CommandResult;
import dev.twinshift.ssh.ExecOptions;
import dev.twinshift.ssh.FailureCause;
import dev.twinshift.ssh.LineListener;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.RunningCommand;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.ClusterVolume;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.JournalEntry;
import dev.twinshift.storage.LockedException;
import dev.twinshift.storage.RefusedException;
import dev.twinshift.storage.SnapshotRecord;
import dev.twinshift.storage.SnapshotService;
import dev.twinshift.storage.SpaceGuard;
import dev.twinshift.upgrade.CancelRequest;
import dev.twinshift.upgrade.PgUpgradeCheckReport;
import dev.twinshift.upgrade.Rehearsal;
import dev.twinshift.upgrade.UpgradeException;
import dev.twinshift.upgrade.UpgradeListener;
import dev.twinshift.upgrade.UpgradePlan;
import dev.twinshift.upgrade.UpgradePlanner;
import dev.twinshift.upgrade.Upgrades;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Since when does a check fail? Probes clones of a cluster's snapshots with a check, binary (or k-ary)
 * search or every snapshot, and says which snapshot is the last good and which the first bad, then what
 * changed between them. Each probe is a clone of the snapshot, started on its own port as its own server
 * (never the live cluster), checked, stopped and destroyed, on failure and on cancel too. The search is
 * journaled on the server, one entry per probe, each probe's clones recorded before they are made; the
 * result is saved as {@code .twinshift/bisect/<stamp>.json}.
 */
public final class BisectService {
    /** Free space above the floor one probe needs to run beside others (a clone's writes: recovery, the check). */
    public static final long PROBE_ROOM_BYTES = 256L * 1024 * 1024;
    /** How long one check may run on one probe. */
    public static final Duration CHECK_TIMEOUT = Duration.ofMinutes(30);
    /** The most probes at once, whatever the server has. */
    public static final int MAX_PARALLEL = 16;

    /**
     * What to search.
     *
     * @param cluster      the cluster whose snapshots are probed, e.g. 13/main
     * @param from         the oldest snapshot of the range (id or name); null: the oldest there is
     * @param to           the newest; null: the newest there is
     * @param parallel     probes per round when the server has room (free space over the floor, cores)
     * @param oldestBad    the oldest end is the bad one and the newest the good one: find when it was fixed
     * @param changeReport after a search that found the change, report what changed between the two snapshots
     */
    public record Request(String cluster, String from, String to, BisectCheck check, BisectMode mode, int parallel,
                          boolean oldestBad, boolean changeReport) {
        public Request {
            if (cluster == null || cluster.isBlank()) {
                throw new IllegalArgumentException("say which cluster: --cluster VERSION/NAME");
            }
            if (check == null) {
                throw new IllegalArgumentException("say what to check: --sql, --same-rows, --upgrade-check, --rehearsal or --command");
            }
            mode = mode == null ? BisectMode.BINARY : mode;
            if (parallel < 1 || parallel > MAX_PARALLEL) {
                throw new IllegalArgumentException("--parallel must be between 1 and " + MAX_PARALLEL + ", not " + parallel);
            }
        }

        public static Request of(String cluster, BisectCheck check) {
            return new Request(cluster, null, null, check, BisectMode.BINARY, 1, false, true);
        }
    }

    private final RemoteShell shell;
    private final Actor actor;
    private final BisectListener listener;
    private final CancelRequest cancel;
    private final CloneService clones;
    private final Set<RunningCommand> running = ConcurrentHashMap.newKeySet();
    private final Set<CancelRequest> rehearsals = ConcurrentHashMap.newKeySet();

    public BisectService(RemoteShell shell, Actor actor, BisectListener listener) {
        this(shell, actor, listener, new CancelRequest());
    }

    /** @param cancel looked at between the steps of each probe; a check running when it is asked is stopped */
    public BisectService(RemoteShell shell, Actor actor, BisectListener listener, CancelRequest cancel) {
        this.shell = shell;
        this.actor = actor;
        this.listener = listener == null ? BisectListener.NONE : listener;
        this.cancel = cancel == null ? new CancelRequest() : cancel;
        this.clones = new CloneService(shell, actor, this.listener::line);
    }

    /** Everything one search shares between its probes (read by several threads, written before they start). */
    private static final class Search {
        Request request;
        PgCluster live;
        Catalog catalog;
        List<SnapshotRecord> range;
        String stamp;
        Journal journal;
        UpgradePlan plan;
        List<String> reference;
        final List<Probe> probes = java.util.Collections.synchronizedList(new ArrayList<>());
    }

    /**
     * The snapshots of the cluster from {@code from} to {@code to}, oldest first; the console's dialog
     * checks its range with it before asking.
     */
    public static List<SnapshotRecord> range(List<SnapshotRecord> all, String cluster, String from, String to) {
        List<SnapshotRecord> mine = new ArrayList<>(all.stream().filter(s -> cluster.equals(s.cluster())).toList());
        mine.sort(Comparator.comparing(SnapshotRecord::createdAt).thenComparing(SnapshotRecord::name));
        int lo = from == null ? 0 : indexOf(mine, from, cluster);
        int hi = to == null ? mine.size() - 1 : indexOf(mine, to, cluster);
        if (lo > hi && !mine.isEmpty()) {
            throw new IllegalArgumentException("--from " + from + " is newer than --to " + to + ": give the oldest first");
        }
        return mine.isEmpty() ? List.of() : List.copyOf(mine.subList(lo, hi + 1));
    }

    private static int indexOf(List<SnapshotRecord> list, String idOrName, String cluster) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).id().equals(idOrName) || list.get(i).name().equals(idOrName)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no snapshot " + idOrName + " of " + cluster
                + "; `snapshot list --cluster " + cluster + "` lists them");
    }

    /** Runs the search to its end, or to a cancel; always destroys its probe clones. */
    public BisectResult run(Request req) throws RefusedException, LockedException, SshException, InterruptedException {
        Search s = new Search();
        s.request = req;
        s.live = new ClusterDiscovery(shell).find(req.cluster());
        ClusterVolume volume = ClusterVolume.resolve(shell, s.live);
        s.catalog = volume.catalog();
        s.range = range(new SnapshotService(shell, actor, null).list(volume), req.cluster(), req.from(), req.to());
        List<String> cleaned = BisectRuns.clean(shell, s.catalog, req.cluster(), actor, listener::line);
        if (!cleaned.isEmpty()) {
            listener.line("removed " + cleaned.size() + " probe clone(s) an interrupted bisect left: " + String.join(", ", cleaned));
        }
        if (req.check() instanceof BisectCheck.UpgradeCheck u) {
            s.plan = plan(s.live, u.targetVersion());
        } else if (req.check() instanceof BisectCheck.Rehearsal r) {
            s.plan = plan(s.live, r.targetVersion());
        }
        int k = effectiveParallel(s.catalog, req);
        Instant started = Instant.now();
        s.stamp = Catalog.STAMP.format(started);
        String op = BisectRuns.operation(s.stamp, req.cluster());
        s.journal = new Journal(shell, s.catalog, op);
        Map<String, String> planData = new LinkedHashMap<>();
        planData.put("cluster", req.cluster());
        planData.put("check", req.check().describe());
        planData.put("mode", req.mode().name());
        planData.put("parallel", Integer.toString(k));
        planData.put("snapshots", Integer.toString(s.range.size()));
        if (!s.range.isEmpty()) {
            planData.put("from", s.range.get(0).id());
            planData.put("to", s.range.get(s.range.size() - 1).id());
        }
        planData.put(JournalEntry.UNDO_WITH, "twinshift bisect clean --cluster " + req.cluster() + " --yes");
        planData.putAll(BisectRuns.liveness());
        s.journal.append(JournalEntry.plan(actor, "bisect of " + req.cluster() + ": " + req.check().describe(), planData));
        listener.line("bisect " + op + ": " + s.range.size() + " snapshot(s) of " + req.cluster() + ", "
                + req.check().describe() + ", " + req.mode().name().toLowerCase().replace('_', ' ')
                + (k > 1 ? ", " + k + " probes at a time" : ""));
        cancel.boundary(CancelRequest.Policy.abandon("Cancel stops the running check, destroys the probe clones and keeps"
                + " what the probes so far found. The live cluster is never touched."));
        cancel.onChange(this::stopRunning);

        BisectSearch search = new BisectSearch(s.range.size(), req.mode(), k);
        String errorWhy = null;
        int rounds = 0;
        ChangeReport changes = null;
        List<String> notes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(k, r -> {
            Thread t = new Thread(r, "bisect-probe");
            t.setDaemon(true);
            return t;
        });
        boolean interrupted = false;
        try {
            if (req.check() instanceof BisectCheck.SameRows sr && !s.range.isEmpty()) {
                errorWhy = reference(s, sr);
            }
            while (errorWhy == null && !cancel.requested()) {
                List<Integer> next = search.next();
                if (next.isEmpty()) {
                    break;
                }
                rounds++;
                int round = rounds;
                listener.line("round " + round + ": " + String.join(", ", next.stream().map(i -> label(s, i)).toList()));
                List<Future<Probe>> futures = new ArrayList<>();
                for (int i : next) {
                    futures.add(pool.submit(() -> probe(s, i, round)));
                }
                for (Future<Probe> f : futures) {
                    Probe p;
                    while (true) {
                        try {
                            p = f.get();
                            break;
                        } catch (InterruptedException e) {
                            // The probes still clean up after themselves: wait for them, then end.
                            interrupted = true;
                            cancel.request("an interrupt");
                        } catch (ExecutionException e) {
                            throw new IllegalStateException("a probe failed: " + e.getCause().getMessage(), e.getCause());
                        }
                    }
                    if (p == null) {
                        continue; // cancelled before it could judge
                    }
                    search.record(p.index(), req.oldestBad() ? p.verdict().swapped() : p.verdict());
                    if (p.verdict() == Verdict.ERROR && errorWhy == null) {
                        errorWhy = "the check itself failed on " + p.snapshot() + ": " + p.excerpt();
                    }
                }
            }
            BisectSearch.Conclusion c = search.conclusion();
            notes.addAll(c.notes().stream().map(n -> positionsToIds(s, n)).toList());
            if (c.outcome() == BisectSearch.Outcome.FOUND && req.changeReport() && !cancel.requested()) {
                try {
                    changes = changeReport(s, s.range.get(c.lastGood()), s.range.get(c.firstBad()));
                } catch (SshException | RefusedException | LockedException | RuntimeException e) {
                    notes.add("what changed could not be read: " + e.getMessage());
                    listener.line("what changed could not be read: " + e.getMessage());
                }
            }
        } finally {
            pool.shutdown();
            cancel.refuse("The bisect has ended.");
        }
        BisectResult result = result(s, op, started, search, k, rounds, errorWhy, notes, changes);
        save(s, result);
        if (interrupted) {
            throw new InterruptedException(result.message());
        }
        return result;
    }

    private void save(Search s, BisectResult r) throws SshException, InterruptedException {
        BisectStore.save(s.catalog, r);
        Map<String, String> data = new LinkedHashMap<>();
        data.put("outcome", r.outcome().name());
        data.put("result", BisectStore.path(s.catalog, r.id()));
        if (r.lastGood() != null) {
            data.put("lastGood", r.lastGood());
        }
        if (r.firstBad() != null) {
            data.put("firstBad", r.firstBad());
        }
        String state = r.outcome() == BisectSearch.Outcome.CANCELLED ? "CANCELLED"
                : r.outcome() == BisectSearch.Outcome.ERROR ? "ERROR" : "COMPLETED";
        s.journal.append(JournalEntry.outcome(actor, state, r.message(), data));
        listener.line(r.message());
        listener.line("result saved to " + BisectStore.path(s.catalog, r.id()));
    }

    private UpgradePlan plan(PgCluster live, String target) throws RefusedException, SshException, InterruptedException {
        UpgradePlanner.Result r = new Upgrades(shell).plan(live, target, null);
        if (!r.ok()) {
            throw new RefusedException("cannot check an upgrade of " + live.id() + " to " + target + ":\n  - "
                    + String.join("\n  - ", r.refusals()));
        }
        return r.plan();
    }

    /** k as asked, as far as the server's cores and its free space over the floor allow (and said when not). */
    private int effectiveParallel(Catalog catalog, Request req) throws SshException, InterruptedException {
        int k = req.parallel();
        if (k == 1) {
            return 1;
        }
        int cores = 1;
        CommandResult nproc = shell.run(RemoteCommand.of("nproc"));
        if (nproc.ok() && nproc.stdout().strip().matches("[0-9]+")) {
            cores = Integer.parseInt(nproc.stdout().strip());
        }
        SpaceGuard.Standing space = clones.spaceGuard().standing(catalog);
        boolean twins = req.check() instanceof BisectCheck.UpgradeCheck || req.check() instanceof BisectCheck.Rehearsal;
        long room = space.headroomBytes() / (PROBE_ROOM_BYTES * (twins ? 2 : 1));
        int allowed = (int) Math.max(1, Math.min(Math.min(k, cores), room));
        if (allowed < k) {
            listener.line(allowed + " probe(s) at a time instead of " + k + ": the server has " + cores + " core(s) and "
                    + space.describe() + " (a probe needs " + FailureCause.human(PROBE_ROOM_BYTES * (twins ? 2 : 1))
                    + " above the floor)");
        }
        return allowed;
    }

    static String cloneName(String stamp, int index) {
        return BisectRuns.CLONE_PREFIX + stamp + "-p" + String.format("%02d", index);
    }

    private static String label(Search s, int i) {
        return "#" + (i + 1) + " " + s.range.get(i).id();
    }

    /** "position 7" in the search's notes becomes the snapshot's id. */
    private static String positionsToIds(Search s, String note) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("position ([0-9]+)|\\(([0-9]+)\\)").matcher(note);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            int i = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
            String id = i < s.range.size() ? s.range.get(i).id() : "?";
            m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(m.group(1) != null ? id : "(" + id + ")"));
        }
        m.appendTail(b);
        return b.toString();
    }

    // ---- one probe ----------------------------------------------------------------------------------

    /** A probe of position {@code i}: its clones journaled, made, checked and destroyed; null if cancelled first. */
    private Probe probe(Search s, int i, int round) throws SshException, InterruptedException {
        SnapshotRecord snap = s.range.get(i);
        String name = cloneName(s.stamp, i);
        List<String> made = s.plan != null ? Rehearsal.twinNames(s.plan, name) : List.of(name);
        if (cancel.requested()) {
            return null;
        }
        String step = "probe-" + (i + 1);
        s.journal.append(JournalEntry.step(actor, step, "STARTED", "probe " + snap.id(),
                Map.of("snapshot", snap.id(), "clones", String.join(",", made))));
        Instant t0 = Instant.now();
        Verdicts.Judged j;
        try {
            j = judge(s, snap, name);
        } catch (SshException | RuntimeException e) {
            j = cancel.requested() ? null : new Verdicts.Judged(Verdict.ERROR, "the probe failed: " + message(e));
        } finally {
            for (String c : made) {
                destroyQuietly(s.catalog, c);
            }
        }
        if (cancel.requested() && (j == null || j.verdict() != Verdict.GOOD && j.verdict() != Verdict.BAD)) {
            s.journal.append(JournalEntry.step(actor, step, "FAILED", "cancelled; probe clones destroyed",
                    Map.of("snapshot", snap.id())));
            listener.line("probe of " + snap.id() + " cancelled; its clone is destroyed");
            return null;
        }
        long ms = Duration.between(t0, Instant.now()).toMillis();
        Probe p = new Probe(i, snap.id(), snap.createdAt(), j.verdict(), j.excerpt(), ms, round, name, t0);
        s.probes.add(p);
        String shortExcerpt = p.excerpt().length() > 300 ? p.excerpt().substring(0, 300) + " ..." : p.excerpt();
        s.journal.append(JournalEntry.step(actor, step, "DONE", p.verdict() + " " + snap.id(), Map.of("snapshot", snap.id(),
                "verdict", p.verdict().name(), "millis", Long.toString(ms), "excerpt", shortExcerpt)));
        listener.line(String.format("#%d %s: %s (%.1f s)%s", i + 1, snap.id(), p.verdict(), ms / 1000.0,
                p.excerpt().isBlank() ? "" : " - " + firstLine(p.excerpt())));
        listener.probe(p);
        return p;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " ...";
    }

    private static String message(Exception e) {
        return e instanceof SshException se ? se.explain() : e.getMessage();
    }

    private Verdicts.Judged judge(Search s, SnapshotRecord snap, String name) throws SshException, InterruptedException {
        BisectCheck check = s.request.check();
        if (check instanceof BisectCheck.UpgradeCheck || check instanceof BisectCheck.Rehearsal) {
            return upgradeProbe(s, snap, name, check instanceof BisectCheck.Rehearsal);
        }
        AtomicReference<Verdicts.Judged> early = new AtomicReference<>();
        CloneServer.Spec spec = startClone(s.catalog, snap, name, early);
        if (spec == null) {
            return early.get();
        }
        return switch (check) {
            case BisectCheck.SqlTrue q -> {
                CommandResult r = tracked(psql(spec, q.database(), q.sql()));
                yield Verdicts.sqlTrue(r.exitCode(), r.stdout(), r.stderr());
            }
            case BisectCheck.SameRows q -> {
                CommandResult r = tracked(psql(spec, q.database(), q.sql()));
                yield Verdicts.sameRows(s.reference, r.exitCode(), r.stdout(), r.stderr());
            }
            case BisectCheck.Command c -> {
                CommandResult r = tracked(command(spec, snap, c.argv()));
                yield Verdicts.command(r.exitCode(), r.stdout(), r.stderr());
            }
            default -> throw new IllegalStateException(check.toString());
        };
    }

    /**
     * Makes and starts the clone; null with the verdict in {@code early} when it cannot be judged: a clone
     * that does not start is SKIPPED, a clone that cannot be made (no room, the lock held) is an ERROR
     * that stops the search, since every other snapshot would fail the same way.
     */
    private CloneServer.Spec startClone(Catalog catalog, SnapshotRecord snap, String name,
                                        AtomicReference<Verdicts.Judged> early) throws SshException, InterruptedException {
        try {
            clones.create(catalog, snap.id(), name);
        } catch (RefusedException | LockedException e) {
            early.set(new Verdicts.Judged(Verdict.ERROR, "cannot make the probe clone: " + e.getMessage()));
            return null;
        }
        if (cancel.requested()) {
            early.set(null);
            return null;
        }
        try {
            CloneRecord c = clones.start(catalog, name);
            return clones.spec(catalog, c);
        } catch (RefusedException | LockedException e) {
            early.set(new Verdicts.Judged(Verdict.ERROR, "cannot start the probe clone: " + e.getMessage()));
        } catch (SshException e) {
            if (e.kind() == SshException.Kind.NO_SPACE) {
                early.set(new Verdicts.Judged(Verdict.ERROR, "cannot start the probe clone: " + e.explain()));
            } else {
                early.set(new Verdicts.Judged(Verdict.SKIPPED, "the clone did not start: " + e.getMessage()));
            }
        }
        return null;
    }

    static RemoteCommand psql(CloneServer.Spec spec, String db, String sql) {
        return RemoteCommand.of(spec.binDir() + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-v",
                "VERBOSITY=verbose", "-F", Verdicts.SEP, "-h", spec.socketDirectory(), "-p", Integer.toString(spec.port()),
                "-d", db, "-c", sql).asUser(spec.owner());
    }

    /** The user's command as the clone's owner, pointed at the clone by libpq's environment; argv stays a list. */
    static RemoteCommand command(CloneServer.Spec spec, SnapshotRecord snap, List<String> argv) {
        List<String> a = new ArrayList<>(List.of("env", "PGHOST=" + spec.socketDirectory(), "PGPORT=" + spec.port(),
                "PGDATA=" + spec.dataDirectory(), "TWINSHIFT_SNAPSHOT=" + snap.id(), "--"));
        a.addAll(argv);
        return RemoteCommand.of(a).asUser(spec.owner());
    }

    /** Runs a check's command so that a cancel can stop it. */
    private CommandResult tracked(RemoteCommand cmd) throws SshException, InterruptedException {
        RunningCommand rc = shell.start(cmd, ExecOptions.defaults().withTimeout(CHECK_TIMEOUT), LineListener.IGNORE);
        running.add(rc);
        try {
            if (cancel.requested()) {
                rc.cancel();
            }
            return rc.await();
        } finally {
            running.remove(rc);
        }
    }

    private void stopRunning() {
        if (!cancel.requested()) {
            return;
        }
        String by = cancel.requestedBy().orElse("someone");
        for (RunningCommand rc : running) {
            rc.cancel();
        }
        for (CancelRequest r : rehearsals) {
            r.request(by);
        }
    }

    /** pg_upgrade --check (or the whole rehearsal) on twins of the snapshot's clone, through the rehearsal's own code. */
    private Verdicts.Judged upgradeProbe(Search s, SnapshotRecord snap, String name, boolean full)
            throws SshException, InterruptedException {
        CancelRequest rc = new CancelRequest();
        rehearsals.add(rc);
        cancel.requestedBy().ifPresent(rc::request);
        Map<String, String> failed = new ConcurrentHashMap<>();
        UpgradeListener l = new UpgradeListener() {
            @Override
            public void step(String step, String state, String message) {
                if ("FAILED".equals(state)) {
                    failed.putIfAbsent("step", step);
                }
            }

            @Override
            public void log(String line) {
            }
        };
        Rehearsal rehearsal = new Rehearsal(shell, actor, l, rc);
        try {
            Rehearsal.Result r = full
                    ? rehearsal.rehearseOf(s.plan, new Rehearsal.Options(List.of(), List.of(), 1, false), snap.id(), name)
                    : rehearsal.preflightOf(s.plan, snap.id(), name);
            boolean good = full ? r.passed() : r.compatible();
            StringBuilder b = new StringBuilder(good ? (full ? "the rehearsal passed" : "pg_upgrade --check: compatible")
                    : (full ? "the rehearsal did not pass" : "pg_upgrade --check: not compatible"));
            for (PgUpgradeCheckReport.Finding f : r.blockers()) {
                b.append("\n").append(f.check()).append(": ").append(f.explanation());
            }
            if (full && !good && r.blockers().isEmpty()) {
                b.append("\n").append(r.report() == null ? "" : r.report());
            }
            return new Verdicts.Judged(good ? Verdict.GOOD : Verdict.BAD, b.toString());
        } catch (UpgradeException e) {
            if (cancel.requested()) {
                return null;
            }
            String step = failed.getOrDefault("step", "");
            if (step.equals(Rehearsal.CLONE) || step.equals(Rehearsal.RECOVER)) {
                return new Verdicts.Judged(Verdict.SKIPPED, "the clone did not start: " + e.getMessage());
            }
            if (full && Rehearsal.STEPS.indexOf(step) >= Rehearsal.STEPS.indexOf(Rehearsal.CHECK)) {
                return new Verdicts.Judged(Verdict.BAD, "the rehearsal failed at " + step + ": " + e.getMessage());
            }
            return new Verdicts.Judged(Verdict.ERROR, "the rehearsal's " + (step.isEmpty() ? "setup" : step)
                    + " step failed: " + e.getMessage());
        } finally {
            rehearsals.remove(rc);
        }
    }

    /** Destroys a probe clone if it is there, waiting out another console's short hold of the lock. */
    private void destroyQuietly(Catalog catalog, String name) throws InterruptedException {
        for (int attempt = 1; attempt <= 4; attempt++) {
            try {
                if (catalog.clone(name).isPresent()) {
                    clones.destroy(catalog, name);
                }
                return;
            } catch (LockedException | SshException | RuntimeException e) {
                if (attempt == 4) {
                    listener.line("could not destroy the probe clone " + name + ": " + message(e)
                            + "; the next bisect removes it, or `twinshift bisect clean --cluster ... --yes`");
                }
            }
        }
    }

    // ---- the reference and the change report --------------------------------------------------------

    /** The reference rows of a same-rows check, read once; the reason when they cannot be read. */
    private String reference(Search s, BisectCheck.SameRows q) throws SshException, InterruptedException {
        SnapshotRecord ref = s.catalog.snapshot(q.reference()).orElseThrow(() -> new IllegalArgumentException(
                "no reference snapshot " + q.reference() + " in " + s.catalog.root()));
        String name = BisectRuns.CLONE_PREFIX + s.stamp + "-ref";
        s.journal.append(JournalEntry.step(actor, "reference", "STARTED", "reference rows on " + ref.id(),
                Map.of("snapshot", ref.id(), "clones", name)));
        listener.line("reading the reference rows on " + ref.id());
        Verdicts.Judged failure = null;
        try {
            AtomicReference<Verdicts.Judged> early = new AtomicReference<>();
            CloneServer.Spec spec = startClone(s.catalog, ref, name, early);
            if (spec == null) {
                failure = early.get() == null ? new Verdicts.Judged(Verdict.ERROR, "cancelled") : early.get();
            } else {
                CommandResult r = tracked(psql(spec, q.database(), q.sql()));
                if (r.exitCode() != 0) {
                    failure = Verdicts.sqlFailure(r.exitCode(), r.stderr());
                } else {
                    s.reference = Verdicts.rows(r.stdout());
                }
            }
        } finally {
            destroyQuietly(s.catalog, name);
        }
        String why = failure == null ? null : "the reference rows could not be read on " + ref.id() + ": " + failure.excerpt();
        s.journal.append(JournalEntry.step(actor, "reference", why == null ? "DONE" : "FAILED",
                why == null ? s.reference.size() + " reference row(s)" : why, Map.of()));
        return why;
    }

    private ChangeReport changeReport(Search s, SnapshotRecord good, SnapshotRecord bad)
            throws RefusedException, LockedException, SshException, InterruptedException {
        String goodName = BisectRuns.CLONE_PREFIX + s.stamp + "-good";
        String badName = BisectRuns.CLONE_PREFIX + s.stamp + "-bad";
        s.journal.append(JournalEntry.step(actor, "change-report", "STARTED", "what changed from " + good.id() + " to "
                + bad.id(), Map.of("clones", goodName + "," + badName)));
        listener.line("reading what changed from " + good.id() + " to " + bad.id());
        try {
            ChangeReport.State before = readClone(s.catalog, good, goodName);
            ChangeReport.State after = readClone(s.catalog, bad, badName);
            ChangeReport r = ChangeReport.compare(good.id(), bad.id(), before, after);
            s.journal.append(JournalEntry.step(actor, "change-report", "DONE", "what changed: " + r.summary(), Map.of()));
            return r;
        } catch (SshException | RefusedException | LockedException | RuntimeException e) {
            s.journal.append(JournalEntry.step(actor, "change-report", "FAILED", message(e), Map.of()));
            throw e;
        } finally {
            destroyQuietly(s.catalog, goodName);
            destroyQuietly(s.catalog, badName);
        }
    }

    private ChangeReport.State readClone(Catalog catalog, SnapshotRecord snap, String name)
            throws RefusedException, LockedException, SshException, InterruptedException {
        clones.create(catalog, snap.id(), name);
        CloneRecord c = clones.start(catalog, name);
        CloneServer.Spec spec = clones.spec(catalog, c);
        ChangeReport.State st = ChangeReport.read(new CloneServer(shell).psql(spec),
                CloneServer.commandLineSettings(spec).keySet());
        clones.destroy(catalog, name);
        return st;
    }

    // ---- the result ---------------------------------------------------------------------------------

    private BisectResult result(Search s, String op, Instant started, BisectSearch search, int k, int rounds,
                                String errorWhy, List<String> notes, ChangeReport changes) {
        BisectSearch.Conclusion c = search.conclusion();
        BisectSearch.Outcome outcome = cancel.requested() && c.outcome() == BisectSearch.Outcome.OPEN
                || cancel.requested() && errorWhy == null && c.outcome() != BisectSearch.Outcome.FOUND
                ? BisectSearch.Outcome.CANCELLED : errorWhy != null ? BisectSearch.Outcome.ERROR : c.outcome();
        boolean rev = s.request.oldestBad();
        String lo = c.lastGood() >= 0 ? s.range.get(c.lastGood()).id() : null;
        String hi = c.firstBad() >= 0 ? s.range.get(c.firstBad()).id() : null;
        List<String> undecided = c.undecided().stream().map(i -> s.range.get(i).id()).toList();
        String good = rev ? "bad" : "good";
        String bad = rev ? "good" : "bad";
        String message = switch (outcome) {
            case FOUND -> "last " + good + ": " + lo + " (taken " + s.range.get(c.lastGood()).createdAt() + "), first " + bad
                    + ": " + hi + " (taken " + s.range.get(c.firstBad()).createdAt() + "), after " + s.probes.size()
                    + " probe(s)";
            case NO_BAD -> "no " + bad + " snapshot in the range: the newest that could be judged, " + lo + ", is "
                    + good.toUpperCase();
            case NO_GOOD -> "no " + good + " snapshot in the range: the oldest, " + hi + ", is already " + bad.toUpperCase();
            case UNDECIDED -> hi == null && lo == null ? "no snapshot of the range could be judged: every probe was skipped"
                    : "undecided: the first " + bad + " snapshot is " + (hi == null ? "" : hi + " or ") + "one of the skipped "
                    + String.join(", ", undecided) + (lo == null ? "" : "; the last " + good + " is " + lo);
            case ERROR -> errorWhy + ". An error of the check is not taken as " + bad + ": fix the check and run again";
            case EMPTY -> "no snapshots of " + s.request.cluster() + " in the range: nothing to probe";
            case CANCELLED -> "cancelled by " + cancel.requestedBy().orElse("someone") + " after " + s.probes.size()
                    + " probe(s); every probe clone was destroyed";
            case OPEN -> "stopped before the search ended";
        };
        List<BisectResult.Mark> marks = new ArrayList<>();
        for (int i = 0; i < s.range.size(); i++) {
            SnapshotRecord r = s.range.get(i);
            Verdict v = search.verdict(i) == null ? null : rev ? search.verdict(i).swapped() : search.verdict(i);
            BisectResult.Role role = BisectResult.Role.NONE;
            boolean marked = outcome != BisectSearch.Outcome.ERROR && outcome != BisectSearch.Outcome.CANCELLED;
            if (marked && i == c.lastGood()) {
                role = rev ? BisectResult.Role.LAST_BAD : BisectResult.Role.LAST_GOOD;
            } else if (marked && i == c.firstBad()) {
                role = rev ? BisectResult.Role.FIRST_GOOD : BisectResult.Role.FIRST_BAD;
            } else if (marked && c.undecided().contains(i)) {
                role = BisectResult.Role.UNDECIDED;
            }
            marks.add(new BisectResult.Mark(r.id(), r.createdAt(), v, role));
        }
        boolean keep = outcome != BisectSearch.Outcome.ERROR && outcome != BisectSearch.Outcome.CANCELLED;
        List<Probe> probes = new ArrayList<>(s.probes);
        probes.sort(Comparator.comparing(Probe::round).thenComparing(Probe::index));
        return new BisectResult(s.stamp, op, shell.serverName(), s.request.cluster(), s.request.check(), s.request.mode(), k,
                rev, started, Instant.now(), marks, probes, outcome, keep && !rev ? lo : null, keep && !rev ? hi : null,
                keep && rev ? lo : null, keep && rev ? hi : null, undecided, message, notes, rounds, changes);
    }
}
