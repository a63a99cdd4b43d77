package dev.twinshift.lab;

import dev.twinshift.bisect.BisectCheck;
import dev.twinshift.bisect.BisectMode;
import dev.twinshift.bisect.BisectResult;
import dev.twinshift.bisect.BisectSearch;
import dev.twinshift.bisect.BisectService;
import dev.twinshift.bisect.Probe;
import dev.twinshift.bisect.Verdict;
import dev.twinshift.ssh.RemoteCommand;
import dev.twinshift.ssh.RemoteShell;
import dev.twinshift.storage.Actor;
import dev.twinshift.storage.Catalog;
import dev.twinshift.storage.Progress;
import dev.twinshift.storage.Reason;
import dev.twinshift.storage.SnapshotService;
import java.util.ArrayList;
import java.util.List;

/**
 * The bisect's figures: probes and rounds over 1,024 snapshots, by the real search code against a
 * simulated oracle (every position of the fault, and none), and the wall time of real probes on the
 * lab (the SQL check and pg_upgrade --check to 15 on clones of a scratch cluster's snapshots).
 * Prints {@code key=value} lines. Usage: {@code BisectBench [--simulate-only]}
 */
public final class BisectBench {
    private BisectBench() {}

    public static void main(String[] args) throws Exception {
        for (int k : new int[] {1, 2, 4}) {
            int worstProbes = 0;
            int worstRounds = 0;
            long sumProbes = 0;
            long sumRounds = 0;
            int cases = 0;
            for (int firstBad = 0; firstBad <= 1024; firstBad++) {
                BisectSearch s = new BisectSearch(1024, BisectMode.BINARY, k);
                int probes = 0;
                int rounds = 0;
                for (List<Integer> next = s.next(); !next.isEmpty(); next = s.next()) {
                    rounds++;
                    for (int i : next) {
                        s.record(i, i >= firstBad ? Verdict.BAD : Verdict.GOOD);
                        probes++;
                    }
                }
                worstProbes = Math.max(worstProbes, probes);
                worstRounds = Math.max(worstRounds, rounds);
                sumProbes += probes;
                sumRounds += rounds;
                cases++;
            }
            System.out.printf("sim_k%d_worst_probes=%d%nsim_k%d_worst_rounds=%d%nsim_k%d_mean_probes=%.1f%nsim_k%d_mean_rounds=%.1f%n",
                    k, worstProbes, k, worstRounds, k, (double) sumProbes / cases, k, (double) sumRounds / cases);
        }
        if (args.length > 0 && args[0].equals("--simulate-only")) {
            return;
        }
        RemoteShell shell = LabShell.admin(Lab.require());
        Actor me = Actor.local("tsadmin");
        try (ScratchCluster sc = ScratchCluster.create(shell, "13", "bbench")) {
            sc.sql("postgres", "CREATE TABLE orders(id int PRIMARY KEY, total numeric)");
            SnapshotService snaps = new SnapshotService(shell, me, Progress.NONE);
            for (int i = 1; i <= 8; i++) {
                if (i == 6) {
                    sc.sql("postgres", "CREATE TABLE callbacks(id int, handler regproc)");
                    sc.sql("postgres", "INSERT INTO orders VALUES (-1, -5)");
                }
                sc.sql("postgres", "INSERT INTO orders SELECT g, g FROM generate_series(" + i * 100 + ", " + (i * 100 + 99) + ") g");
                snaps.create(sc.cluster(), Reason.MANUAL, "b" + i);
            }
            Catalog cat = snaps.volumeOf(sc.cluster()).catalog();
            try {
                for (BisectCheck check : List.of(new BisectCheck.SqlTrue("postgres",
                        "SELECT NOT EXISTS (SELECT 1 FROM orders WHERE total < 0)"), new BisectCheck.UpgradeCheck("15"))) {
                    String key = check instanceof BisectCheck.SqlTrue ? "sql" : "upgrade_check";
                    long t0 = System.nanoTime();
                    BisectResult r = new BisectService(shell, me, m -> { }).run(new BisectService.Request(sc.id(), null, null,
                            check, BisectMode.BINARY, 1, false, false));
                    long total = (System.nanoTime() - t0) / 1_000_000;
                    List<Long> ms = new ArrayList<>(r.probes().stream().map(Probe::millis).toList());
                    ms.sort(null);
                    System.out.println(key + "_outcome=" + r.outcome() + " lastGood=" + r.lastGood() + " firstBad=" + r.firstBad());
                    System.out.println(key + "_probes=" + r.probes().size());
                    System.out.println(key + "_probe_ms=" + ms);
                    System.out.println(key + "_probe_median_ms=" + ms.get(ms.size() / 2));
                    System.out.println(key + "_search_ms=" + total);
                }
            } finally {
                shell.run(RemoteCommand.of("sh", "-c", """
                        rm -rf "$1"/journal/*-bisect-"$2".jsonl "$1"/journal/*-preflight-13-"$3"-*.jsonl "$1"/upgrades/*-preflight-13-"$3"-*
                        grep -l "\\"cluster\\" : \\"$4\\"" "$1"/bisect/*.json 2>/dev/null | xargs -r rm -f
                        """, "sh", cat.root(), sc.id().replace('/', '-'), sc.name(), sc.id()).asRoot());
            }
        }
        String load = shell.run(RemoteCommand.of("cat", "/proc/loadavg")).stdout().strip();
        System.out.println("loadavg=" + load);
        System.exit(0);
    }
}
