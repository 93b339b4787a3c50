#!/usr/bin/env bash
# The demo command: installs what is needed, builds, starts heyo-edge in local mode with demo data, and shows the
# reference documents' response table answered for real over TLS. Then it keeps serving until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${HEYO_BUILD_DIR:-$ROOT/build}
DATA=${HEYO_DEMO_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/heyo-edge-demo}
PORT=${HEYO_DEMO_PORT:-8443}

bash scripts/install-deps.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)"

EDGE=$BUILD/app/heyo-edge/heyo-edge
LOG=$(mktemp /tmp/heyo-edge-demo.XXXXXX.log)
"$EDGE" demo --data "$DATA" --listen "127.0.0.1:$PORT" >"$LOG" 2>&1 &
EDGE_PID=$!
trap 'kill $EDGE_PID 2>/dev/null; wait $EDGE_PID 2>/dev/null' EXIT INT TERM
for _ in $(seq 100); do
  grep -q "listening on" "$LOG" && break
  kill -0 $EDGE_PID 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.1
done
grep -q "listening on" "$LOG" || { cat "$LOG"; echo "heyo-edge did not start"; exit 1; }

CA=$DATA/tls/ca.pem
API=https://localhost:$PORT
WEB=https://demo-web.heyo.localhost:$PORT
status() { curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" "$@"; }
TOKEN=$(curl -s --cacert "$CA" "$API/api/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"ada@demo.heyo","password":"ada-demo-password"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')

echo
echo "== heyo-edge is running: API $API, endpoints https://<slug>.heyo.localhost:$PORT, CA $CA"
echo
echo "The reference documents' response table, answered by the demo service (private endpoint demo-web, Ada's):"
printf '  %-40s %s\n' "Scenario" "Response"
printf '  %-40s %s\n' "No token (API)" "$(status "$WEB/api/whoami")"
printf '  %-40s %s\n' "No token (browser)" "$(status -H 'Accept: text/html' "$WEB/") → $(curl -s -o /dev/null -w '%{redirect_url}' --cacert "$CA" -H 'Accept: text/html' "$WEB/" | cut -d'?' -f1)"
printf '  %-40s %s\n' "Invalid token" "$(status -H 'Authorization: Bearer not-a-token' "$WEB/api/whoami")"
printf '  %-40s %s\n' "Valid token, wrong account (bob-notes)" "$(status -H "Authorization: Bearer $TOKEN" "https://bob-notes.heyo.localhost:$PORT/api/whoami")"
printf '  %-40s %s\n' "Valid token, correct account" "$(status -H "Authorization: Bearer $TOKEN" "$WEB/api/whoami")"
echo
echo "What the app behind demo-web receives (identity headers added, token removed):"
echo "  $(curl -s --cacert "$CA" -H "Authorization: Bearer $TOKEN" "$WEB/api/whoami")"
echo
sed -n '/Demo accounts/,$p' "$LOG" | grep -v '^heyo-edge: [A-Z]* ' || true

# The forwarder: a plain local port that attaches Ada's token, so unmodified tools reach the private endpoint.
# --no-store keeps this demo session in memory (no keychain needed); `heyo login` keeps a real one in the keychain.
HEYO=$BUILD/app/heyo/heyo
FWD_LOG=$(mktemp /tmp/heyo-forward-demo.XXXXXX.log)
printf '%s\n' ada-demo-password | "$HEYO" --no-store --service "$API" --ca-file "$CA" forward demo-web \
  --email ada@demo.heyo --password-stdin >"$FWD_LOG" 2>&1 &
FWD_PID=$!
trap 'kill $FWD_PID $EDGE_PID 2>/dev/null; wait $FWD_PID $EDGE_PID 2>/dev/null' EXIT INT TERM
for _ in $(seq 100); do
  grep -q "^Forwarding" "$FWD_LOG" && break
  kill -0 $FWD_PID 2>/dev/null || break
  sleep 0.1
done
LOCAL=$(sed -n 's/^Forwarding \(http:[^ ]*\) .*/\1/p' "$FWD_LOG" | head -1)
if [ -n "$LOCAL" ]; then
  echo "$(head -1 "$FWD_LOG")"
  echo "  curl $LOCAL/api/whoami   →   $(curl -s "$LOCAL/api/whoami")"
  echo "  Open ${LOCAL/127.0.0.1/demo-web.localhost}/ in a browser (its own origin); forward demo-git the same way for git."
else
  echo "The forwarder did not start:"; cat "$FWD_LOG"
fi
echo
echo "Server log: $LOG    Data: $DATA    Stop with Ctrl-C."
wait $EDGE_PID
