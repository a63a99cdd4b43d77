#!/usr/bin/env bash
# The log console under a flood: a task streams a million lines into the real Activity panel as fast
# as it can. Prints the longest gap between JavaFX frames (expect <= 100 ms), how many lines per second
# reach the screen (expect >= 200,000), the heap after a GC at 100,000 and at 1,000,000 lines (expect
# flat), and, first, the console's cold start in fresh JVMs (JVM start to the first frame of the main
# window). Runs the real toolkit under Xvfb when xvfb-run is there (Debian: apt-get install xvfb
# libgtk-3-0), else headless Monocle (which measures drawing, not a screen). Numbers only: it never fails
# on timing.
#
#   bash src/test/bench/log-console.sh [lines] [cold-start runs]      (defaults 1000000, 3)
set -euo pipefail
cd "$(dirname "$0")/../../.."
if command -v xvfb-run >/dev/null; then
  export JAVA_OPTS="-Dglass.platform=gtk -Dprism.order=sw ${JAVA_OPTS:-}"
  exec xvfb-run -a -s "-screen 0 1280x800x24" bash src/test/tools/run-java.sh dev.twinshift.bench.LogConsoleBench "$@"
fi
echo "no xvfb-run: measuring under headless Monocle" >&2
export JAVA_OPTS="-Dglass.platform=Monocle -Dmonocle.platform=Headless -Dprism.order=sw ${JAVA_OPTS:-}"
exec bash src/test/tools/run-java.sh dev.twinshift.bench.LogConsoleBench "$@"
