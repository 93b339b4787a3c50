#!/usr/bin/env bash
# The demo command: installs what is needed, builds, starts heyo-edge in local mode with demo data, shows the
# reference documents' response table answered for real over TLS, then forwards demo-web to a local port: with the
# tray app (heyo-access) where there is a display, else with the heyo command line. It keeps serving until Ctrl-C.
#   HEYO_DEMO_NO_SETUP=1 skips installing and building (an existing build in $HEYO_BUILD_DIR is used).
#   HEYO_DEMO_PORT=8444 serves the demo on another port than 8443; HEYO_DEMO_DATA=DIR keeps its data elsewhere;
#   HEYO_DEMO_LOCAL_PORT=7101 starts the search for demo-web's local port there.
# Its logs go to DATA/logs; nothing is left in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${HEYO_BUILD_DIR:-$ROOT/build}
DATA=${HEYO_DEMO_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/heyo-edge-demo}
PORT=${HEYO_DEMO_PORT:-8443}

if [ -z "${HEYO_DEMO_NO_SETUP:-}" ]; then
  bash scripts/install-deps.sh
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD" -j"$(nproc)"
fi

EDGE=$BUILD/app/heyo-edge/heyo-edge
LOGS=$DATA/logs
LOG=$LOGS/heyo-edge.log

port_holder() { # "nginx (pid 1234)" for the process listening on TCP port $1 (as heyo forward names it), or nothing
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -1
}
port_busy() { # says who holds port $PORT and how to choose another, then fails
  local holder
  holder=$(port_holder "$PORT")
  echo "The demo cannot serve on 127.0.0.1:$PORT: the port is already in use${holder:+ (held by $holder)}."
  echo "Stop that process, or choose another port for the demo: HEYO_DEMO_PORT=$((PORT + 1)) $0"
  exit 1
}
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && port_busy

mkdir -p "$LOGS"
"$EDGE" demo --data "$DATA" --listen "127.0.0.1:$PORT" >"$LOG" 2>&1 &
EDGE_PID=$!
trap 'kill $EDGE_PID 2>/dev/null; wait $EDGE_PID 2>/dev/null' EXIT INT TERM
for _ in $(seq 100); do
  grep -q "listening on" "$LOG" && break
  if ! kill -0 $EDGE_PID 2>/dev/null; then
    grep -q "already in use" "$LOG" && port_busy # taken between the check and the start
    cat "$LOG"
    exit 1
  fi
  sleep 0.1
done
grep -q "listening on" "$LOG" || { cat "$LOG"; echo "heyo-edge did not start"; exit 1; }

