#!/usr/bin/env bash
# Start-up benchmark of heyo-access: main() → tray usable (the app reports it once its event loop runs with the tray
# icon shown; WebEngine is not loaded), over N runs with a fresh HOME each, under Xvfb with a tray host, plus the idle
# RSS after a few seconds and a check that no WebEngine library is mapped.
#   bench/startup/startup.sh [build dir, default build] [runs, default 10]
# Needs a display and a session bus: it makes its own (dbus-run-session, xvfb-run, trayer, gnome-keyring).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
RUNS=${2:-10}
APP=$BUILD/app/heyo-access/heyo-access
[ -x "$APP" ] || { echo "no $APP: build the heyo-access target first" >&2; exit 1; }
if [ -z "${HEYO_BENCH_INNER:-}" ]; then
    T=$(mktemp -d /tmp/heyo-bench.XXXXXX)
    mkdir -m700 "$T/run"
    trap 'rm -rf "$T"' EXIT
    export XDG_RUNTIME_DIR=$T/run HEYO_BENCH_INNER=1 HEYO_BENCH_TMP=$T
    unset DBUS_SESSION_BUS_ADDRESS DISPLAY
    exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" bash "$0" "$BUILD" "$RUNS"
fi

printf %s bench-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
trayer --edge top --align right --widthtype pixel --width 200 --height 32 >/dev/null 2>&1 &
TRAY=$!
sleep 1
main_ms=() proc_ms=()
for i in $(seq 1 "$RUNS"); do
    H=$HEYO_BENCH_TMP/home-$i
    mkdir -m700 -p "$H"
    log=$HEYO_BENCH_TMP/run-$i.log
    HOME=$H XDG_CONFIG_HOME=$H/.config XDG_DATA_HOME=$H/.local/share HEYO_ACCESS_STARTUP_REPORT=1 "$APP" >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do grep -qs "usable after" "$log" && break; sleep 0.1; done
    line=$(grep -m1 "usable after" "$log" || true)
    [ -n "$line" ] || { cat "$log"; kill "$pid"; echo "run $i: no report" >&2; exit 1; }
    main_ms+=("$(sed -E 's/.*usable after ([0-9]+) ms from main.*/\1/' <<<"$line")")
    proc_ms+=("$(sed -E 's/.* ([0-9]+) ms from process start.*/\1/' <<<"$line")")
    if [ "$i" -eq "$RUNS" ]; then
        sleep 5 # idle
        rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
        webengine=$(grep -c libQt6WebEngineCore "/proc/$pid/maps" || true)
        gldriver=$(grep -cE '/dri/|libLLVM' "/proc/$pid/maps" || true)
        mode=$(sed -E 's/.*\((tray|window)\).*/\1/' <<<"$line")
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true
done
kill "$TRAY" 2>/dev/null || true

stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "min %d ms, median %d ms, max %d ms", a[1], a[int((NR+1)/2)], a[NR]}'; }
echo "heyo-access start-up, $RUNS runs ($mode), $(nproc) cores:"
echo "  main() → usable:        $(stats "${main_ms[@]}")"
echo "  process start → usable: $(stats "${proc_ms[@]}")"
echo "  idle RSS after 5 s:     $((rss / 1024)) MiB ($rss kB)"
echo "  QtWebEngine mapped:     $([ "$webengine" -eq 0 ] && echo no || echo YES)"
echo "  GL driver mapped:       $([ "$gldriver" -eq 0 ] && echo no || echo YES)"
