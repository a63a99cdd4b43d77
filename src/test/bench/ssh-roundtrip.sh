#!/usr/bin/env bash
# Round trip of a trivial remote command on Twinshift's reused SSH session, against spawning the
# OpenSSH client for every command. Needs the lab (src/test/lab/lab.sh up) and the `ssh` client.
#
#   src/test/bench/ssh-roundtrip.sh [count]     (default 200)
set -euo pipefail
cd "$(dirname "$0")/../../.."

# A JDK >= 21: $JAVA_HOME, the java on PATH, or one under /usr/lib/jvm (as Maven's toolchain finds).
java_major() {
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}
JAVA=""
for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 21 ]; then
        JAVA=$candidate
        break
    fi
done
if [ -z "$JAVA" ]; then
    echo "no JDK >= 21 found (set JAVA_HOME)" >&2
    exit 1
fi

mvn -q -B -Dstyle.color=never test-compile
mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
exec "$JAVA" -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    dev.twinshift.bench.SshRoundTripBench "$@"
