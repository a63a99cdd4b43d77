#!/usr/bin/env bash
# Takes the README's screenshots of the blue/green window from a real window under Xvfb, on a scratch
# cluster of the lab behind a real PgBouncer with pgbench writing (all removed afterwards).
# Needs the lab up (src/test/lab/lab.sh up) and Debian's xvfb, libgtk-3-0 and imagemagick.
#   bash src/test/tour/bluegreen-screenshots.sh [output-dir]   (default: assets)
set -euo pipefail
cd "$(dirname "$0")/../../.."
for tool in xvfb-run import; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install xvfb libgtk-3-0 imagemagick" >&2; exit 1; }
done
export JAVA_OPTS="-Dglass.platform=gtk -Dprism.order=sw -Dtestfx.robot=glass"
xvfb-run -a -s "-screen 0 1280x800x24" bash src/test/tools/run-java.sh dev.twinshift.tour.BlueGreenTour "${1:-assets}"
