#!/usr/bin/env bash
# The fault suite's table for the README, from what the lab tests recorded in target/fault-suite.tsv
# (written by `mvn verify`, or by one of them: mvn verify -Dit.test='*FaultIT').
#   bash src/test/bench/fault-table.sh
set -euo pipefail
f="$(cd "$(dirname "$0")/../../.." && pwd)/target/fault-suite.tsv"
[ -s "$f" ] || { echo "no $f: run the fault suite first (mvn verify -Dit.test='*FaultIT')" >&2; exit 1; }
echo "| fault | tried | survived | rows lost |"
echo "| --- | --- | --- | --- |"
awk -F'\t' '
  { key = $1 ": " $2; if (!(key in tried)) order[++n] = key; tried[key]++; if ($3 == "yes") ok[key]++; lost[key] += $4 }
  END {
    for (i = 1; i <= n; i++) { k = order[i]; printf "| %s | %d | %d | %d |\n", k, tried[k], ok[k], lost[k]; T += tried[k]; S += ok[k]; L += lost[k] }
    printf "| **all** | **%d** | **%d** | **%d** |\n", T, S, L
  }' "$f"
