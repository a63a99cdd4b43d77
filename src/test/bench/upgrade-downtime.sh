#!/usr/bin/env bash
# Downtime of a major upgrade (PostgreSQL 13 -> 15) of a live cluster: Twinshift's cutover against
# the two usual ways, pg_dumpall | psql and pg_upgrade --copy; and the time of Twinshift's rollback.
#
#   sudo bash src/test/bench/upgrade-downtime.sh [SCALE...]      (default scale: 100)
#
# Needs the lab (src/test/lab/lab.sh up). For each scale it makes a throw-away 13 cluster on its own
# btrfs subvolume, fills it with pgbench -i, and then, on the same data:
#   twinshift   cutover through SSH with pgbench writing until the stop (grace 0), then the rollback.
#               Every downtime here is what a client sees: a probe opens a new connection and runs
#               SELECT 1 on the old port every 50 ms; the figure is its longest outage (last success
#               before, first success after). The journal's own figure (its probe, every 100 ms) is
#               printed beside it.
#   pg_upgrade  the textbook way with --copy: the new cluster made beforehand; downtime = stop 13,
#               pg_upgrade --copy, move the port, start 15, until it answers.
#   dump        pg_dumpall | psql into a 15 cluster made beforehand; downtime = writes must stop when
#               the dump starts, until 15 answers on the old port.
# It prints one table and removes everything it made.
set -euo pipefail

