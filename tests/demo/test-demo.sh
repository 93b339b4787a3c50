#!/usr/bin/env bash
# The README's demo command end to end, on this build (HEYO_DEMO_NO_SETUP: no apt, no build): with a display it must
# end with heyo-access in the tray, signed in (keychain) and forwarding demo-web; without one, with the heyo CLI.
# Either way curl reaches the private endpoint on the printed local URL, and stopping the demo quits the app, signs
# out, and leaves the user's own settings profile untouched.
#   tests/demo/test-demo.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
ROOT=$1
BUILD=$2
T=$(mktemp -d /tmp/heyo-demo-test.XXXXXX)
DEMO_PID=
trap '[ -n "$DEMO_PID" ] && kill $DEMO_PID 2>/dev/null; rm -rf "$T"' EXIT

fail() {
  echo "FAIL ($MODE): $*"
  echo "--- demo output:"
  cat "$T/out" 2>/dev/null
  exit 1
}

free_port() { # first free TCP port on 127.0.0.1 from $1
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

run_demo() { # MODE is "tray" or "cli"; the rest of the arguments prefix the command (env -u DISPLAY ...)
  local data=$T/$MODE port local_port line
  port=$(free_port 18643)
  local_port=$(free_port 17401)
  : >"$T/out"
  HEYO_DEMO_NO_SETUP=1 HEYO_BUILD_DIR=$BUILD HEYO_DEMO_DATA=$data HEYO_DEMO_PORT=$port \
    HEYO_DEMO_LOCAL_PORT=$local_port "$@" bash "$ROOT/scripts/demo.sh" >"$T/out" 2>&1 &
  DEMO_PID=$!
  for _ in $(seq 300); do
    grep -q "Stop with Ctrl-C" "$T/out" && break
    kill -0 $DEMO_PID 2>/dev/null || fail "the demo ended early"
    sleep 0.1
  done
  grep -q "Stop with Ctrl-C" "$T/out" || fail "the demo did not get ready in 30 s"
  grep -q "Valid token, correct account  *200" "$T/out" || fail "the response table is not the reference's"
  grep -q "Valid token, wrong account (bob-notes)  *403" "$T/out" || fail "no 403 row"

  if [ "$MODE" = tray ]; then
    grep -q "Heyo Access is running in your tray, signed in as ada@demo.heyo" "$T/out" || fail "not ended in the tray"
    pgrep -f "heyo-access --service https://localhost:$port" >/dev/null || fail "no heyo-access process"
    HEYO_CONFIG_DIR=$data/client "$BUILD/app/heyo/heyo" accounts | grep -q "ada@demo.heyo" ||
      fail "Ada is not signed in in the demo's profile"
  else
    grep -q "No display here" "$T/out" || fail "does not say why there is no tray app"
  fi
  line=$(grep "^Forwarding http://127.0.0.1:$local_port → https://demo-web.heyo.localhost:$port" "$T/out") ||
    fail "no Forwarding line for port $local_port"
  body=$(curl -s "http://127.0.0.1:$local_port/api/whoami")
  case "$body" in *'"email":"ada@demo.heyo"'*) ;; *) fail "curl through the local port answered: $body" ;; esac

  kill -TERM $DEMO_PID
  for _ in $(seq 150); do kill -0 $DEMO_PID 2>/dev/null || break; sleep 0.1; done
  kill -0 $DEMO_PID 2>/dev/null && fail "the demo did not stop on SIGTERM"
  DEMO_PID=
  pgrep -f "heyo-access --service https://localhost:$port" >/dev/null && fail "heyo-access still runs after the demo"
  curl -s -o /dev/null "http://127.0.0.1:$local_port/" && fail "the local port still answers"
  if [ "$MODE" = tray ]; then
    HEYO_CONFIG_DIR=$data/client "$BUILD/app/heyo/heyo" accounts >/dev/null 2>&1 && fail "still signed in after the demo"
  fi
  [ -e "${XDG_CONFIG_HOME:-$HOME/.config}/heyo/heyo-access.ini" ] && fail "the user's own profile was written"
  echo "PASS ($MODE): $line"
}

if [ -n "${DISPLAY:-}" ]; then
  MODE=tray run_demo env
else
  echo "FAIL: this test needs the display of the test session (scripts/test.sh)"
  exit 1
fi
MODE=cli run_demo env -u DISPLAY -u WAYLAND_DISPLAY
