#!/usr/bin/env bash
# The forwarder over HTTP/2 (issue 14): h2load (nghttp2-client) speaks h2c with prior knowledge to
#   ours    heyo-forwarder-bench (the forwarder: HTTP/2 on its local port, the token attached, TLS to the endpoint)
#   nginx   nginx doing the same job (`listen … http2`, proxy_pass https with the header, keepalive pool)
# in front of the same TLS origin (nginx answering 100 bytes). Prints requests/s, the proxy's CPU µs per request
# (from /proc/<pid>/stat) and the ratio ours/nginx, measured in the same run. Loopback only. See bench/README.md.
#   CLIENTS=16 STREAMS=32 REQUESTS=200000 REPEAT=3 bench/h2.sh
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build-bench}
BENCH_NAME=bench-h2
# shellcheck source=bench/common.sh
source "$REPO/bench/common.sh"
CLIENTS=${CLIENTS:-16}        # h2load connections
STREAMS=${STREAMS:-32}        # concurrent streams per connection (-m)
REQUESTS=${REQUESTS:-200000}  # per measured run
REPEAT=${REPEAT:-3}           # runs per proxy, interleaved; the table shows medians
TARGETS=${TARGETS:-"ours nginx"}
NCPU=$(nproc)
PROXY_CPUS=${PROXY_CPUS:-0}
LOAD_CPUS=${LOAD_CPUS:-$([ "$NCPU" -ge 2 ] && echo "1-$((NCPU - 1))" || echo 0)}

install_missing h2load:nghttp2-client nginx:nginx curl:curl ss:iproute2 taskset:util-linux pgrep:procps
DRIVER=${DRIVER:-$BUILD_DIR/bench/forwarder-bench/heyo-forwarder-bench}
EDGE_BIN=${EDGE_BIN:-$BUILD_DIR/app/heyo-edge/heyo-edge}
build_programs "$DRIVER" "$EDGE_BIN"

WORK=$(mktemp -d /tmp/heyo-bench-h2.XXXXXX)
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- heyo-edge (the CA and the account the forwarder signs in with) and the TLS origin ------------------------------
EDGE_PORT=$(free_port)
ORIGIN_PORT=$(free_port)
start "$LOAD_CPUS" "$WORK/edge.log" "$EDGE_BIN" demo --data "$WORK/edge" --listen "127.0.0.1:$EDGE_PORT"
wait_port "$EDGE_PORT" "$LAST_PID" heyo-edge "$WORK/edge.log"
TLS=$WORK/edge/tls
HOST=bench.heyo.localhost
AUTHORITY=$HOST:$ORIGIN_PORT
PLACEHOLDER="bench.$(printf 'x%.0s' $(seq 450))" # a real token's length; a real token never goes into a config file
SMALL_BODY=$(printf 'heyo-bench-%.0s' $(seq 9))0
mkdir -p "$WORK/origin"
{
    nginx_common "$WORK/origin"
    cat <<EOF
daemon off;
master_process off;
http {
    access_log off;
$(nginx_temp_paths "$WORK/origin")
    keepalive_requests 100000000;
    keepalive_timeout 600s;
    server {
        listen 127.0.0.1:$ORIGIN_PORT ssl;
        server_name $HOST;
        ssl_certificate $TLS/server.pem;
        ssl_certificate_key $TLS/server-key.pem;
        if (\$http_authorization !~ "^Bearer .") { return 401; }
        if (\$host != "$HOST") { return 421; }
        location = /small { default_type text/plain; return 200 "$SMALL_BODY"; }
    }
}
EOF
} >"$WORK/origin/nginx.conf"
start "$LOAD_CPUS" "$WORK/origin/stderr.log" nginx -p "$WORK/origin" -c "$WORK/origin/nginx.conf" -e stderr
wait_port "$ORIGIN_PORT" "$LAST_PID" "origin nginx" "$WORK/origin/stderr.log"

