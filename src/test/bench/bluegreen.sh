#!/usr/bin/env bash
# The blue/green upgrade (PostgreSQL 13 -> 15) as clients see it, through PgBouncer, beside Debian's
# own pg_upgradecluster -m clone measured on the same cluster.
#
#   sudo bash src/test/bench/bluegreen.sh [SCALE...]      (default scales: 10 100)
#
# Needs the lab (src/test/lab/lab.sh up). For each scale it makes a throw-away 13 cluster on its own
# btrfs subvolume (pgbench -i), puts a PgBouncer of its own in front of it (transaction pooling), and:
#   prepare      `twinshift upgrade bluegreen prepare` while pgbench -c 8 writes through PgBouncer;
#                catch-up = from the end of prepare until every guardrail is green (lag <= 16 MiB)
#   switchover   `upgrade bluegreen switchover --yes` 5 s into a pgbench -c 8 run through PgBouncer,
#   rollback     then `upgrade bluegreen rollback --yes` 8 s later, in the same run. From pgbench's
#                per-transaction log: the slowest transaction that ended during each switch (the
#                longest stall a client felt), p99 latency of the whole run, failed transactions.
#                Then every table is compared on both sides and green is abandoned.
#   pg_upgradecluster -m clone on the same cluster, with a client probing the port every 50 ms
#                (a new connection and SELECT 1): its longest outage.
# It prints one table and removes everything it made.
set -euo pipefail

