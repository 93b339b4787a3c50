#!/usr/bin/env bash
# The README's demo command end to end, on this build (HEYO_DEMO_NO_SETUP: no apt, no build): with a display it must
# end with heyo-access in the tray, signed in (keychain) and forwarding demo-web; without one, with the heyo CLI.
# Either way curl reaches the private endpoint on the printed local URL, the command it prints for another terminal
# forwards demo-git there (run in a shell of its own, without the demo's environment) so git reaches it, and stopping
# the demo quits the app, signs out every account of its profile (also one signed in while it ran), and leaves the
# user's own settings profile untouched. Its logs stay in its data directory. A busy demo port is named with its
# holder and the variable that picks another.
#   tests/demo/test-demo.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
ROOT=$1
BUILD=$2
T=$(mktemp -d /tmp/heyo-demo-test.XXXXXX)
DEMO_PID=
OTHER_PID= # the process group of the command run "in another terminal"
HOLDER_PID=
# On a failure the demo still gets to stop what it started (its own trap) before the session goes away.
trap '[ -n "$DEMO_PID" ] && kill $DEMO_PID 2>/dev/null && wait $DEMO_PID
  [ -n "$OTHER_PID" ] && kill -- -$OTHER_PID 2>/dev/null
  [ -n "$HOLDER_PID" ] && kill $HOLDER_PID 2>/dev/null; rm -rf "$T"' EXIT
HEYO=$BUILD/app/heyo/heyo

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
    HEYO_CONFIG_DIR=$data/client "$HEYO" accounts | grep -q "ada@demo.heyo" ||
      fail "Ada is not signed in in the demo's profile"
  else
    grep -q "No display here" "$T/out" || fail "does not say why there is no tray app"
  fi
  line=$(grep "^Forwarding http://127.0.0.1:$local_port → https://demo-web.heyo.localhost:$port" "$T/out") ||
    fail "no Forwarding line for port $local_port"
  body=$(curl -s "http://127.0.0.1:$local_port/api/whoami")
  case "$body" in *'"email":"ada@demo.heyo"'*) ;; *) fail "curl through the local port answered: $body" ;; esac
  grep -q "^Server log: $data/logs/heyo-edge.log " "$T/out" || fail "the server log is not in the demo's data directory"
  [ -s "$data/logs/heyo-edge.log" ] || fail "no server log in $data/logs"
  grep -o '[^ ]*\.log' "$T/out" | grep -v "^$data/logs/" && fail "the demo names a log outside its data directory"

  # The command printed for another terminal, run as printed in a shell that has none of the demo's environment.
  local other git_port
  other=$(grep -A1 "For git, forward demo-git from another terminal" "$T/out" | sed -n '2s/^    //p')
  [ -n "$other" ] || fail "no command for another terminal"
  env -u HEYO_CONFIG_DIR setsid bash -c "$other" >"$T/other" 2>&1 &
  OTHER_PID=$!
  for _ in $(seq 300); do
    grep -q "^Forwarding http://127.0.0.1:" "$T/other" && break
    kill -0 $OTHER_PID 2>/dev/null || break
    sleep 0.1
  done
  git_port=$(sed -n 's|^Forwarding http://127.0.0.1:\([0-9]*\) → https://demo-git\..*|\1|p' "$T/other")
  [ -n "$git_port" ] || fail "'$other' did not forward demo-git: $(cat "$T/other")"
  GIT_TERMINAL_PROMPT=0 git ls-remote "http://127.0.0.1:$git_port/demo.git" >"$T/refs" 2>&1 ||
    fail "git through '$other' failed: $(cat "$T/refs")"
  grep -q "refs/heads/" "$T/refs" || fail "git ls-remote listed no branch: $(cat "$T/refs")"
  kill -TERM -- -$OTHER_PID
  wait $OTHER_PID 2>/dev/null
  OTHER_PID=

  local bob_id=
  if [ "$MODE" = tray ]; then
    # A second account signed in within the demo's profile while it runs (as through the app's Sign in…).
    printf '%s\n' bob-demo-password | HEYO_CONFIG_DIR=$data/client "$HEYO" --service "https://localhost:$port" \
      --ca-file "$data/tls/ca.pem" login --email bob@demo.heyo --password-stdin >/dev/null ||
      fail "Bob's sign-in failed"
    bob_id=$(HEYO_CONFIG_DIR=$data/client "$HEYO" accounts | sed -n 's/.*bob@demo\.heyo  *\(acc_[0-9a-f]*\).*/\1/p')
    [ -n "$bob_id" ] || fail "Bob is not among the demo profile's accounts"
    [ -n "$(secret-tool lookup user "$bob_id/jwt" server heyo-access)" ] || fail "Bob's token is not in the keychain"
  fi

  kill -TERM $DEMO_PID
  for _ in $(seq 150); do kill -0 $DEMO_PID 2>/dev/null || break; sleep 0.1; done
  kill -0 $DEMO_PID 2>/dev/null && fail "the demo did not stop on SIGTERM"
  DEMO_PID=
  pgrep -f "heyo-access --service https://localhost:$port" >/dev/null && fail "heyo-access still runs after the demo"
  curl -s -o /dev/null "http://127.0.0.1:$local_port/" && fail "the local port still answers"
  if [ "$MODE" = tray ]; then
    HEYO_CONFIG_DIR=$data/client "$HEYO" accounts >/dev/null 2>&1 && fail "still signed in after the demo"
    [ -n "$(secret-tool lookup user "$bob_id/jwt" server heyo-access)" ] && fail "Bob's token stayed in the keychain"
  fi
  [ -e "${XDG_CONFIG_HOME:-$HOME/.config}/heyo/heyo-access.ini" ] && fail "the user's own profile was written"
  echo "PASS ($MODE): $line"
}

busy_port_is_named() { # something else listens on the demo's port: the demo names it and the way out
  local port rc
  port=$(free_port 18743)
  python3 -c "import socket,time
s=socket.socket(); s.bind(('127.0.0.1',$port)); s.listen(); print('up',flush=True); time.sleep(120)" >"$T/holder" 2>&1 &
  HOLDER_PID=$!
  for _ in $(seq 100); do grep -q up "$T/holder" && break; sleep 0.1; done
  HEYO_DEMO_NO_SETUP=1 HEYO_BUILD_DIR=$BUILD HEYO_DEMO_DATA=$T/busy HEYO_DEMO_PORT=$port \
    timeout 60 bash "$ROOT/scripts/demo.sh" >"$T/out" 2>&1
  rc=$?
  kill $HOLDER_PID
  wait $HOLDER_PID 2>/dev/null
  [ $rc = 1 ] || fail "the demo on a busy port exited $rc, not 1"
  grep -q "127.0.0.1:$port: the port is already in use (held by python3 (pid $HOLDER_PID))" "$T/out" ||
    fail "the holder of the busy port is not named"
  grep -q "HEYO_DEMO_PORT=$((port + 1)) " "$T/out" || fail "no word of HEYO_DEMO_PORT"
  HOLDER_PID=
  echo "PASS ($MODE): a busy port $port is named with its holder"
}
MODE=busy busy_port_is_named

if [ -n "${DISPLAY:-}" ]; then
  MODE=tray run_demo env
else
  echo "FAIL: this test needs the display of the test session (scripts/test.sh)"
  exit 1
fi
MODE=cli run_demo env -u DISPLAY -u WAYLAND_DISPLAY