# --- the proxies ----------------------------------------------------------------------------------------------------
declare -A PORT PID
for t in $TARGETS; do
    PORT[$t]=$(free_port)
    case $t in
    ours)
        taskset -c "$PROXY_CPUS" "$DRIVER" --service "https://localhost:$EDGE_PORT" --ca-file "$TLS/ca.pem" \
            --email ada@demo.heyo --port "${PORT[ours]}" --threads 1 "https://$AUTHORITY" \
            >"$WORK/ours.log" 2>&1 <<<ada-demo-password &
        PIDS+=($!)
        PID[ours]=$!
        ;;
    nginx)
        mkdir -p "$WORK/nginx"
        {
            nginx_common "$WORK/nginx"
            cat <<EOF
daemon off;
master_process off;
http {
    access_log off;
$(nginx_temp_paths "$WORK/nginx")
    keepalive_requests 100000000;
    keepalive_timeout 600s;
    http2_max_concurrent_streams 128;
    upstream endpoint {
        server 127.0.0.1:$ORIGIN_PORT;
        keepalive 1024;
        keepalive_requests 100000000;
    }
    server {
        listen 127.0.0.1:${PORT[nginx]} http2;
        location / {
            proxy_pass https://endpoint;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host "$AUTHORITY";
            proxy_set_header Authorization "Bearer $PLACEHOLDER";
            proxy_ssl_server_name on;
            proxy_ssl_name $HOST;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate $TLS/ca.pem;
            proxy_ssl_session_reuse on;
            proxy_buffering off;
        }
    }
}
EOF
        } >"$WORK/nginx/nginx.conf"
        start "$PROXY_CPUS" "$WORK/nginx/stderr.log" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e stderr
        PID[nginx]=$LAST_PID
        ;;
    *) die "unknown target $t" ;;
    esac
    wait_port "${PORT[$t]}" "${PID[$t]}" "$t" "$WORK/$t.log"
    log "$t: h2c on 127.0.0.1:${PORT[$t]} (CPUs $PROXY_CPUS)"
done

# --- measure --------------------------------------------------------------------------------------------------------
# One h2load run; prints "req/s µs-per-request". Fails unless every request succeeded with a 2xx.
measure() { # target
    local t=$1 out before after ok rps
    before=$(cpu_ticks "${PID[$t]}")
    out=$(taskset -c "$LOAD_CPUS" h2load -n "$REQUESTS" -c "$CLIENTS" -m "$STREAMS" "http://127.0.0.1:${PORT[$t]}/small")
    after=$(cpu_ticks "${PID[$t]}")
    ok=$(awk '/^status codes:/ {print $3}' <<<"$out")
    [ "$ok" = "$REQUESTS" ] || die "$t: only $ok of $REQUESTS requests got 2xx: $(grep -E '^(requests|status)' <<<"$out")"
    rps=$(awk '/^finished in/ {gsub(",", ""); print $4}' <<<"$out")
    awk -v r="$rps" -v d="$((after - before))" -v hz="$HZ" -v n="$REQUESTS" \
        'BEGIN { printf "%.0f %.2f\n", r, d * 1e6 / hz / n }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for t in $TARGETS; do measure "$t" >/dev/null; done # warm-up: pools filled, sessions cached
declare -A RPS CPU
for _ in $(seq "$REPEAT"); do
    for t in $TARGETS; do
        read -r r c < <(measure "$t")
        RPS[$t]+="$r "
        CPU[$t]+="$c "
        log "$t: $r req/s, $c µs CPU per request"
    done
done

printf '\nHTTP/2 (h2load -c %s -m %s, %s requests of 100 bytes, median of %s), proxy on CPU %s\n' \
    "$CLIENTS" "$STREAMS" "$REQUESTS" "$REPEAT" "$PROXY_CPUS"
printf '%-8s %12s %18s\n' proxy req/s "CPU µs/request"
for t in $TARGETS; do
    printf '%-8s %12s %18s\n' "$t" "$(tr ' ' '\n' <<<"${RPS[$t]}" | grep . | median)" \
        "$(tr ' ' '\n' <<<"${CPU[$t]}" | grep . | median)"
done
if [[ " $TARGETS " == *" ours "* && " $TARGETS " == *" nginx "* ]]; then
    o=$(tr ' ' '\n' <<<"${CPU[ours]}" | grep . | median)
    n=$(tr ' ' '\n' <<<"${CPU[nginx]}" | grep . | median)
    awk -v o="$o" -v n="$n" 'BEGIN { printf "CPU per request, ours / nginx: %.2f (below 1: ours is cheaper)\n", o / n }'
fi
