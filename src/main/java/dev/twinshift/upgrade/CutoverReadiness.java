package dev.twinshift.upgrade;

import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.ssh.SshException;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.Journal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one rule that says whether a live cluster may be cut over, used by the wizard, the command line
 * and the cutover itself: a cutover needs a <b>passed</b> rehearsal of the <b>same plan</b> on a
 * <b>recent</b> snapshot, or an explicit override that is journaled.
 *
 * <ul>
 *   <li>Passed: pg_upgrade --check found nothing, pg_upgrade ran on the twin, every table is equal
 *       and every one of the administrator's SQL checks gives the same result on both versions. A
 *       check that differs means "not ready" everywhere: it is what the administrator asked to be
 *       sure of. The regression workload is reported but does not decide (its queries are not the
 *       administrator's own).</li>
 *   <li>Same plan: same old cluster and data directory, same target version, same method, same new
 *       cluster name and data directory ({@link #fingerprint}). Ports, free space and the
 *       operation's name change from one planning to the next and do not count.</li>
 *   <li>Recent: the rehearsal's snapshot of live was taken less than {@link #RECENT} ago. Older,
 *       the live data and schema may have moved on from what was proved.</li>
 *   <li>The newest rehearsal of the plan decides: a later failed one is not outweighed by an
 *       earlier pass.</li>
 * </ul>
 *
 * <p>The verdict is read from the rehearsal's journal on the server (its OUTCOME line carries the
 * fingerprint and the verdict), so every console and workstation reaches the same decision.
 */
public final class CutoverReadiness {
    private CutoverReadiness() {}

    /** How old a rehearsal's snapshot may be for the cutover to count on it. */
    public static final Duration RECENT = Duration.ofHours(24);

    /** Keys of the rehearsal's OUTCOME data. */
    public static final String FINGERPRINT = "planFingerprint";
    public static final String VERDICT = "verdict";
    public static final String WHY = "verdictReason";
    public static final String SNAPSHOT_AT = "snapshotAt";

    public static final String PASSED = "PASSED";
    public static final String FAILED = "FAILED";

    /** What the rule decided, and why, in a sentence for a refusal or a journal note. */
    public record Decision(boolean ready, String reason, String rehearsal) {
    }

    /** A short, stable identity of what a plan upgrades to what, and how. */
    public static String fingerprint(UpgradePlan p) {
        String text = String.join("\n", p.oldId(), p.oldDataDirectory(), p.newVersion(), p.newName(),
                p.newDataDirectory(), p.method().name());
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** Why a finished rehearsal is not a pass; empty when it passed. */
    public static List<String> problems(Rehearsal.Result r) {
        List<String> out = new ArrayList<>();
        if (r.preflightOnly()) {
            out.add("a preflight is not a rehearsal: pg_upgrade did not run on a twin");
            return out;
        }
        if (!r.compatible()) {
            out.add(r.blockers().size() + " blocker(s) found by pg_upgrade --check and the preflight queries");
            return out;
        }
        List<String> tables = r.tables().stream().filter(t -> !t.equal()).map(Validation.TableComparison::table).toList();
        if (!tables.isEmpty()) {
            out.add(tables.size() + " table(s) differ after pg_upgrade: " + String.join(", ", tables.subList(0,
                    Math.min(5, tables.size()))) + (tables.size() > 5 ? ", ..." : ""));
        }
        List<String> checks = r.checks().stream().filter(c -> !c.sameResult()).map(Validation.SideBySide::name).toList();
        if (!checks.isEmpty()) {
            out.add(checks.size() + " of your SQL check(s) give a different result on " + r.plan().newVersion() + ": "
                    + String.join(", ", checks));
        }
        return out;
    }

    public static boolean passed(Rehearsal.Result r) {
        return problems(r).isEmpty();
    }

    /** What a finished rehearsal writes into its OUTCOME line for the rule to read back. */
    public static Map<String, String> outcomeData(Rehearsal.Result r, Instant snapshotAt) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(FINGERPRINT, fingerprint(r.plan()));
        List<String> p = problems(r);
        m.put(VERDICT, p.isEmpty() ? PASSED : FAILED);
        if (!p.isEmpty()) {
            m.put(WHY, String.join("; ", p));
        }
        if (snapshotAt != null) {
            m.put(SNAPSHOT_AT, snapshotAt.toString());
        }
        return m;
    }

    /** The OUTCOME data of a rehearsal that stopped on an error. */
    public static Map<String, String> stoppedData(UpgradePlan plan, Instant snapshotAt) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(FINGERPRINT, fingerprint(plan));
        m.put(VERDICT, FAILED);
        m.put(WHY, "the rehearsal stopped on an error before it finished");
        if (snapshotAt != null) {
            m.put(SNAPSHOT_AT, snapshotAt.toString());
        }
        return m;
    }

    static boolean isRehearsal(String operation) {
        return operation.contains("-rehearsal-");
    }

    /**
     * The decision for a plan, from the journaled operations of its catalog (any order).
     *
     * @param now the time to measure the snapshot's age against
     */
    public static Decision decide(UpgradePlan plan, List<UpgradeState> journaled, Instant now) {
        String fp = fingerprint(plan);
        UpgradeState newest = null;
        boolean otherPlan = false;
        for (UpgradeState s : journaled) {
            if (!isRehearsal(s.operation()) || s.plan() == null || !s.plan().oldId().equals(plan.oldId())) {
                continue;
            }
            if (!fp.equals(s.data().get(FINGERPRINT))) {
                otherPlan |= s.outcome() != null;
                continue;
            }
            if (s.outcome() == null) {
                continue; // still running, or its console died before it could say how it ended
            }
            if (newest == null || s.operation().compareTo(newest.operation()) > 0) {
                newest = s;
            }
        }
        if (newest == null) {
            return new Decision(false, "no rehearsal of this plan (" + plan.oldId() + " -> " + plan.newId() + ", "
                    + plan.method().label() + ") is journaled on the server" + (otherPlan
                    ? "; the rehearsals there were of another plan (another target, method or new name)" : ""), null);
        }
        String op = newest.operation();
        String verdict = newest.data().get(VERDICT);
        if (!PASSED.equals(verdict)) {
            String why = newest.data().getOrDefault(WHY, UpgradeState.ABANDONED.equals(newest.outcome())
                    ? "it stopped on an error" : "it did not pass");
            return new Decision(false, "the newest rehearsal of this plan, " + op + ", did not pass: " + why, op);
        }
        Instant at = snapshotAt(newest);
        if (at == null) {
            return new Decision(false, "the newest rehearsal of this plan, " + op + ", does not say when its snapshot was"
                    + " taken", op);
        }
        Duration age = Duration.between(at, now);
        if (age.compareTo(RECENT) > 0) {
            return new Decision(false, "the newest rehearsal of this plan, " + op + ", passed on a snapshot taken "
                    + hours(age) + " ago; a cutover needs one of less than " + RECENT.toHours() + " h", op);
        }
        return new Decision(true, "rehearsal " + op + " of this plan passed on a snapshot taken " + hours(age) + " ago", op);
    }

    private static Instant snapshotAt(UpgradeState s) {
        String v = s.data().get(SNAPSHOT_AT);
        try {
            return v == null ? null : Instant.parse(v);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String hours(Duration d) {
        long m = Math.max(0, d.toMinutes());
        return m < 60 ? m + " min" : String.format("%.1f h", m / 60.0);
    }

    /** The decision for a plan as the server's journals have it. */
    public static Decision read(RemoteShell shell, UpgradePlan plan) throws SshException, InterruptedException {
        Catalog catalog = UpgradeWorkspace.catalogOf(shell, plan);
        List<UpgradeState> rehearsals = new ArrayList<>();
        String suffix = "-rehearsal-" + plan.oldVersion() + "-" + plan.oldName();
        for (String op : Journal.operations(shell, catalog)) {
            if (op.endsWith(suffix)) {
                rehearsals.add(UpgradeState.of(op, new Journal(shell, catalog, op).read()));
            }
        }
        return decide(plan, rehearsals, Instant.now());
    }
}
