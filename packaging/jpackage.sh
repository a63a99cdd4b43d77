#!/usr/bin/env bash
# Builds a self-contained application image (runtime included) of the console with jpackage.
#   bash packaging/jpackage.sh [app-image|deb]
# Output: target/dist/. Uses the same JDK >= 21 that the build's toolchain selects.
set -euo pipefail
cd "$(dirname "$0")/.."
type="${1:-app-image}"

jdk=""
for d in ${JAVA_HOME:-} /usr/lib/jvm/*; do
  [ -x "$d/bin/jpackage" ] || continue
  v=$("$d/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
  if [ "${v%%.*}" -ge 21 ] 2>/dev/null; then jdk="$d"; break; fi
done
[ -n "$jdk" ] || { echo "jpackage needs a JDK >= 21 (none found in JAVA_HOME or /usr/lib/jvm)" >&2; exit 1; }

mvn -B -q -DskipTests package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/dist-input
cp target/twinshift-*.jar target/dist-input/twinshift.jar
rm -rf target/dist
"$jdk/bin/jpackage" --type "$type" --dest target/dist --name twinshift \
  --input target/dist-input --main-jar twinshift.jar --main-class dev.twinshift.app.Launcher \
  --app-version "$(mvn -B -q help:evaluate -Dexpression=project.version -DforceStdout | sed 's/-SNAPSHOT//')" \
  --description "Risk-free PostgreSQL upgrades" --vendor "Twinshift"
echo "built: $(ls -d target/dist/*)"
