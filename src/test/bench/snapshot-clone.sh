#!/usr/bin/env bash
# Snapshot and clone of a live PostgreSQL cluster under pgbench load, against the usual ways to copy
# it: a plain copy (cp -a --reflink=never), a reflink copy, and pg_basebackup.
#
#   sudo bash src/test/bench/snapshot-clone.sh [SCALE...]      (default scales: 10 100)
#
# Needs the lab (src/test/lab/lab.sh up): PostgreSQL 13 and a btrfs mount at $BTRFS. For each scale it
# makes a throw-away cluster on its own btrfs subvolume, fills it with pgbench -i, keeps pgbench
# writing while it measures, prints one table at the end, and removes everything it made.
#
# What is timed (wall clock, milliseconds):
#   twinshift snapshot  CHECKPOINT + atomic read-only btrfs snapshot + sidecar, through SSH
#   clone ready         writable clone + config + start (crash recovery) until it accepts connections
#   cp -a               cp -a --reflink=never of the running PGDATA (not even a consistent copy)
#   cp --reflink        cp -a --reflink=always of the running PGDATA (not consistent either)
#   pg_basebackup       pg_basebackup -X stream -c fast (consistent), then "ready": started as a server
set -euo pipefail

SCALES=("$@")
[ ${#SCALES[@]} -gt 0 ] || SCALES=(10 100)
VERSION=${VERSION:-13}
BTRFS=${BTRFS:-/srv/twinshift-lab/btrfs}
CLIENTS=${CLIENTS:-4}
BIN=/usr/lib/postgresql/$VERSION/bin
HERE=$(cd "$(dirname "$0")/../../.." && pwd)

. "$HERE/src/test/bench/lab-bench.sh"

NAME=""; PGBENCH_PID=""; BB_PORT=""
cleanup() {
  set +e
  [ -n "$PGBENCH_PID" ] && kill "$PGBENCH_PID" 2>/dev/null && wait "$PGBENCH_PID" 2>/dev/null
  if [ -n "$NAME" ]; then
    [ -f "$BTRFS/$NAME-bb/postmaster.pid" ] && runuser -u postgres -- "$BIN/pg_ctl" stop -D "$BTRFS/$NAME-bb" -m immediate >/dev/null 2>&1
    pg_dropcluster --stop "$VERSION" "$NAME" 2>/dev/null
    rm -rf "$BTRFS/$NAME-cp" "$BTRFS/$NAME-reflink" "$BTRFS/$NAME-bb" "/tmp/$NAME-bb-sock"
    [ -e "$BTRFS/$NAME" ] && btrfs subvolume delete "$BTRFS/$NAME" >/dev/null
  fi
  NAME=""; PGBENCH_PID=""
}
trap cleanup EXIT

declare -a ROWS
for scale in "${SCALES[@]}"; do
  NAME="bench${scale}x$RANDOM"
  port=$(free_port)
  pgbench_cluster "$VERSION" "$NAME" "$port" "$scale"; size=$SIZE
  start_pgbench "$VERSION" "$port" "$CLIENTS"
  sleep 5

  echo "   twinshift snapshot + clone" >&2
  out=$("$JAVA_BIN" -cp "$CP" dev.twinshift.lab.SnapshotCloneBench "$VERSION/$NAME")
  snap_ms=$(sed -n 's/^snapshot_ms=//p' <<<"$out")
  snap_only_ms=$(sed -n 's/^snapshot_after_checkpoint_ms=//p' <<<"$out")
  clone_ms=$(sed -n 's/^clone_ready_ms=//p' <<<"$out")
  grep -q '^clone_answers=true' <<<"$out" || { echo "the clone did not answer: $out" >&2; exit 1; }

  echo "   cp -a --reflink=never" >&2
  t0=$(now_ms); cp -a --reflink=never "$BTRFS/$NAME" "$BTRFS/$NAME-cp" 2>/dev/null || true; t1=$(now_ms)
  cp_ms=$((t1 - t0)); rm -rf "$BTRFS/$NAME-cp"; sync

  echo "   cp -a --reflink=always" >&2
  t0=$(now_ms); cp -a --reflink=always "$BTRFS/$NAME" "$BTRFS/$NAME-reflink" 2>/dev/null || true; t1=$(now_ms)
  reflink_ms=$((t1 - t0)); rm -rf "$BTRFS/$NAME-reflink"; sync

  echo "   pg_basebackup" >&2
  install -d -o postgres -g postgres -m 0700 "$BTRFS/$NAME-bb"
  t0=$(now_ms)
  runuser -u postgres -- "$BIN/pg_basebackup" -h /var/run/postgresql -p "$port" -D "$BTRFS/$NAME-bb" -X stream -c fast
  t1=$(now_ms)
  bb_ms=$((t1 - t0))
  # Started as a server of its own, like a clone (Debian keeps the config outside PGDATA).
  BB_PORT=$(free_port)
  install -d -o postgres -g postgres -m 0700 "/tmp/$NAME-bb-sock"
  runuser -u postgres -- sh -c 'touch "$1/postgresql.conf"; echo "local all all peer" > "$1/pg_hba.conf"; : > "$1/pg_ident.conf"' \
    sh "$BTRFS/$NAME-bb"
  runuser -u postgres -- "$BIN/pg_ctl" start -D "$BTRFS/$NAME-bb" -w -t 600 -l "$BTRFS/$NAME-bb/start.log" \
    -o "-c port=$BB_PORT -c listen_addresses=localhost -c unix_socket_directories=/tmp/$NAME-bb-sock -c archive_mode=off" >/dev/null
  runuser -u postgres -- "$BIN/psql" -X -q -At -h "/tmp/$NAME-bb-sock" -p "$BB_PORT" -d postgres -c 'SELECT 1' >/dev/null
  t2=$(now_ms)
  bb_ready_ms=$((t2 - t0))

  commits=$(runuser -u postgres -- "$BIN/psql" -X -At -h /var/run/postgresql -p "$port" -d postgres \
        -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'")
  ROWS+=("$scale|$size|$snap_ms|$snap_only_ms|$clone_ms|$cp_ms|$reflink_ms|$bb_ms|$bb_ready_ms|$commits")
  cleanup
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 1; printf "%.0fx", a / b }'; }
echo
echo "PostgreSQL $VERSION on btrfs ($BTRFS), pgbench -c $CLIENTS writing throughout; times in ms"
printf '%-6s %10s %10s %10s %10s %10s %10s %10s %10s %12s %15s %9s\n' scale PGDATA snapshot "snap-only" \
  "clone-up" "cp -a" reflink basebackup "bb-up" "cp/snapshot" "bb-up/clone-up" commits
for r in "${ROWS[@]}"; do
  IFS='|' read -r scale size snap snaponly clone cp refl bb bbready tps <<<"$r"
  printf '%-6s %9sM %10s %10s %10s %10s %10s %10s %10s %12s %15s %9s\n' "$scale" "$((size / 1048576))" "$snap" \
    "$snaponly" "$clone" "$cp" "$refl" "$bb" "$bbready" "$(ratio "$cp" "$snap")" "$(ratio "$bbready" "$clone")" "$tps"
done
cat <<'NOTE'

snapshot    = CHECKPOINT + atomic btrfs snapshot + sidecar (snap-only: without the CHECKPOINT)
clone-up    = writable clone + own config + start with crash recovery, until SELECT 1 answers
cp -a       = cp -a --reflink=never of the live PGDATA (and not a consistent copy of a running cluster)
reflink     = cp -a --reflink=always (same filesystem; not consistent either)
basebackup  = pg_basebackup -X stream -c fast; bb-up = basebackup + starting it until it answers
commits     = transactions committed in the cluster by the end (pgbench kept writing)
NOTE
