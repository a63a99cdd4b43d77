#!/usr/bin/env bash
# Run by Maven before the integration tests: brings the local lab up when this machine allows it
# (root, or passwordless sudo). Without a lab the integration tests skip themselves, except under
# CI=true, where a lab that cannot be brought up fails the build here, with the reason.
set -euo pipefail

LAB_SH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lab.sh"

unavailable() {
    if [[ ${CI:-} == true ]]; then
        printf '[lab] CI needs the lab, but it is not available: %s\n' "$1" >&2
        exit 1
    fi
    printf '[lab] not available: %s; lab tests will be skipped\n' "$1"
    exit 0
}

# Fast path, no privileges needed: everything is already there.
if bash "$LAB_SH" check; then
    echo "[lab] up (/var/lib/twinshift-lab/console.json)"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    # sudo resets the environment: carry the lab's settings over explicitly.
    run=(sudo -n env)
    while IFS= read -r name; do
        run+=("$name=${!name}")
    done < <(compgen -e | grep '^LAB_' || true)
else
    unavailable "not root and no passwordless sudo to run src/test/lab/lab.sh up"
fi

rc=0
"${run[@]}" bash "$LAB_SH" up </dev/null || rc=$?
if ((rc != 0)); then
    unavailable "'lab.sh up' failed with exit code $rc (see its output above)"
fi
