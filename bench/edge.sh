#!/usr/bin/env bash
# The edge's data path against nginx doing the same job: TLS from the client, a Bearer token required, the request
# proxied over keep-alive to a plain-HTTP app with identity headers added. heyo-edge verifies the token (Ed25519 JWT,
# remembered once verified) and adds the account's identity; nginx only checks that a Bearer header is present and
# adds a fixed identity (it cannot verify our tokens), so it does less work than the edge. Both on CPU 0; wrk and the
# app (an nginx) on the other CPUs. Prints req/s, p99, the proxy's CPU µs per request and paired ratios.
# Usage: bench/edge.sh (BUILD_DIR, CONNS, DURATION, WARMUP, REPEAT, RESULTS as in bench/run.sh). See bench/README.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build-bench}
CONNS=${CONNS:-64 256}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
REPEAT=${REPEAT:-3}
RESULTS=${RESULTS:-}
NCPU=$(nproc)
PROXY_CPUS=0
LOAD_CPUS=${LOAD_CPUS:-1-$((NCPU > 1 ? NCPU - 1 : 1))}
EDGE_BIN=$BUILD_DIR/app/heyo-edge/heyo-edge
BENCH_NAME=edge-bench
# shellcheck source=bench/common.sh
source "$REPO/bench/common.sh"
install_missing wrk:wrk nginx:nginx curl:curl ss:iproute2 taskset:util-linux pgrep:procps python3:python3
build_programs "$EDGE_BIN"

