#!/usr/bin/env bash
# Runs inside the D-Bus session and the X display made by scripts/test.sh: unlocks a keyring, starts a tray host,
# runs ctest (which ends with its summary: passed/failed counts and time per label).
set -uo pipefail
BUILD=$1
shift
printf %s heyo-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
trayer --edge top --align right --widthtype pixel --width 200 --height 32 >/dev/null 2>&1 &
TRAY=$!
sleep 1
rc=0
ctest --test-dir "$BUILD" --output-on-failure --timeout 600 "$@" || rc=$?
kill "$TRAY" 2>/dev/null
exit $rc
