#!/usr/bin/env bash
# Bisect's figures: how many probes (and rounds, with parallel probes) a search over 1,024 snapshots
# takes, computed by the real search code against a simulated oracle for every position of the fault;
# and the wall time of real probes on the lab: the SQL check and pg_upgrade --check to 15, each on a
# clone of a scratch PostgreSQL 13 cluster's snapshot (8 snapshots, the fault after the 5th).
#
#   sudo bash src/test/bench/bisect.sh                 (BTRFS=/srv/... for another btrfs than the lab's)
#   sudo bash src/test/bench/bisect.sh --simulate-only (only the probe counts; no lab needed beyond the build)
#
# A probe is the whole cycle: clone of the snapshot, start on its own port (crash recovery), the
# check, stop, destroy. For pg_upgrade --check it includes the rehearsal's own steps on the twin
# (recovery, the blocker queries, initdb of the 15 twin, pg_upgrade --check).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../../.." && pwd)
BTRFS=${BTRFS:-/srv/twinshift-lab/btrfs}
. "$HERE/src/test/bench/lab-bench.sh"

out=$("$JAVA_BIN" -Dtwinshift.lab.btrfs="$BTRFS" -cp "$CP" dev.twinshift.lab.BisectBench "$@")
v() { sed -n "s/^$1=//p" <<<"$out"; }

echo
echo "Bisect over 1,024 snapshots (real search code, simulated oracle, every position of the fault and none):"
printf '| %-22s | %-12s | %-12s | %-11s | %-11s |\n' "probes per round" "worst probes" "mean probes" "worst rounds" "mean rounds"
printf '| %-22s | %-12s | %-12s | %-11s | %-11s |\n' "---" "---" "---" "---" "---"
for k in 1 2 4; do
  printf '| %-22s | %-12s | %-12s | %-11s | %-11s |\n' "$k" "$(v sim_k${k}_worst_probes)" "$(v sim_k${k}_mean_probes)" \
    "$(v sim_k${k}_worst_rounds)" "$(v sim_k${k}_mean_rounds)"
done
if [ -n "$(v sql_probes)" ]; then
  echo
  echo "Real probes on the lab (8 snapshots of a scratch 13 cluster; load average $(v loadavg | cut -d' ' -f1-3)):"
  printf '| %-24s | %-7s | %-22s | %-10s |\n' "check" "probes" "each (ms)" "median ms"
  printf '| %-24s | %-7s | %-22s | %-10s |\n' "---" "---" "---" "---"
  printf '| %-24s | %-7s | %-22s | %-10s |\n' "SQL must return true" "$(v sql_probes)" "$(v sql_probe_ms)" "$(v sql_probe_median_ms)"
  printf '| %-24s | %-7s | %-22s | %-10s |\n' "pg_upgrade --check to 15" "$(v upgrade_check_probes)" "$(v upgrade_check_probe_ms)" \
    "$(v upgrade_check_probe_median_ms)"
  echo "outcomes: sql $(v sql_outcome); upgrade check $(v upgrade_check_outcome)"
fi
