#!/usr/bin/env bash
# Scheduled snapshots as the server runs them: the wall time of one scheduled run per cluster (lock,
# CHECKPOINT, atomic btrfs snapshot, sidecar, retention, status), and pruning 1,000 snapshots on btrfs.
#
#   sudo BTRFS=/srv/twinshift-NAME/btrfs bash src/test/bench/schedule-run.sh [SCALE] [RUNS]
#        (default scale 10, 10 runs; BTRFS defaults to the lab's btrfs)
#
# Needs the lab (src/test/lab/lab.sh up). It makes a throw-away cluster on its own btrfs subvolume,
# fills it with pgbench -i, keeps pgbench writing, installs the server scripts into the catalog's bin/
# as the console does, and runs CATALOG/bin/schedule.sh exactly as cron would (clock set with
# TWINSHIFT_NOW, one simulated hour apart). Then it makes 1,000 more read-only snapshots with their
# sidecars and times one real prune that deletes all but the policy's. Everything it made is removed.
set -euo pipefail

SCALE=${1:-10}
RUNS=${2:-10}
VERSION=${VERSION:-13}
BTRFS=${BTRFS:-/srv/twinshift-lab/btrfs}
CLIENTS=${CLIENTS:-2}
HERE=$(cd "$(dirname "$0")/../../.." && pwd)

. "$HERE/src/test/bench/lab-bench.sh"

CAT=$BTRFS/.twinshift
NAME=""; PGBENCH_PID=""
cleanup() {
  set +e
  [ -n "$PGBENCH_PID" ] && kill "$PGBENCH_PID" 2>/dev/null && wait "$PGBENCH_PID" 2>/dev/null
  if [ -n "$NAME" ]; then
    pg_dropcluster --stop "$VERSION" "$NAME" 2>/dev/null
    for s in "$CAT/snapshots/$NAME"/*; do
      [ -e "$s" ] || continue
      if [ "$(stat -c %i "$s")" = 256 ]; then btrfs subvolume delete "$s" >/dev/null; else rm -f "$s"; fi
    done
    rmdir "$CAT/snapshots/$NAME" 2>/dev/null
    rm -f "$CAT/schedule/$NAME".conf "$CAT/schedule/$NAME".status.json "$CAT/schedule/$NAME".log
    [ -e "$BTRFS/$NAME" ] && btrfs subvolume delete "$BTRFS/$NAME" >/dev/null
  fi
  NAME=""; PGBENCH_PID=""
}
trap cleanup EXIT

NAME="benchsched$RANDOM"
port=$(free_port)
pgbench_cluster "$VERSION" "$NAME" "$port" "$SCALE"
start_pgbench "$VERSION" "$port" "$CLIENTS"
sleep 3

install -d -m 0755 -o root -g root "$CAT/bin" "$CAT/schedule" "$CAT/snapshots"
for s in schedule.sh snapshot.sh lock.sh; do
  install -m 0755 -o root -g root "$HERE/src/main/resources/dev/twinshift/remote/$s" "$CAT/bin/$s"
done
cat >"$CAT/schedule/$NAME.conf" <<EOF
cluster=$VERSION/$NAME
pgdata=$BTRFS/$NAME
source=$BTRFS/$NAME
volumeKey=$NAME
method=BTRFS
dataSubpath=
owner=postgres
bindir=/usr/lib/postgresql/$VERSION/bin
enabled=true
policy=hourly=36 daily=30 weekly=8 monthly=12 yearly=3
EOF
chmod 0644 "$CAT/schedule/$NAME.conf"

# Other schedules in this catalog would run too: time only this cluster's (its own conf in a run of its own).
others=$(find "$CAT/schedule" -maxdepth 1 -name '*.conf' ! -name "$NAME.conf" | wc -l)
[ "$others" -eq 0 ] || { echo "the catalog $CAT has $others other schedule(s): use a private btrfs (BTRFS=...)" >&2; exit 1; }

echo "== $RUNS scheduled runs of $VERSION/$NAME (pgbench -s $SCALE, $(du -sh "$BTRFS/$NAME" | cut -f1), $CLIENTS clients writing)" >&2
times=()
t=$(date -u -d '2026-01-05T00:07:00Z' +%s)
for i in $(seq "$RUNS"); do
  now=$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)
  t0=$(now_ms)
  TWINSHIFT_NOW=$now sh "$CAT/bin/schedule.sh" run "$CAT" || { echo "run $i failed:" >&2; tail -n 3 "$CAT/schedule/$NAME.log" >&2; exit 1; }
  t1=$(now_ms)
  times+=($((t1 - t0)))
  t=$((t + 3600))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
max=$(echo "$sorted" | tail -n 1)
min=$(echo "$sorted" | head -n 1)
inner=$(sed -n 's/.*"durationMs": \([0-9]*\).*/\1/p' "$CAT/schedule/$NAME.status.json")

echo "== 1,000 snapshots to prune" >&2
template=$(ls "$CAT/snapshots/$NAME"/*.json | tail -n 1)
base=$(date -u -d '2025-01-01T00:00:00Z' +%s)
for i in $(seq 1000); do
  at=$((base + i * 3600))
  iso=$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)
  n=$(date -u -d "@$at" +%Y%m%dT%H%M%SZ)
  btrfs subvolume snapshot -r "$BTRFS/$NAME" "$CAT/snapshots/$NAME/$n" >/dev/null
  old=$(basename "$template" .json)
  sed -e "s|$old|$n|g" -e "s|\"createdAt\" *: *\"[^\"]*\"|\"createdAt\" : \"$iso\"|" "$template" >"$CAT/snapshots/$NAME/$n.json"
done
sed -i 's/^policy=.*/policy=hourly=1/' "$CAT/schedule/$NAME.conf"
count=$(ls "$CAT/snapshots/$NAME"/*.json | wc -l)
t0=$(now_ms)
sh "$CAT/bin/schedule.sh" prune "$CAT" "$NAME"
t1=$(now_ms)
left=$(ls "$CAT/snapshots/$NAME"/*.json | wc -l)
prune_ms=$((t1 - t0))

printf '\n%-52s %s\n' "what" "figure"
printf '%-52s %s\n' "scheduled run, wall (min / median / max of $RUNS)" "$min / $median / $max ms"
printf '%-52s %s\n' "  of which the script's own durationMs (last run)" "${inner:-?} ms"
printf '%-52s %s\n' "prune on btrfs: snapshots before -> after" "$count -> $left"
printf '%-52s %s\n' "prune on btrfs: wall time" "$prune_ms ms ($(( (count - left) > 0 ? prune_ms / (count - left) : 0 )) ms per deleted snapshot)"
