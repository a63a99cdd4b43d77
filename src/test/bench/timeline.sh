#!/usr/bin/env bash
# The timeline with 10,000 snapshots, zoomed and panned on every pulse: prints the longest gap
# between JavaFX pulses (expect <= 100 ms). Runs the real toolkit under Xvfb when xvfb-run is there
# (Debian: apt-get install xvfb libgtk-3-0), else headless Monocle (which measures drawing, not a screen).
#
#   bash src/test/bench/timeline.sh [seconds] [snapshots]      (defaults 20, 10000)
set -euo pipefail
cd "$(dirname "$0")/../../.."
if command -v xvfb-run >/dev/null; then
  export JAVA_OPTS="-Dglass.platform=gtk -Dprism.order=sw ${JAVA_OPTS:-}"
  exec xvfb-run -a -s "-screen 0 1280x800x24" bash src/test/tools/run-java.sh dev.twinshift.bench.TimelineBench "$@"
fi
echo "no xvfb-run: measuring under headless Monocle" >&2
export JAVA_OPTS="-Dglass.platform=Monocle -Dmonocle.platform=Headless -Dprism.order=sw ${JAVA_OPTS:-}"
exec bash src/test/tools/run-java.sh dev.twinshift.bench.TimelineBench "$@"
