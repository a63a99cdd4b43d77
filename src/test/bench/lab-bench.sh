# Shared by the lab benchmarks (sourced, not run): checks, the Java and classpath that run the
# console's core from the test classes, a clock and a free port.
#   HERE     the project's top folder (set before sourcing)

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