WORK=$(mktemp -d /tmp/heyo-edge-bench.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the app: a plain-HTTP nginx answering 100 bytes, only to requests that carry an identity ------------------------
APP_PORT=$(free_port)
SMALL_BODY=$(printf 'heyo-bench-%.0s' $(seq 9))0
mkdir -p "$WORK/app"
{
    nginx_common "$WORK/app"
    cat <<EOF
daemon off;
master_process off;
http {
    access_log off;
$(nginx_temp_paths "$WORK/app")
    keepalive_requests 100000000;
    keepalive_timeout 600s;
    server {
        listen 127.0.0.1:$APP_PORT;
        if (\$http_x_heyo_account_id = "") { return 401; }
        if (\$http_authorization != "") { return 400; } # the proxy must not pass the token on
        location = /small { default_type text/plain; return 200 "$SMALL_BODY"; }
    }
}
EOF
} >"$WORK/app/nginx.conf"
start "$LOAD_CPUS" "$WORK/app/stderr.log" nginx -p "$WORK/app" -c "$WORK/app/nginx.conf" -e stderr
wait_port "$APP_PORT" "$LAST_PID" "app nginx" "$WORK/app/stderr.log"

# --- heyo-edge: one account, one private endpoint whose target is the app ----------------------------------------------
EDGE_PORT=$(free_port)
DATA=$WORK/edge
PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$PASSWORD" | "$EDGE_BIN" account add --data "$DATA" --email bench@heyo.test --name Bench >/dev/null
"$EDGE_BIN" endpoint add --data "$DATA" --account bench@heyo.test --slug bench --target "http://127.0.0.1:$APP_PORT" \
    --device bench >/dev/null
start "$PROXY_CPUS" "$WORK/edge.log" "$EDGE_BIN" serve --data "$DATA" --listen "127.0.0.1:$EDGE_PORT" --threads 1
EDGE_PID=$LAST_PID
wait_port "$EDGE_PORT" "$EDGE_PID" heyo-edge "$WORK/edge.log"
TLS=$DATA/tls
HOST=bench.heyo.localhost
# The token (of this throwaway account) is never in argv or a file: curl reads it on stdin, wrk finds it in its own
# environment only (the variable is not exported to anything else).
TOKEN=$(printf '{"email":"bench@heyo.test","password":"%s"}' "$PASSWORD" |
    curl -sS --cacert "$TLS/ca.pem" -H 'Content-Type: application/json' -d @- \
        "https://localhost:$EDGE_PORT/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
[ -n "$TOKEN" ] || die "could not sign in to heyo-edge"

# --- nginx as the same edge: TLS with the edge's certificate, Bearer required, identity added, keep-alive upstream ----
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
{
    nginx_common "$WORK/nginx"
    cat <<EOF
daemon off;
master_process off;
http {
    access_log $WORK/nginx/access.log; # heyo-edge logs every request too
$(nginx_temp_paths "$WORK/nginx")
    keepalive_requests 100000000;
    keepalive_timeout 600s;
    upstream app {
        server 127.0.0.1:$APP_PORT;
        keepalive 1024;
        keepalive_requests 100000000;
        keepalive_timeout 600s;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT ssl;
        ssl_certificate $TLS/server.pem;
        ssl_certificate_key $TLS/server-key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:EDGE:10m;
        if (\$http_authorization !~ "^Bearer .") { return 401; }
        location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization "";
            proxy_set_header X-Heyo-Account-Id "acc_bench";
            proxy_set_header X-Heyo-Email "bench@heyo.test";
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-Host \$host;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_buffering off;
        }
    }
}
EOF
} >"$WORK/nginx/nginx.conf"
start "$PROXY_CPUS" "$WORK/nginx/stderr.log" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e stderr
NGINX_PID=$LAST_PID
wait_port "$NGINX_PORT" "$NGINX_PID" "nginx edge" "$WORK/nginx/stderr.log"

cat >"$WORK/wrk.lua" <<EOF
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HEYO_BENCH_TOKEN")
wrk.headers["Host"] = "$HOST"
EOF
declare -A PORT=([edge]=$EDGE_PORT [nginx]=$NGINX_PORT) PID=([edge]=$EDGE_PID [nginx]=$NGINX_PID)
for t in edge nginx; do
    body=$(curl -sS --cacert "$TLS/ca.pem" --resolve "$HOST:${PORT[$t]}:127.0.0.1" -H @- "https://$HOST:${PORT[$t]}/small" \
        <<<"Authorization: Bearer $TOKEN")
    [ "$body" = "$SMALL_BODY" ] || die "$t did not pass the request through: $body"
done
log "edge and nginx answer; app on CPUs $LOAD_CPUS, proxies on CPU $PROXY_CPUS; load average $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A RPS P99 US
run() { # target conns rep
    local t=$1 c=$2 r=$3 out c0 c1 n
    HEYO_BENCH_TOKEN=$TOKEN taskset -c "$LOAD_CPUS" wrk -t1 -c"$c" -d"${WARMUP}s" -s "$WORK/wrk.lua" \
        "https://127.0.0.1:${PORT[$t]}/small" >/dev/null
    c0=$(cpu_ticks "${PID[$t]}")
    out=$(HEYO_BENCH_TOKEN=$TOKEN taskset -c "$LOAD_CPUS" wrk -t1 -c"$c" -d"${DURATION}s" --timeout 10s --latency -s "$WORK/wrk.lua" \
        "https://127.0.0.1:${PORT[$t]}/small")
    c1=$(cpu_ticks "${PID[$t]}")
    ! grep -q "Non-2xx" <<<"$out" || die "$t @$c: $(grep Non-2xx <<<"$out")"
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    RPS[$t,$c,$r]=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
    P99[$t,$c,$r]=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else v = v * 1000; printf "%.2f", v}' <<<"$out")
    US[$t,$c,$r]=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="$n" 'BEGIN { printf "%.1f", d / hz * 1e6 / n }')
    log "$t @$c: ${RPS[$t,$c,$r]} req/s, p99 ${P99[$t,$c,$r]} ms, ${US[$t,$c,$r]} µs/req"
}
for r in $(seq "$REPEAT"); do
    order="edge nginx"
    ((r % 2)) || order="nginx edge"
    for c in $CONNS; do for t in $order; do run "$t" "$c" "$r"; done; done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
med() { # table target conns
    declare -n tab=$1
    local vals=() r
    for r in $(seq "$REPEAT"); do vals+=("${tab[$2,$3,$r]}"); done
    median "${vals[@]}"
}
paired() { # table conns
    declare -n tab=$1
    local vals=() r
    for r in $(seq "$REPEAT"); do vals+=("$(awk -v a="${tab[edge,$2,$r]}" -v b="${tab[nginx,$2,$r]}" 'BEGIN { printf "%.2f", a / b }')"); done
    median "${vals[@]}"
}
report() {
    echo "heyo-edge vs nginx as the same edge; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at end;" \
        "${DURATION}s runs after ${WARMUP}s warm-up; medians of $REPEAT interleaved repetitions."
    echo
    echo "| target | conns | req/s | p99 ms | proxy CPU µs/req |"
    echo "|---|---:|---:|---:|---:|"
    for c in $CONNS; do
        for t in edge nginx; do echo "| $t | $c | $(med RPS $t "$c") | $(med P99 $t "$c") | $(med US $t "$c") |"; done
    done
    echo
    echo "| paired ratio edge/nginx | conns | req/s | p99 | µs/req |"
    echo "|---|---:|---:|---:|---:|"
    for c in $CONNS; do echo "| | $c | $(paired RPS "$c") | $(paired P99 "$c") | $(paired US "$c") |"; done
}
report | tee ${RESULTS:+"$RESULTS"}
