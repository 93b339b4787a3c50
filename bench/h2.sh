#!/usr/bin/env bash
# The forwarder over HTTP/2 (issue 14): h2load (nghttp2-client) speaks h2c with prior knowledge to
#   ours    heyo-forwarder-bench (the forwarder: HTTP/2 on its local port, the token attached, TLS to the endpoint)
#   nginx   nginx doing the same job (`listen … http2`, the header set, a keepalive pool upstream)
# in front of the same TLS origin (nginx answering 100 bytes). Prints requests/s, the proxy's CPU µs per request
# (from /proc/<pid>/stat) and the ratio ours/nginx, measured in the same run. Loopback only. See bench/README.md.
# UPSTREAM picks the protocol between the proxies and the origin:
#   h1  (default) the origin's listener has no http2: ours offers h2 and http/1.1 by ALPN and gets HTTP/1.1; nginx
#       uses proxy_pass https (HTTP/1.1)
#   h2  the origin listens with `ssl http2`: ours gets h2 by ALPN (streams multiplexed on its pooled connections, up
#       to the origin's SETTINGS_MAX_CONCURRENT_STREAMS = ORIGIN_STREAMS each); nginx uses grpc_pass grpcs://, its
#       only HTTP/2 upstream module (it proxies any request, not only gRPC)
# Before measuring, one request through each proxy must come back 200 with the 100 bytes, and the origin's log must
# show it arrived over the protocol UPSTREAM names; the upstream connections each proxy holds are printed.
#   CLIENTS=16 STREAMS=32 REQUESTS=200000 REPEAT=3 UPSTREAM=h2 bench/h2.sh
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
UPSTREAM=${UPSTREAM:-h1}      # h1 or h2 between the proxies and the origin
ORIGIN_STREAMS=${ORIGIN_STREAMS:-128} # the origin's http2_max_concurrent_streams (nginx's default), for UPSTREAM=h2
case $UPSTREAM in
h1) ORIGIN_LISTEN=ssl EXPECT_PROTOCOL=HTTP/1.1 ;;
h2) ORIGIN_LISTEN="ssl http2" EXPECT_PROTOCOL=HTTP/2.0 ;;
*) echo "UPSTREAM must be h1 or h2, not $UPSTREAM" >&2; exit 2 ;;
esac
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
    log_format probe '\$server_protocol \$ssl_alpn_protocol \$status \$host';
$(nginx_temp_paths "$WORK/origin")
    keepalive_requests 100000000;
    keepalive_timeout 600s;
    http2_max_concurrent_streams $ORIGIN_STREAMS;
    server {
        listen 127.0.0.1:$ORIGIN_PORT $ORIGIN_LISTEN;
        server_name $HOST;
        ssl_certificate $TLS/server.pem;
        ssl_certificate_key $TLS/server-key.pem;
        if (\$http_authorization !~ "^Bearer .") { return 401; }
        if (\$host != "$HOST") { return 421; }
        location = /small { default_type text/plain; return 200 "$SMALL_BODY"; }
        # The same answer, logged: how each proxy's request reached the origin (checked before measuring).
        location = /probe { access_log $WORK/origin/probe.log probe; default_type text/plain; return 200 "$SMALL_BODY"; }
    }
}
EOF
} >"$WORK/origin/nginx.conf"
start "$LOAD_CPUS" "$WORK/origin/stderr.log" nginx -p "$WORK/origin" -c "$WORK/origin/nginx.conf" -e stderr
wait_port "$ORIGIN_PORT" "$LAST_PID" "origin nginx" "$WORK/origin/stderr.log"

# --- the proxies ----------------------------------------------------------------------------------------------------
# nginx's location: proxy_pass (HTTP/1.1) or grpc_pass (HTTP/2) to the origin, with the same header, Host and TLS.
nginx_location() {
    local m
    case $UPSTREAM in
    h1)
        m=proxy
        cat <<EOF
            proxy_pass https://endpoint;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
EOF
        ;;
    h2)
        m=grpc
        echo "            grpc_pass grpcs://endpoint;"
        ;;
    esac
    cat <<EOF
            ${m}_set_header Host "$AUTHORITY";
            ${m}_set_header Authorization "Bearer $PLACEHOLDER";
            ${m}_ssl_server_name on;
            ${m}_ssl_name $HOST;
            ${m}_ssl_verify on;
            ${m}_ssl_trusted_certificate $TLS/ca.pem;
            ${m}_ssl_session_reuse on;
