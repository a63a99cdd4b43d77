#!/usr/bin/env bash
# Takes the README's main-window screenshots (light and dark at 1280x800, light at 1920x1080) from
# the real console with the lab connected. Reads only: it connects and lists, nothing more.
# Needs the lab up and Debian's xvfb, libgtk-3-0 and imagemagick.
#   bash src/test/tour/shell-screenshots.sh [output-dir]   (default: assets)
set -euo pipefail
cd "$(dirname "$0")/../../.."
out="${1:-assets}"
for tool in xvfb-run import; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install xvfb libgtk-3-0 imagemagick" >&2; exit 1; }
done
export JAVA_OPTS="-Dglass.platform=gtk -Dprism.order=sw -Dtestfx.robot=glass"
xvfb-run -a -s "-screen 0 1280x800x24" bash src/test/tools/run-java.sh dev.twinshift.tour.ShellTour "$out/main-light.png" light
xvfb-run -a -s "-screen 0 1280x800x24" bash src/test/tools/run-java.sh dev.twinshift.tour.ShellTour "$out/main-dark.png" dark
xvfb-run -a -s "-screen 0 1920x1080x24" bash src/test/tools/run-java.sh dev.twinshift.tour.ShellTour "$out/main-1920.png" light
# The cluster's view with a family of clones (no server needed: the catalog is given as a re-read brings it).
xvfb-run -a -s "-screen 0 1280x800x24" bash src/test/tools/run-java.sh dev.twinshift.tour.ClusterViewDemo --shoot "$out/cluster-view-1280.png"
xvfb-run -a -s "-screen 0 1280x800x24" bash src/test/tools/run-java.sh dev.twinshift.tour.ClusterViewDemo --dark --shoot "$out/cluster-view-dark.png"
# The timeline of a year of snapshots, in the dark theme (the light one is the README's timeline.png).
xvfb-run -a -s "-screen 0 1280x800x24" bash src/test/tools/run-java.sh dev.twinshift.tour.TimelineDemo --dark --shoot "$out/timeline-dark.png"
