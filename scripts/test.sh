#!/usr/bin/env bash
# The test command: installs what is needed, builds, and runs the whole suite (ctest) inside a private D-Bus session
# with an unlocked throwaway gnome-keyring, a virtual X display and a tray host, then prints a summary.
#   scripts/test.sh [ctest arguments, e.g. -L unit]
# HEYO_BUILD_DIR picks another build directory and HEYO_CMAKE_ARGS adds configure options (scripts/test-sanitize.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${HEYO_BUILD_DIR:-$ROOT/build}
read -ra EXTRA_CMAKE_ARGS <<<"${HEYO_CMAKE_ARGS:-}"
# ccache where the machine has it (a developer's re-runs; CI's fresh machines build once, without it).
if command -v ccache >/dev/null; then
  EXTRA_CMAKE_ARGS+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

bash scripts/install-deps.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEYO_WERROR=ON "${EXTRA_CMAKE_ARGS[@]}" >/dev/null
cmake --build "$BUILD" -j"$(nproc)"

# A throwaway HOME and runtime dir: never the user's keyring, settings or caches.
T=$(mktemp -d /tmp/heyo-test.XXXXXX)
mkdir -m700 "$T/home" "$T/run"
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_RUNTIME_DIR=$T/run XDG_CONFIG_HOME=$T/home/.config XDG_DATA_HOME=$T/home/.local/share
export HEYO_TEST_LOG_DIR=$T/logs
mkdir -p "$HEYO_TEST_LOG_DIR"
# WebEngine cannot use its sandbox as root; this is set for tests only, never by the product.
export QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY

# dbus-run-session must be the outer wrapper (TESTING.md): with Xvfb outside, a locked keyring prompts on the
# virtual display and hangs.
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" bash "$ROOT/scripts/test-session.sh" "$BUILD" "$@"
