#!/usr/bin/env bash
# Renders the tray app's windows into docs/screenshots/ (tests/gui/screenshots under Xvfb with a tray host, against
# the demo heyo-edge). Run after a build: scripts/screenshots.sh [build dir, default build].
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${1:-$ROOT/build}
cmake --build "$BUILD" --target tst_screenshots heyo-edge
T=$(mktemp -d /tmp/heyo-shots.XXXXXX)
mkdir -m700 "$T/home" "$T/run"
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_RUNTIME_DIR=$T/run XDG_CONFIG_HOME=$T/home/.config
export HEYO_SCREENSHOT_DIR=$ROOT/docs/screenshots
unset DBUS_SESSION_BUS_ADDRESS DISPLAY
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" bash "$ROOT/scripts/test-session.sh" "$BUILD" -R '^tst_screenshots$'
ls -l "$HEYO_SCREENSHOT_DIR"/*.png
