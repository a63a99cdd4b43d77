#!/usr/bin/env bash
# The server tree with 50 servers and 500 clusters (fake, in memory): prints the time to render it
# and the time to filter it (a filter typed one key per pulse, until the tree shows the result).
# Runs the real toolkit under Xvfb when xvfb-run is there (Debian: apt-get install xvfb libgtk-3-0),
# else headless Monocle (which measures drawing, not a screen).
#
#   bash src/test/bench/server-tree.sh [servers] [clusters-per-server] [rounds]   (defaults 50 10 7)
set -euo pipefail
cd "$(dirname "$0")/../../.."
if command -v xvfb-run >/dev/null; then
  export JAVA_OPTS="-Dglass.platform=gtk -Dprism.order=sw ${JAVA_OPTS:-}"
  exec xvfb-run -a -s "-screen 0 1280x800x24" bash src/test/tools/run-java.sh dev.twinshift.bench.ServerTreeBench "$@"
fi
echo "no xvfb-run: measuring under headless Monocle" >&2
export JAVA_OPTS="-Dglass.platform=Monocle -Dmonocle.platform=Headless -Dprism.order=sw ${JAVA_OPTS:-}"
exec bash src/test/tools/run-java.sh dev.twinshift.bench.ServerTreeBench "$@"
