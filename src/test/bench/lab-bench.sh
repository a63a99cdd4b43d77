# Shared by the lab benchmarks (sourced, not run): checks, the Java and classpath that run the
# console's core from the test classes, a clock, a free port, and a throw-away pgbench cluster.
#   HERE     the project's top folder (set before sourcing)
#   BTRFS    the lab's btrfs mount, where the throw-away clusters live (set before sourcing)

[ "$(id -u)" = 0 ] || { echo "run as root (it creates clusters and subvolumes)" >&2; exit 1; }
test -f /var/lib/twinshift-lab/console.json || { echo "the lab is not up (sudo bash src/test/lab/lab.sh up)" >&2; exit 1; }

find_java() {
  for j in ${JAVA:-} /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    v=$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
    [ -n "$v" ] && [ "$v" -ge 21 ] && { echo "$j"; return; }
  done
  echo "no Java 21 or later found" >&2; exit 1
}
JAVA_BIN=$(find_java)
(cd "$HERE" && mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt \
  -Dmdep.includeScope=test >/dev/null 2>&1) || { echo "the build failed: run mvn test-compile to see why" >&2; exit 1; }
CP="$HERE/target/classes:$HERE/target/test-classes:$(cat "$HERE/target/bench-cp.txt")"

now_ms() { date +%s%3N; }

# A port between 54200 and 54299 that nothing listens on, no cluster is configured for, and that is
# not $1.
free_port() {
  local p
  for p in $(seq 54200 54299); do
    ss -ltnH | awk '{print $4}' | grep -q ":$p\$" && continue
    pg_lsclusters -h | awk '{print $3}' | grep -qx "$p" && continue
    [ "$p" = "${1:-}" ] && continue
    echo "$p"; return
  done
}

# A throw-away cluster VERSION/NAME on its own btrfs subvolume, on PORT, filled by pgbench -i -s SCALE.
# Sets SIZE (bytes of its data directory); the caller's cleanup drops it.
pgbench_cluster() {
  local version=$1 name=$2 port=$3 scale=$4
  echo "== scale $scale: cluster $version/$name on port $port" >&2
  btrfs subvolume create "$BTRFS/$name" >/dev/null
  chown postgres:postgres "$BTRFS/$name"; chmod 0700 "$BTRFS/$name"
  pg_createcluster --start-conf=manual -d "$BTRFS/$name" -p "$port" --start "$version" "$name" >/dev/null
  echo "   pgbench -i -s $scale" >&2
  runuser -u postgres -- "/usr/lib/postgresql/$version/bin/pgbench" -i -q -s "$scale" -h /var/run/postgresql -p "$port" \
    postgres >/dev/null 2>&1
  SIZE=$(du -sb "$BTRFS/$name" | cut -f1)
}

# pgbench writing against PORT with CLIENTS clients, in the background, until killed: sets PGBENCH_PID.
start_pgbench() {
  local version=$1 port=$2 clients=$3
  runuser -u postgres -- "/usr/lib/postgresql/$version/bin/pgbench" -n -c "$clients" -j 2 -T 3600 -h /var/run/postgresql \
    -p "$port" postgres >/dev/null 2>&1 &
  PGBENCH_PID=$!
}

# A client's view of availability: a new connection and SELECT 1 to PORT every 50 ms, in the
# background, writing "ok MILLIS" or "down MILLIS" lines to PROBE_LOG: sets PROBE_PID.
probe_start() {
  PROBE_LOG=$(mktemp)
  ( while :; do
      if runuser -u postgres -- psql -X -q -At -h /var/run/postgresql -p "$1" -d postgres -c 'SELECT 1' >/dev/null 2>&1
      then echo "ok $(date +%s%3N)"; else echo "down $(date +%s%3N)"; fi
      sleep 0.05
    done >"$PROBE_LOG" ) &
  PROBE_PID=$!
}

# Stops the probe and prints each outage it saw, in order, in ms: from the last success before
# failures to the first success after them.
probe_stop() {
  # Often called in a subshell ($(...), <(...)), where the probe is no child to wait for: never fail here.
  kill "$PROBE_PID" 2>/dev/null || true; wait "$PROBE_PID" 2>/dev/null || true; PROBE_PID=""
  awk '$1 == "ok" { if (down && last != "") print $2 - last; last = $2; down = 0 } $1 == "down" { down = 1 }' "$PROBE_LOG"
  rm -f "$PROBE_LOG"
}