SCALES=("$@")
[ ${#SCALES[@]} -gt 0 ] || SCALES=(10 100)
BTRFS=${BTRFS:-/srv/twinshift-lab/btrfs}
HERE=$(cd "$(dirname "$0")/../../.." && pwd)

. "$HERE/src/test/bench/lab-bench.sh"

cli() { "$JAVA_BIN" -cp "$CP" dev.twinshift.lab.LabCliMain "$@"; }
answers() {
  until runuser -u postgres -- psql -X -q -At -h /var/run/postgresql -p "$1" -d postgres -c 'SELECT 1' >/dev/null 2>&1; do
    sleep 0.05
  done
}

NAME=""; BDIR=""; LOAD_PID=""
cleanup() {
  set +e
  [ -n "$LOAD_PID" ] && pkill -TERM -P "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
  [ -n "${PROBE_PID:-}" ] && kill "$PROBE_PID" 2>/dev/null && wait "$PROBE_PID" 2>/dev/null
  if [ -n "$NAME" ]; then
    cli upgrade bluegreen abandon --cluster "13/$NAME" --yes >/dev/null 2>&1
    for c in "15 $NAME" "13 $NAME"; do pg_dropcluster --stop $c 2>/dev/null; done
    for s in "$BTRFS/.twinshift/snapshots/$NAME"/* "$BTRFS/.twinshift/clones/"bg*-twin "$BTRFS/$NAME" "$BTRFS/$NAME-pg15" \
             "$BTRFS/$NAME-pg15b"; do
      [ -e "$s" ] || continue
      if [ "$(stat -c %i "$s")" = 256 ]; then btrfs subvolume delete "$s" >/dev/null; else rm -rf "$s"; fi
    done
    rmdir "$BTRFS/.twinshift/snapshots/$NAME" 2>/dev/null
    rm -rf "$BTRFS"/.twinshift/upgrades/*-bluegreen-13-"$NAME" "$BTRFS"/.twinshift/journal/*-bluegreen-13-"$NAME".jsonl
  fi
  if [ -n "$BDIR" ]; then
    [ -f "$BDIR/pgbouncer.pid" ] && kill "$(cat "$BDIR/pgbouncer.pid")" 2>/dev/null
    rm -rf "$BDIR"
  fi
  NAME=""; BDIR=""; LOAD_PID=""
}
trap cleanup EXIT
trap "exit 130" INT TERM

# PgBouncer in front of PORT, in a private directory: sets BDIR and BPORT.
start_pgbouncer() {
  BDIR=$(mktemp -d /var/lib/twinshift-lab/bench-pgbouncer.XXXXXX)
  chown postgres:postgres "$BDIR"
  BPORT=$(free_port "$1")
  cat >"$BDIR/pgbouncer.ini" <<INI
[databases]
postgres = host=/var/run/postgresql port=$1 dbname=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BPORT
unix_socket_dir = $BDIR
auth_type = trust
auth_file = $BDIR/users.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 200
default_pool_size = 20
pidfile = $BDIR/pgbouncer.pid
logfile = $BDIR/pgbouncer.log
INI
  echo '"postgres" ""' >"$BDIR/users.txt"
  chown postgres:postgres "$BDIR"/*
  runuser -u postgres -- pgbouncer -d "$BDIR/pgbouncer.ini"
  until runuser -u postgres -- psql -X -At -h "$BDIR" -p "$BPORT" -U postgres pgbouncer -c 'SHOW VERSION' >/dev/null 2>&1; do
    sleep 0.1
  done
}

# pgbench -c 8 through PgBouncer for SECONDS, logging each transaction under PREFIX: sets LOAD_PID.
load() {
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pgbench -n -c 8 -j 2 -T "$1" ${2:+-l --log-prefix="$2"} \
    -h "$BDIR" -p "$BPORT" postgres >"$BDIR/pgbench.$1.out" 2>&1 &
  LOAD_PID=$!
}
failed_of() { sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$1"; }

ready() { # waits until every guardrail is green; prints the seconds it took
  local t0 t1
  t0=$(now_ms)
  until cli upgrade bluegreen status --cluster "13/$NAME" --json 2>/dev/null | grep -Eq '"ready" *: *true'; do sleep 0.5; done
  t1=$(now_ms)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1000 }'
}
pause_of() { sed -n 's/.* serves; clients were paused \([0-9]*\) ms.*/\1/p'; }

declare -a ROWS
for scale in "${SCALES[@]}"; do
  NAME="bg${scale}x$RANDOM"
  port=$(free_port)
  pgbench_cluster 13 "$NAME" "$port" "$scale"; size=$SIZE
  start_pgbouncer "$port"

  echo "   prepare, with pgbench -c 8 writing through PgBouncer" >&2
  load 600
  prep_load=$LOAD_PID
  t0=$(now_ms)
  cli upgrade bluegreen prepare --cluster "13/$NAME" --to 15 --pooler-port "$BPORT" --pooler-socket "$BDIR" \
    --pooler-ini "$BDIR/pgbouncer.ini" 2>/dev/null
  t1=$(now_ms)
  prepare_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  catchup_s=$(ready)
  # pgbench runs under runuser, and ignores SIGINT: TERM reaches it as its parent's child.
  pkill -TERM -P "$prep_load" 2>/dev/null || true; wait "$prep_load" 2>/dev/null || true; LOAD_PID=""

  echo "   switchover and rollback during one pgbench run" >&2
  prefix="$BDIR/tx"
  load 22 "$prefix"
  sleep 5
  s0=$(now_ms); over=$(cli upgrade bluegreen switchover --cluster "13/$NAME" --yes); s1=$(now_ms)
  sleep 3; ready >/dev/null; sleep 2
  r0=$(now_ms); back=$(cli upgrade bluegreen rollback --cluster "13/$NAME" --yes); r1=$(now_ms)
  wait "$LOAD_PID"; LOAD_PID=""
  failed=$(failed_of "$BDIR/pgbench.22.out")
  committed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$BDIR/pgbench.22.out")
  # time_epoch.time_us is when a transaction ended, $3 its latency in microseconds.
  read -r stall_over stall_back < <(cat "$prefix".* | awk -v s0="$s0" -v s1="$s1" -v r0="$r0" -v r1="$r1" '
    { end = $5 * 1000 + int($6 / 1000); lat = $3 / 1000
      if (end >= s0 && end <= s1 + 1000 && lat > so) so = lat
      if (end >= r0 && end <= r1 + 1000 && lat > sb) sb = lat }
    END { printf "%.0f %.0f\n", so, sb }')
  p99=$(cat "$prefix".* | awk '{ print $3 / 1000 }' | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int(NR * 0.99)] }')
  rm -f "$prefix".*
  history=$(runuser -u postgres -- psql -X -At -h /var/run/postgresql -p "$port" -d postgres -c 'SELECT count(*) FROM pgbench_history')
  echo "   $committed transactions committed in the run, pgbench_history now holds $history rows in all" >&2
  cli upgrade bluegreen abandon --cluster "13/$NAME" --yes >/dev/null
  ROWS+=("$scale|$size|$prepare_s|$catchup_s|$(pause_of <<<"$over")|$stall_over|$(pause_of <<<"$back")|$stall_back|$p99|$failed")

  echo "   pg_upgradecluster -m clone, a client probing every 50 ms" >&2
  probe_start "$port"
  sleep 0.3
  pg_upgradecluster -m clone 13 "$NAME" "$BTRFS/$NAME-pg15b" >/dev/null 2>&1
  answers "$port"
  sleep 0.3
  debian_down=$(probe_stop | sort -n | tail -n 1)
  ROWS[${#ROWS[@]}-1]+="|$debian_down"
  cleanup
done

echo
echo "PostgreSQL 13 -> 15 on btrfs ($BTRFS), pgbench -c 8 -j 2 through PgBouncer (transaction pooling); ms unless said"
printf '%-6s %9s %10s %10s %12s %12s %12s %12s %8s %7s %20s\n' scale PGDATA prepare catch-up "switch-pause" \
  "switch-stall" "back-pause" "back-stall" p99 failed "pg_upgradecluster"
for r in "${ROWS[@]}"; do
  IFS='|' read -r scale size prep catch pover sover pback sback p99 failed deb <<<"$r"
  printf '%-6s %8sM %9ss %9ss %12s %12s %12s %12s %8s %7s %20s\n' "$scale" "$((size / 1048576))" "$prep" "$catch" \
    "$pover" "$sover" "$pback" "$sback" "$p99" "$failed" "$deb"
done
cat <<'NOTE'

prepare           = `upgrade bluegreen prepare` end to end (snapshot, slots, twin recovered to the slots' position,
                    pg_upgrade --clone, green started, subscription), pgbench writing through PgBouncer throughout
catch-up          = from the end of prepare until every guardrail is green (green within 16 MiB of blue)
switch-pause      = how long the switchover kept PgBouncer paused, as its server-side run measured it
switch-stall      = the slowest pgbench transaction that ended during the switchover: the longest a client waited
back-pause/-stall = the same for the rollback to blue (which keeps every write made on green)
p99               = 99th percentile latency of every transaction in the run holding both switches
failed            = failed pgbench transactions in that run
pg_upgradecluster = Debian's pg_upgradecluster -m clone on the same cluster: the longest outage a client
                    probing the port every 50 ms saw (stop, pg_upgrade --clone, start on the old port)
NOTE
