#!/usr/bin/env bash
# Runs a main class from the test sources on the test class path, with a JDK >= 21 (the one the
# build's toolchain would pick), e.g. for benchmarks and the screenshot tour:
#   bash src/test/tools/run-java.sh dev.twinshift.bench.SshRoundTripBench [args...]
# JAVA_OPTS adds JVM options.
set -euo pipefail
cd "$(dirname "$0")/../../.."
main="$1"; shift

jdk=""
for d in ${JAVA_HOME:-} /usr/lib/jvm/*; do
  [ -x "$d/bin/java" ] || continue
  v=$("$d/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
  if [ "${v%%.*}" -ge 21 ] 2>/dev/null; then jdk="$d"; break; fi
done
[ -n "$jdk" ] || { echo "need a JDK >= 21 (none in JAVA_HOME or /usr/lib/jvm)" >&2; exit 1; }

mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >&2
cp="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
# shellcheck disable=SC2086
exec "$jdk/bin/java" --enable-native-access=ALL-UNNAMED ${JAVA_OPTS:-} -cp "$cp" "$main" "$@"