SCALES=("$@")
[ ${#SCALES[@]} -gt 0 ] || SCALES=(100)
OLD=${OLD:-13}
NEW=${NEW:-15}
BTRFS=${BTRFS:-/srv/twinshift-lab/btrfs}
HERE=$(cd "$(dirname "$0")/../../.." && pwd)

. "$HERE/src/test/bench/lab-bench.sh"
answers() { # PORT: wait until a server answers SELECT 1 on PORT
  until runuser -u postgres -- psql -X -q -At -h /var/run/postgresql -p "$1" -d postgres -c 'SELECT 1' >/dev/null 2>&1; do
    sleep 0.05
  done
}
set_port() { sed -i -E "s/^[[:space:]]*port[[:space:]]*=.*/port = $2/" "/etc/postgresql/$1/postgresql.conf"; }

NAME=""; PGBENCH_PID=""
cleanup() {
  set +e
  [ -n "$PGBENCH_PID" ] && kill "$PGBENCH_PID" 2>/dev/null && wait "$PGBENCH_PID" 2>/dev/null
  [ -n "${PROBE_PID:-}" ] && kill "$PROBE_PID" 2>/dev/null && wait "$PROBE_PID" 2>/dev/null
  if [ -n "$NAME" ]; then
    for c in "$NEW $NAME" "$NEW ${NAME}_copy" "$NEW ${NAME}_dump" "$OLD $NAME"; do
      pg_dropcluster --stop $c 2>/dev/null
    done
    for s in "$BTRFS/.twinshift/snapshots/$NAME"/* "$BTRFS/$NAME" "$BTRFS/$NAME-pg$NEW" "$BTRFS/$NAME-copy" "$BTRFS/$NAME-dump"; do
      [ -e "$s" ] || continue
      if [ "$(stat -c %i "$s")" = 256 ]; then btrfs subvolume delete "$s" >/dev/null; else rm -rf "$s"; fi
    done
    rmdir "$BTRFS/.twinshift/snapshots/$NAME" 2>/dev/null
    rm -rf "$BTRFS"/.twinshift/upgrades/*-upgrade-"$OLD"-"$NAME" "$BTRFS"/.twinshift/journal/*-upgrade-"$OLD"-"$NAME".jsonl
  fi
  NAME=""; PGBENCH_PID=""
}
trap cleanup EXIT

declare -a ROWS
for scale in "${SCALES[@]}"; do
  NAME="up${scale}x$RANDOM"
  port=$(free_port)
  pgbench_cluster "$OLD" "$NAME" "$port" "$scale"; size=$SIZE

  echo "   twinshift cutover (pgbench writing until the stop), then rollback" >&2
  start_pgbench "$OLD" "$port" 4
  sleep 5
  probe_start "$port"
  out=$("$JAVA_BIN" -cp "$CP" dev.twinshift.lab.UpgradeBench "$OLD/$NAME" "$NEW")
  kill "$PGBENCH_PID" 2>/dev/null || true; wait "$PGBENCH_PID" 2>/dev/null || true; PGBENCH_PID=""
  answers "$port"
  mapfile -t outages < <(probe_stop)
  ts_journal=$(sed -n 's/^downtime_ms=//p' <<<"$out")
  ts_down=${outages[0]:-?}
  ts_total=$(sed -n 's/^cutover_total_ms=//p' <<<"$out")
  ts_rollback=?
  [ ${#outages[@]} -gt 1 ] && ts_rollback=${outages[${#outages[@]}-1]}
  grep -q "^new_version=$NEW" <<<"$out" || { echo "the cutover did not serve $NEW: $out" >&2; exit 1; }
  answers "$port"

  echo "   pg_upgrade (copy mode, its default)" >&2
  tmp=$(free_port "$port")
  install -d -o postgres -g postgres -m 0700 "$BTRFS/$NAME-copy"
  pg_createcluster --start-conf=manual -d "$BTRFS/$NAME-copy" -p "$tmp" "$NEW" "${NAME}_copy" >/dev/null
  work=$(mktemp -d); chown postgres "$work"
  probe_start "$port"
  sleep 0.3
  pg_ctlcluster "$OLD" "$NAME" stop -m fast
  (cd "$work" && runuser -u postgres -- "/usr/lib/postgresql/$NEW/bin/pg_upgrade" \
     -b "/usr/lib/postgresql/$OLD/bin" -B "/usr/lib/postgresql/$NEW/bin" -d "$BTRFS/$NAME" -D "$BTRFS/$NAME-copy" \
     -o "-c config_file=/etc/postgresql/$OLD/$NAME/postgresql.conf" \
     -O "-c config_file=/etc/postgresql/$NEW/${NAME}_copy/postgresql.conf" -s "$work" >/dev/null)
  set_port "$NEW/${NAME}_copy" "$port"
  pg_ctlcluster "$NEW" "${NAME}_copy" start
  answers "$port"
  sleep 0.3
  copy_down=$(probe_stop | sort -n | tail -n 1)
  pg_dropcluster --stop "$NEW" "${NAME}_copy"; rm -rf "$work" "$BTRFS/$NAME-copy"
  pg_ctlcluster "$OLD" "$NAME" start; answers "$port"

  echo "   pg_dumpall | psql" >&2
  tmp=$(free_port "$port")
  install -d -o postgres -g postgres -m 0700 "$BTRFS/$NAME-dump"
  pg_createcluster --start-conf=manual -d "$BTRFS/$NAME-dump" -p "$tmp" --start "$NEW" "${NAME}_dump" >/dev/null
  t0=$(now_ms)
  runuser -u postgres -- sh -c '"$1/pg_dumpall" -h /var/run/postgresql -p "$2" | "$1/psql" -X -q -h /var/run/postgresql -p "$3" -d postgres >/dev/null 2>&1' \
    sh "/usr/lib/postgresql/$NEW/bin" "$port" "$tmp"
  pg_ctlcluster "$OLD" "$NAME" stop -m fast
  pg_ctlcluster "$NEW" "${NAME}_dump" stop -m fast
  set_port "$NEW/${NAME}_dump" "$port"
  pg_ctlcluster "$NEW" "${NAME}_dump" start
  answers "$port"
  t1=$(now_ms)
  dump_down=$((t1 - t0))
  accounts=$(runuser -u postgres -- psql -X -At -h /var/run/postgresql -p "$port" -d postgres -c 'SELECT count(*) FROM pgbench_accounts')
  [ "$accounts" = "$((scale * 100000))" ] || { echo "the restore has $accounts accounts" >&2; exit 1; }

  ROWS+=("$scale|$size|$ts_down|$ts_journal|$ts_total|$ts_rollback|$copy_down|$dump_down")
  cleanup
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 1; printf "%.0fx", a / b }'; }
echo
echo "PostgreSQL $OLD -> $NEW on btrfs ($BTRFS); downtime = the cluster does not answer on its port; ms"
printf '%-6s %9s %12s %12s %14s %12s %14s %14s %12s %12s\n' scale PGDATA twinshift journal "cutover-total" rollback \
  "pg_upgrade-copy" "dump|restore" "copy/ts" "dump/ts"
for r in "${ROWS[@]}"; do
  IFS='|' read -r scale size down journal total rb copy dump <<<"$r"
  printf '%-6s %8sM %12s %12s %14s %12s %14s %14s %12s %12s\n' "$scale" "$((size / 1048576))" "$down" "$journal" "$total" \
    "$rb" "$copy" "$dump" "$(ratio "$copy" "$down")" "$(ratio "$dump" "$down")"
done
cat <<'NOTE'

twinshift      = cutover downtime seen by the 50 ms client probe: fast shutdown, pinned pre-upgrade snapshot,
                 pg_upgrade --clone, port hand-over, start (the new cluster and its configuration are made
                 before the stop; vacuumdb --analyze-in-stages runs after)
journal        = the same downtime as the cutover reports it (its own probe on the server, every 100 ms)
cutover-total  = the whole cutover through SSH, preparation included
rollback       = Twinshift's rollback seen by the probe: new cluster dropped, pre-upgrade snapshot restored
pg_upgrade-copy= seen by the probe: stop, pg_upgrade --copy, port moved, start (new cluster made before)
dump|restore   = pg_dumpall | psql into a 15 cluster made before, stop 13, port moved, until 15 answers;
                 clients can still connect during the dump, but what they write is lost, so this one
                 counts from the start of the dump
NOTE
