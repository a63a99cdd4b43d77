package dev.twinshift.bisect;

import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.CloneRecord;
import dev.twinshift.storage.CloneService;
import dev.twinshift.storage.Journal;
import dev.twinshift.storage.LockLiveness;
import dev.twinshift.storage.LockOwner;
import dev.twinshift.storage.LockedException;
import dev.twinshift.storage.OperationState;
import dev.twinshift.storage.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bisects journaled in a catalog and the probe clones they left: which still run, and which
 * clones nobody will destroy any more (their bisect ended, or its console is gone).
 */
public final class BisectRuns {
    /** Every probe clone's name starts with this, then the bisect's stamp: {@code bisect-<stamp>-p<position>}. */
    public static final String CLONE_PREFIX = "bisect-";
    /**
     * A bisect of another workstation counts as running this long after its last journal line: its
     * process cannot be looked at from here, and one probe (a rehearsal) may take this long.
     */
    public static final Duration QUIET_LIMIT = Duration.ofHours(1);

    /** PLAN data keys: the console that runs the bisect, to tell whether it still does. */
    static final String HOST = "host";
    static final String PID = "pid";
    static final String PROCESS_START = "processStart";
    static final String BOOT_ID = "bootId";

    /** One bisect as its journal tells it. */
    public record Run(String operation, String cluster, String check, Instant startedAt, Instant lastAt, String outcome,
                      boolean running, String liveness, String lastMessage) {
    }

    private BisectRuns() {}

    static String operation(String stamp, String cluster) {
        return stamp + "-bisect-" + cluster.replace('/', '-');
    }

    /** The stamp in a probe clone's name, or null when the name is not a probe clone's. */
    static String stampOf(String cloneName) {
        if (!cloneName.startsWith(CLONE_PREFIX)) {
            return null;
        }
        String rest = cloneName.substring(CLONE_PREFIX.length());
        return rest.matches("[0-9]{8}T[0-9]{6}Z(-.*)?") ? rest.substring(0, 16) : null;
    }

    /** Every bisect journaled in the catalog, newest first. */
    public static List<Run> list(RemoteShell shell, Catalog catalog) throws SshException, InterruptedException {
        List<Run> out = new ArrayList<>();
        for (String op : Journal.operations(shell, catalog)) {
            if (!op.matches("[0-9]{8}T[0-9]{6}Z-bisect-.*")) {
                continue;
            }
            OperationState st = OperationState.read(new Journal(shell, catalog, op));
            out.add(judge(op, st, Instant.now(), LockLiveness.thisMachine()));
        }
        return out;
    }

    /** Whether the bisect of this journal still runs: ended, its process gone, or quiet for too long says no. */
    static Run judge(String op, OperationState st, Instant now, LockLiveness.Local here) {
        Map<String, String> p = st.plan();
        String cluster = p.get("cluster");
        if (st.outcome() != null) {
            return new Run(op, cluster, p.get("check"), st.startedAt(), st.lastAt(), st.outcome(), false, "ended",
                    st.lastMessage());
        }
        Long pid = p.get(PID) == null ? null : Long.valueOf(p.get(PID));
        Instant started = p.get(PROCESS_START) == null ? null : Instant.parse(p.get(PROCESS_START));
        Instant last = st.lastAt() == null ? now : st.lastAt();
        LockOwner asOwner = new LockOwner(op, null, "bisect " + op, st.startedAt(), new LockOwner.Lease(p.get(HOST), pid,
                started, p.get(BOOT_ID), last, last.plus(QUIET_LIMIT)));
        LockLiveness.Verdict v = LockLiveness.judge(asOwner, now, QUIET_LIMIT, here);
        return new Run(op, cluster, p.get("check"), st.startedAt(), st.lastAt(), null, v.alive(), v.reason(), st.lastMessage());
    }

    /** Probe clones of the cluster that no running bisect will destroy: left by a bisect that was killed or lost its connection. */
    public static List<CloneRecord> leftovers(RemoteShell shell, Catalog catalog, String cluster)
            throws SshException, InterruptedException {
        return leftovers(catalog, cluster, list(shell, catalog));
    }

    /** The same, judged against every bisect of the catalog already read with {@link #list}. */
    public static List<CloneRecord> leftovers(Catalog catalog, String cluster, List<Run> runs)
            throws SshException, InterruptedException {
        List<CloneRecord> out = new ArrayList<>();
        for (CloneRecord c : catalog.clones()) {
            String stamp = stampOf(c.name());
            if (stamp == null || !cluster.equals(c.cluster())) {
                continue;
            }
            boolean running = runs.stream().anyMatch(r -> r.operation().startsWith(stamp + "-bisect-") && r.running());
            if (!running) {
                out.add(c);
            }
        }
        return out;
    }

    /** Destroys the leftover probe clones; returns their names. The live cluster is never touched. */
    public static List<String> clean(RemoteShell shell, Catalog catalog, String cluster, Actor actor, Progress progress)
            throws LockedException, SshException, InterruptedException {
        return clean(shell, catalog, leftovers(shell, catalog, cluster), actor, progress);
    }

    /** Destroys these leftover probe clones (as {@link #leftovers} found them); returns their names. */
    public static List<String> clean(RemoteShell shell, Catalog catalog, List<CloneRecord> leftovers, Actor actor,
                                     Progress progress) throws LockedException, SshException, InterruptedException {
        CloneService clones = new CloneService(shell, actor, progress);
        List<String> gone = new ArrayList<>();
        for (CloneRecord c : leftovers) {
            progress.step("destroy the probe clone " + c.name() + " (of " + c.parent() + ") left by an interrupted bisect");
            clones.destroy(catalog, c.name());
            gone.add(c.name());
        }
        return gone;
    }

    /** The PLAN data that lets another console tell whether this process still runs the bisect. */
    static Map<String, String> liveness() {
        LockLiveness.Local here = LockLiveness.thisMachine();
        ProcessHandle self = ProcessHandle.current();
        java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
        m.put(HOST, here.host());
        m.put(PID, Long.toString(self.pid()));
        self.info().startInstant().ifPresent(s -> m.put(PROCESS_START, s.toString()));
        if (here.bootId() != null) {
            m.put(BOOT_ID, here.bootId());
        }
        return m;
    }
}