CA=$DATA/tls/ca.pem
API=https://localhost:$PORT
WEB=https://demo-web.heyo.localhost:$PORT
status() { curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" "$@"; }
# Ada's token goes to curl on stdin (printf is a shell builtin), never in an argv that `ps` shows.
with_token() { printf 'Authorization: Bearer %s\n' "$TOKEN" | "$@" -H @-; }
TOKEN=$(printf '%s' '{"email":"ada@demo.heyo","password":"ada-demo-password"}' |
  curl -s --cacert "$CA" "$API/api/auth/login" -H 'Content-Type: application/json' -d @- |
  sed 's/.*"token":"\([^"]*\)".*/\1/')

echo
echo "== heyo-edge is running: API $API, endpoints https://<slug>.heyo.localhost:$PORT, CA $CA"
echo
echo "The reference documents' response table, answered by the demo service (private endpoint demo-web, Ada's):"
printf '  %-40s %s\n' "Scenario" "Response"
printf '  %-40s %s\n' "No token (API)" "$(status "$WEB/api/whoami")"
printf '  %-40s %s\n' "No token (browser)" "$(status -H 'Accept: text/html' "$WEB/") → $(curl -s -o /dev/null -w '%{redirect_url}' --cacert "$CA" -H 'Accept: text/html' "$WEB/" | cut -d'?' -f1)"
printf '  %-40s %s\n' "Invalid token" "$(status -H 'Authorization: Bearer not-a-token' "$WEB/api/whoami")"
printf '  %-40s %s\n' "Valid token, wrong account (bob-notes)" "$(with_token status "https://bob-notes.heyo.localhost:$PORT/api/whoami")"
printf '  %-40s %s\n' "Valid token, correct account" "$(with_token status "$WEB/api/whoami")"
echo
echo "What the app behind demo-web receives (identity headers added, token removed):"
echo "  $(with_token curl -s --cacert "$CA" "$WEB/api/whoami")"
echo
sed -n '/Demo accounts/,$p' "$LOG" | grep -v '^heyo-edge: [A-Z]* ' || true

# The forwarder: a plain local port that attaches Ada's token, so unmodified tools reach the private endpoint.
HEYO=$BUILD/app/heyo/heyo
APP=$BUILD/app/heyo-access/heyo-access
PIDS=
stop_all() {
  [ -n "$PIDS" ] && { kill $PIDS 2>/dev/null; wait $PIDS 2>/dev/null; }
  # The demo leaves nothing in the keychain: every account of its profile, also one signed in through the app.
  [ -n "${SIGNED_IN:-}" ] && "$HEYO" logout --all >/dev/null 2>&1
  kill $EDGE_PID 2>/dev/null
  wait $EDGE_PID 2>/dev/null
}
trap stop_all EXIT INT TERM

free_port() { # the first port from $1 on which nothing listens on 127.0.0.1
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
LOCAL_PORT=$(free_port "${HEYO_DEMO_LOCAL_PORT:-7001}")
LOCAL=http://127.0.0.1:$LOCAL_PORT

wait_for_local() { # until the forwarded endpoint answers 200 (or the process $1 is gone)
  for _ in $(seq 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$LOCAL/api/whoami")" = 200 ] && return 0
    kill -0 "$1" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

show_local() { # $1: why the command for another terminal looks the way it does; $2: that command
  echo "  curl $LOCAL/api/whoami   →   $(curl -s "$LOCAL/api/whoami")"
  echo "  Open http://demo-web.localhost:$LOCAL_PORT/ in a browser (its own origin)."
  echo "  For git, forward demo-git from another terminal ($1):"
  echo "    $2"
  echo "  then git clone http://127.0.0.1:PORT/demo.git with the PORT it prints."
}

TRAY_UP=
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$APP" ]; then
  # The tray app, in a profile of its own (HEYO_CONFIG_DIR), so the user's own settings and default service stay
  # as they were. Ada's session goes to the keychain like a real sign-in; the demo signs out when it ends.
  export HEYO_CONFIG_DIR=$DATA/client
  mkdir -p "$HEYO_CONFIG_DIR"
  if LOGIN_OUT=$(printf '%s\n' ada-demo-password |
      "$HEYO" --service "$API" --ca-file "$CA" login --email ada@demo.heyo --password-stdin 2>&1); then
    SIGNED_IN=1
    APP_LOG=$LOGS/heyo-access.log
    "$APP" --service "$API" --ca-file "$CA" --forward "demo-web:$LOCAL_PORT" >"$APP_LOG" 2>&1 &
    APP_PID=$!
    PIDS="$PIDS $APP_PID"
    if wait_for_local "$APP_PID"; then
      TRAY_UP=1
      echo "Heyo Access is running in your tray, signed in as ada@demo.heyo and forwarding demo-web:"
      echo "Forwarding $LOCAL → $WEB"
      show_local "Ada is signed in within the demo's own profile, HEYO_CONFIG_DIR" \
        "$(printf 'HEYO_CONFIG_DIR=%q %q forward demo-git' "$HEYO_CONFIG_DIR" "$HEYO")"
      echo "  Click the tray icon for the endpoints window; quitting the demo (Ctrl-C) quits the app and signs out."
    else
      echo "heyo-access did not start forwarding (its log: $APP_LOG); using the heyo command line instead."
      kill "$APP_PID" 2>/dev/null
    fi
  else
    echo "The tray app needs the system keychain to keep a sign-in, and it refused:"
    echo "  ${LOGIN_OUT//$'\n'/$'\n'  }"
    echo "Using the heyo command line instead (its session stays in memory)."
  fi
else
  echo "No display here, so no tray app: forwarding with the heyo command line instead."
fi

if [ -z "$TRAY_UP" ]; then
  # --no-store keeps this demo session in memory (no keychain needed); `heyo login` keeps a real one in the keychain.
  FWD_LOG=$LOGS/heyo-forward.log
  printf '%s\n' ada-demo-password | env -u HEYO_CONFIG_DIR "$HEYO" --no-store --service "$API" --ca-file "$CA" \
    forward "demo-web:$LOCAL_PORT" --email ada@demo.heyo --password-stdin >"$FWD_LOG" 2>&1 &
  FWD_PID=$!
  PIDS="$PIDS $FWD_PID"
  if wait_for_local "$FWD_PID"; then
    head -1 "$FWD_LOG"
    # That terminal has no session of this process's: the command signs in, in memory, as this one did.
    show_local "the session here lives in this process only, so that one signs in too" \
      "$(printf "printf '%%s\\\\n' ada-demo-password | %q --no-store --service %q --ca-file %q forward demo-git \
--email ada@demo.heyo --password-stdin" "$HEYO" "$API" "$CA")"
  else
    echo "The forwarder did not start:"; cat "$FWD_LOG"
  fi
fi
echo
echo "Server log: $LOG    Data: $DATA    Stop with Ctrl-C."
wait $EDGE_PID
