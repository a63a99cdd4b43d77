#!/usr/bin/env bash
# Builds the console with jpackage, its Java runtime bundled, so a workstation needs no JDK:
#   bash packaging/jpackage.sh [app-image|deb]
#   app-image (default): target/dist/twinshift/bin/twinshift
#   deb:                 the same image, then target/dist/twinshift_<version>_<arch>.deb (installs to /opt/twinshift)
# Uses a JDK >= 21 with jpackage from JAVA_HOME or /usr/lib/jvm. Extra Maven flags (e.g. -o) go in MVN_FLAGS.
# A .deb needs fakeroot and dpkg-deb (Debian packages fakeroot and dpkg).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
type="${1:-app-image}"
case $type in
  app-image|deb) ;;
  *) echo "usage: bash packaging/jpackage.sh [app-image|deb]" >&2; exit 2 ;;
esac

jdk=""
for d in ${JAVA_HOME:-} /usr/lib/jvm/*; do
  [ -x "$d/bin/jpackage" ] || continue
  v=$("$d/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
  if [ "${v%%.*}" -ge 21 ] 2>/dev/null; then jdk="$d"; break; fi
done
[ -n "$jdk" ] || { echo "jpackage needs a JDK >= 21 (none found in JAVA_HOME or /usr/lib/jvm)" >&2; exit 1; }
if [ "$type" = deb ]; then
  for tool in fakeroot dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "a .deb needs $tool (apt-get install fakeroot dpkg)" >&2; exit 1; }
  done
fi

rm -rf target/dist-input target/dist
# shellcheck disable=SC2086 # MVN_FLAGS is a list of flags
mvn -B -q ${MVN_FLAGS:-} -DskipTests \
  package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/dist-input

# The version comes from what the build just wrote, not from Maven's console output, which
# Maven 3.8 decorates with colour codes even with -q and -B. jpackage wants plain numbers.
pom_version=$(sed -n 's/^version=//p' target/maven-archiver/pom.properties)
version=${pom_version%-SNAPSHOT}
[[ $version =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] \
  || { echo "jpackage needs a version like 1.2.3; the pom says '$pom_version'" >&2; exit 1; }
cp "target/twinshift-$pom_version.jar" target/dist-input/twinshift.jar

common=(--name twinshift --app-version "$version" --vendor Twinshift
  --description "Risk-free PostgreSQL upgrades: snapshots, clones, rehearsed pg_upgrade, rollback"
  --icon assets/twinshift-icon.png --dest target/dist)

# The runtime holds the modules the jars use, as jdeps finds them, plus what is only looked up at run
# time: the user's locale (dates, numbers) and charsets, and on JDK 21 the elliptic curves that
# SSH key exchange and ed25519/ECDSA keys need (later JDKs keep them in java.base).
modules=$("$jdk/bin/jdeps" --multi-release "${v%%.*}" --ignore-missing-deps --print-module-deps \
  --class-path 'target/dist-input/*' target/dist-input/*.jar 2>/dev/null | grep -E '^[a-z][a-z0-9.,]*$' | tail -n 1)
[ -n "$modules" ] || { echo "jdeps found no modules for target/dist-input" >&2; exit 1; }
modules+=,jdk.localedata,jdk.charsets
if "$jdk/bin/java" --list-modules | grep -q '^jdk.crypto.ec@'; then modules+=,jdk.crypto.ec; fi

# JavaFX 21 loads its native libraries and uses sun.misc.Unsafe from the class path; newer JDKs
# warn about both on every start and mean to refuse them later, so the launcher allows them.
java_options=(--java-options --enable-native-access=ALL-UNNAMED)
if [ "${v%%.*}" -ge 23 ]; then java_options+=(--java-options --sun-misc-unsafe-memory-access=allow); fi

"$jdk/bin/jpackage" --type app-image "${common[@]}" --add-modules "$modules" \
  --input target/dist-input --main-jar twinshift.jar --main-class dev.twinshift.app.Launcher \
  "${java_options[@]}"

if [ "$type" = deb ]; then
  # packaging/deb holds the menu entry, which --linux-shortcut ships in /opt/twinshift/lib, and the
  # postinst and prerm that add it to the menu and take it out. Packaging an existing image,
  # jpackage ignores --icon and takes the entry's icon from the resource directory only.
  rm -rf target/deb-resources && mkdir -p target/deb-resources
  cp packaging/deb/* target/deb-resources/
  cp assets/twinshift-icon.png target/deb-resources/twinshift.png
  # jpackage finds the libraries the runtime links to, but only those installed on the build
  # machine; the window needs GTK 3 (JavaFX's glass), which a build machine may well lack.
  "$jdk/bin/jpackage" --type deb "${common[@]}" --app-image target/dist/twinshift \
    --install-dir /opt --resource-dir target/deb-resources \
    --linux-package-name twinshift --linux-deb-maintainer "${DEB_MAINTAINER:-maintainers@twinshift.dev}" \
    --linux-app-category database --linux-shortcut \
    --linux-package-deps "libgtk-3-0 | libgtk-3-0t64"
fi

echo "built: $(ls -d target/dist/*)"
