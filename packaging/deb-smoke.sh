#!/usr/bin/env bash
# Installs the console's .deb, opens the installed console on a virtual display with an empty
# configuration, and removes the package again: what an administrator's first start looks like.
#   sudo bash packaging/deb-smoke.sh [twinshift_VERSION_ARCH.deb]
# Without an argument it builds the package first (packaging/jpackage.sh deb). As root, on Debian:
# whatever is missing (Xvfb, xwininfo, ImageMagick, fakeroot, the package's dependencies) is
# installed with apt-get. A screenshot of the first window is left in ${TMPDIR:-/tmp}.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TITLE=Twinshift
export WINDOW_TIMEOUT=${WINDOW_TIMEOUT:-60}  # seconds for the window to show and paint
SCREENSHOT=${TMPDIR:-/tmp}/twinshift-deb-smoke.png

say() { echo "[deb-smoke] $*"; }
fail() { echo "[deb-smoke] FAILED: $*" >&2; exit 1; }

# Runs under xvfb-run (see below): starts the installed console, waits until its window is mapped
# and painted, keeps a screenshot, and stops it.
if [[ ${1:-} == --on-display ]]; then
    work=$2
    /opt/twinshift/bin/twinshift >"$work/console.log" 2>&1 &
    pid=$!
    # shellcheck disable=SC2317 # run by the trap
    stop_console() {
        kill "$pid" 2>/dev/null || return 0
        for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
        kill -KILL "$pid" 2>/dev/null || true
    }
    trap stop_console EXIT
    deadline=$((SECONDS + WINDOW_TIMEOUT))
    shown=""
    while ((SECONDS < deadline)); do
        kill -0 "$pid" 2>/dev/null || { cat "$work/console.log" >&2; fail "the console exited before showing its window"; }
        if [[ -z $shown ]] && xwininfo -name "$TITLE" 2>/dev/null | grep -q 'Map State: IsViewable'; then
            shown=$SECONDS
            echo "[deb-smoke] window '$TITLE' shown ${shown}s after the start"
        fi
        # A window that is mapped but not painted is one or two flat colours; the console's first
        # screen has text and icons, hence many.
        if [[ -n $shown ]] && import -window root "$SCREENSHOT" 2>/dev/null \
                && colours=$(convert "$SCREENSHOT" -format %k info:) && ((colours >= 64)); then
            echo "[deb-smoke] window painted ($colours colours) ${SECONDS}s after the start; screenshot: $SCREENSHOT"
            xwininfo -name "$TITLE" | sed -n 's/^ *\(Width\|Height\): */[deb-smoke]   window \1: /p'
            exit 0
        fi
        sleep 1
    done
    cat "$work/console.log" >&2
    [[ -n $shown ]] || fail "no window named '$TITLE' within ${WINDOW_TIMEOUT}s"
    fail "the window was shown but not painted within ${WINDOW_TIMEOUT}s (screenshot: $SCREENSHOT)"
fi

[[ $(id -u) -eq 0 ]] || fail "run as root: it installs and removes a package"
export DEBIAN_FRONTEND=noninteractive
start=$SECONDS

# Another apt-get or dpkg may hold dpkg's lock for a while (CI installs, unattended upgrades):
# apt-get is told to wait for it, and dpkg, which cannot be, is retried.
apt_get() { apt-get -o DPkg::Lock::Timeout=300 -q -y "$@"; }
dpkg_waiting() {
    local deadline=$((SECONDS + 300)) out
    while ! out=$(dpkg "$@" 2>&1); do
        if [[ $out == *lock* ]] && ((SECONDS < deadline)); then sleep 2; continue; fi
        echo "$out" >&2
        return 1
    done
}

updated=false
need() {  # need COMMAND DEBIAN-PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    $updated || { apt_get update >/dev/null; updated=true; }
    say "installing $2 (for $1)"
    apt_get install --no-install-recommends "$2" >/dev/null || fail "could not install $2"
}
need xvfb-run xvfb
need xwininfo x11-utils
need import imagemagick

if dpkg-query -W -f '${Status}' twinshift 2>/dev/null | grep -q 'ok installed'; then
    fail "twinshift is already installed here; remove it first (dpkg -r twinshift) so this test does not replace it"
fi

deb=${1:-}
if [[ -z $deb ]]; then
    need fakeroot fakeroot
    need dpkg-deb dpkg
    say "building the package"
    # gzip instead of dpkg-deb's xz: the same files in a package five times quicker to build,
    # which is all a smoke test needs of it.
    DPKG_DEB_COMPRESSOR_TYPE=${DPKG_DEB_COMPRESSOR_TYPE:-gzip} bash packaging/jpackage.sh deb \
        || fail "packaging/jpackage.sh deb did not build the package"
    deb=$(ls target/dist/twinshift_*.deb)
    say "built $deb in $((SECONDS - start))s"
fi
[[ -f $deb ]] || fail "no package at '$deb'"
deb=$(realpath "$deb")

work=$(mktemp -d)
installed=false
cleanup() {
    local rc=$?
    if $installed; then
        if dpkg_waiting -P twinshift; then
            say "removed the package"
            for left in /opt/twinshift /usr/share/applications/twinshift.desktop; do
                [[ ! -e $left ]] || { echo "[deb-smoke] FAILED: $left is still there after removal" >&2; rc=1; }
            done
        else
            echo "[deb-smoke] FAILED: dpkg -P twinshift" >&2; rc=1
        fi
    fi
    rm -rf "$work"
    if ((rc == 0)); then say "passed in $((SECONDS - start))s"; else echo "[deb-smoke] FAILED after $((SECONDS - start))s" >&2; fi
    exit "$rc"
}
trap cleanup EXIT

# The package's own Depends line says what the console needs (GTK 3, X11 libraries, xdg-utils);
# satisfying it first lets dpkg -i alone install the package, as the README tells users to.
depends=$(dpkg-deb -f "$deb" Depends)
if ! apt_get satisfy --no-install-recommends "$depends" >/dev/null 2>&1; then
    apt_get update >/dev/null
    apt_get satisfy --no-install-recommends "$depends" >/dev/null || fail "could not install the package's dependencies: $depends"
fi
say "installing $(basename "$deb")"
installed=true
dpkg_waiting -i "$deb" || fail "dpkg -i $deb"
[[ -x /opt/twinshift/bin/twinshift ]] || fail "the package has no /opt/twinshift/bin/twinshift"
[[ -f /usr/share/applications/twinshift.desktop ]] || fail "the package put no menu entry in /usr/share/applications"
/opt/twinshift/bin/twinshift --version >"$work/version" 2>&1 || { cat "$work/version" >&2; fail "twinshift --version"; }
say "command line answers: $(cat "$work/version")"

# A first start: no saved servers, no lab, no SSH config. Java takes user.home from the password
# database, not from HOME, hence JAVA_TOOL_OPTIONS.
mkdir -p "$work/home"
say "starting /opt/twinshift/bin/twinshift on a virtual display"
HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share \
    TWINSHIFT_LAB_DESCRIPTOR=$work/no-lab.json JAVA_TOOL_OPTIONS=-Duser.home=$work/home NO_AT_BRIDGE=1 \
    xvfb-run -a -s "-screen 0 1280x800x24" bash "${BASH_SOURCE[0]}" --on-display "$work" \
    || fail "the installed console did not show its window"