EOF
}
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
$(nginx_location)
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

# --- check the path -------------------------------------------------------------------------------------------------
# One request through each proxy to /probe: 200 over HTTP/2 with the 100 bytes, and the origin's log line for it
# shows the upstream protocol UPSTREAM asks for (and the ALPN answer).
declare -A SEEN
for t in $TARGETS; do
    seen_before=$(wc -l <"$WORK/origin/probe.log" 2>/dev/null || echo 0)
    out=$(curl -sS --max-time 10 --http2-prior-knowledge -w '\n%{http_code} %{http_version}' \
        "http://127.0.0.1:${PORT[$t]}/probe") || die "$t: the probe request failed"
    [ "$(tail -n 1 <<<"$out")" = "200 2" ] || die "$t: the probe got '$(tail -n 1 <<<"$out")', not '200 2'"
    [ "$(head -n 1 <<<"$out")" = "$SMALL_BODY" ] || die "$t: the probe's body differs: $(head -c 200 <<<"$out")"
    SEEN[$t]=""
    for _ in $(seq 20); do # nginx logs after it has answered
        SEEN[$t]=$(tail -n +"$((seen_before + 1))" "$WORK/origin/probe.log" 2>/dev/null | head -n 1)
        [ -n "${SEEN[$t]}" ] && break
        sleep 0.1
    done
    [ "${SEEN[$t]%% *}" = "$EXPECT_PROTOCOL" ] ||
        die "$t: the origin saw '${SEEN[$t]}', not $EXPECT_PROTOCOL (UPSTREAM=$UPSTREAM)"
    log "$t: 200 with the 100 bytes; at the origin: ${SEEN[$t]} (protocol, ALPN, status, host)"
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
# The TLS connections each proxy holds to the origin after the warm-up (its pool, as the load left it).
declare -A CONNS
for t in $TARGETS; do
    CONNS[$t]=$(ss -Htnp state established "dport = :$ORIGIN_PORT" | grep -c "pid=${PID[$t]}," || true)
    log "$t: ${CONNS[$t]} connection(s) to the origin after the warm-up"
done
declare -A RPS CPU
ORDER=$TARGETS
for _ in $(seq "$REPEAT"); do
    for t in $ORDER; do
        read -r r c < <(measure "$t")
        RPS[$t]+="$r "
        CPU[$t]+="$c "
        log "$t: $r req/s, $c µs CPU per request"
    done
    ORDER=$(tr ' ' '\n' <<<"$ORDER" | grep . | tac | xargs) # the other order next time: neither always runs first
done

printf '\nHTTP/2 (h2load -c %s -m %s, %s requests of 100 bytes, median of %s), proxy on CPU %s, UPSTREAM=%s\n' \
    "$CLIENTS" "$STREAMS" "$REQUESTS" "$REPEAT" "$PROXY_CPUS" "$UPSTREAM"
printf '%-8s %12s %18s   %s\n' proxy req/s "CPU µs/request" "upstream (protocol ALPN at the origin, connections)"
for t in $TARGETS; do
    printf '%-8s %12s %18s   %s\n' "$t" "$(tr ' ' '\n' <<<"${RPS[$t]}" | grep . | median)" \
        "$(tr ' ' '\n' <<<"${CPU[$t]}" | grep . | median)" "$(cut -d' ' -f1-2 <<<"${SEEN[$t]}"), ${CONNS[$t]} connection(s)"
done
if [[ " $TARGETS " == *" ours "* && " $TARGETS " == *" nginx "* ]]; then
    o=$(tr ' ' '\n' <<<"${CPU[ours]}" | grep . | median)
    n=$(tr ' ' '\n' <<<"${CPU[nginx]}" | grep . | median)
    awk -v o="$o" -v n="$n" 'BEGIN { printf "CPU per request, ours / nginx: %.2f (below 1: ours is cheaper)\n", o / n }'
    # The same ratio within each repetition (the two runs of one repetition are adjacent, so they share the drift
    # of a busy machine).
    awk -v o="${CPU[ours]}" -v n="${CPU[nginx]}" 'BEGIN {
        k = split(o, a, " "); split(n, b, " "); s = ""
        for (i = 1; i <= k; i++) s = s (i > 1 ? ", " : "") sprintf("%.2f", a[i] / b[i])
        printf "  per repetition: %s\n", s }'
fi
