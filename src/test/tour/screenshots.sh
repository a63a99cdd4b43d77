#!/usr/bin/env bash
# Takes the README's screenshots from the real console in a real window, under Xvfb.
# Needs the lab up (src/test/lab/lab.sh up) and Debian's xvfb, libgtk-3-0 and imagemagick.
#   bash src/test/tour/screenshots.sh [output-dir]   (default: assets)
set -euo pipefail
cd "$(dirname "$0")/../../.."
for tool in xvfb-run import; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install xvfb libgtk-3-0 imagemagick" >&2; exit 1; }
done
export JAVA_OPTS="-Dglass.platform=gtk -Dprism.order=sw -Dtestfx.robot=glass"
xvfb-run -a -s "-screen 0 1280x800x24" bash src/test/tools/run-java.sh dev.twinshift.tour.ScreenshotTour "${1:-assets}"
