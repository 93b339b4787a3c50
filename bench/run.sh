#!/usr/bin/env bash
# The forwarder benchmark (issue 4 "Speed", DESIGN §6): one workload, one machine, one run, through
#   ours    heyo-forwarder-bench (heyo::forward::Forwarder on the src/net engine)
#   nginx   nginx as the same forwarder (proxy_pass https, token header, Host pinned, keepalive pool, 64 KiB buffers)
#   haproxy haproxy likewise (http-reuse always, verified TLS to the upstream, header set)
#   direct  wrk/curl straight to the upstream with the header (the limit)
# all against the same TLS upstream (nginx answering 100 bytes, or a 1 GiB stream from tmpfs). Prints requests/s,
# p50/p99, the proxy's CPU µs per request (from /proc/<pid>/stat), MiB/s and CPU s per GiB for the stream, peak RSS,
# and the ratios ours/nginx and ours/haproxy. Loopback only; stops everything it started. See bench/README.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build-bench}
BENCH_NAME=bench
# shellcheck source=bench/common.sh
source "$REPO/bench/common.sh"
DURATION=${DURATION:-15}        # seconds per measured wrk run
WARMUP=${WARMUP:-3}             # seconds of the same load before each measured run (fills the upstream pools)
CONNS=${CONNS-"64 256"}         # wrk connection counts (empty: stream only)
STREAM_MIB=${STREAM_MIB:-1024}  # size of the streamed response
REPEAT=${REPEAT:-1}             # measure everything this many times, interleaved; tables show medians
WORKERS=${WORKERS:-1}           # engine threads / nginx workers / haproxy threads, the same for all three
TARGETS=${TARGETS:-"ours nginx haproxy direct"}
RESULTS=${RESULTS:-}            # also write the result tables to this file
KEEP=${KEEP:-0}                 # 1 → keep the work directory (configs, logs)
PERF_DIR=${PERF_DIR:-}          # set → perf profiles of each proxy's measured runs go there (skews the figures);
                                # PERF_TRACE=1 → syscall counts (perf trace -s) instead

NCPU=$(nproc)
if [ "$NCPU" -ge 2 ]; then
    PROXY_CPUS=${PROXY_CPUS:-0}                 # the proxy under test
    LOAD_CPUS=${LOAD_CPUS:-1-$((NCPU - 1))}     # wrk, curl, the upstream, heyo-edge
else
    PROXY_CPUS=${PROXY_CPUS:-0}
    LOAD_CPUS=${LOAD_CPUS:-0}
fi
count_cpus() { # "1-3,5" → 4
    local n=0 part
    for part in ${1//,/ }; do
        if [[ $part == *-* ]]; then n=$((n + ${part#*-} - ${part%-*} + 1)); else n=$((n + 1)); fi
    done
    echo "$n"
}
WRK_THREADS=${WRK_THREADS:-$(c=$(count_cpus "$LOAD_CPUS"); [ "$c" -gt 4 ] && c=4; echo "$c")}

# --- what the script uses -----------------------------------------------------------------------------------------
install_missing wrk:wrk nginx:nginx haproxy:haproxy curl:curl ss:iproute2 taskset:util-linux pgrep:procps
[ -z "$PERF_DIR" ] || command -v perf >/dev/null 2>&1 || die "PERF_DIR needs perf (Debian: apt-get install linux-perf)"
DRIVER=${DRIVER:-$BUILD_DIR/bench/forwarder-bench/heyo-forwarder-bench}
EDGE_BIN=${EDGE_BIN:-$BUILD_DIR/app/heyo-edge/heyo-edge}
DRIVER_B=${DRIVER_B:-} # optional second driver build, measured as target "oursB" (A/B of an engine change)
build_programs "$DRIVER" "$EDGE_BIN"

# --- work directory, clean-up ---------------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/heyo-bench.XXXXXX)
SHM=$(mktemp -d /dev/shm/heyo-bench.XXXXXX 2>/dev/null || mktemp -d "$WORK/shm.XXXXXX")
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$SHM"
    if [ "$KEEP" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# --- the upstream: nginx over TLS with heyo-edge's CA, 100 bytes or the big stream, checks the header's presence ----
EDGE_PORT=$(free_port)
ORIGIN_PORT=$(free_port)
log "heyo-edge demo on 127.0.0.1:$EDGE_PORT (CA and the account to sign in with)"
start "$LOAD_CPUS" "$WORK/edge.log" "$EDGE_BIN" demo --data "$WORK/edge" --listen "127.0.0.1:$EDGE_PORT"
EDGE_PID=$LAST_PID
wait_port "$EDGE_PORT" "$EDGE_PID" heyo-edge "$WORK/edge.log"
TLS=$WORK/edge/tls
[ -s "$TLS/ca.pem" ] && [ -s "$TLS/server.pem" ] || die "heyo-edge wrote no CA in $TLS"

HOST=bench.heyo.localhost
AUTHORITY=$HOST:$ORIGIN_PORT
# The proxies other than ours get a placeholder of a real token's length (456 bytes): the upstream only checks that a
# Bearer header arrives, and a real token must not go into a config file. Ours attaches the real session token.
PLACEHOLDER="bench.$(printf 'x%.0s' $(seq 450))"
SMALL_BODY=$(printf 'heyo-bench-%.0s' $(seq 9))0
[ ${#SMALL_BODY} -eq 100 ] || die "small body is ${#SMALL_BODY} bytes"
truncate -s "$((STREAM_MIB * 1024 * 1024))" "$SHM/big.bin" # sparse on tmpfs: reads zeros, holds no memory

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
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:BENCH:10m;
        output_buffers 2 64k;
        # Every request must carry a Bearer header and the endpoint's Host, else it counts as an error in wrk.
        if (\$http_authorization !~ "^Bearer .") { return 401; }
        if (\$host != "$HOST") { return 421; }
        location = /small { default_type text/plain; return 200 "$SMALL_BODY"; }
        location = /big { default_type application/octet-stream; alias $SHM/big.bin; }
    }
}
EOF
} >"$WORK/origin/nginx.conf"
log "upstream: nginx TLS origin https://$AUTHORITY (pinned to CPUs $LOAD_CPUS)"
start "$LOAD_CPUS" "$WORK/origin/stderr.log" nginx -p "$WORK/origin" -c "$WORK/origin/nginx.conf" -e stderr
ORIGIN_PID=$LAST_PID
wait_port "$ORIGIN_PORT" "$ORIGIN_PID" "origin nginx" "$WORK/origin/stderr.log"

# --- the proxies ----------------------------------------------------------------------------------------------------
declare -A PORT PID
for t in $TARGETS; do
    case $t in
    ours | oursB)
        bin=$DRIVER
        [ "$t" = oursB ] && bin=${DRIVER_B:?DRIVER_B must name a second heyo-forwarder-bench for target oursB}
        PORT[$t]=$(free_port)
        log "$t: $bin on 127.0.0.1:${PORT[$t]}, $WORKERS engine thread(s), CPUs $PROXY_CPUS"
        # The demo account's published password, on stdin (never argv); the driver signs in like `heyo login`.
        taskset -c "$PROXY_CPUS" "$bin" --service "https://localhost:$EDGE_PORT" --ca-file "$TLS/ca.pem" \
            --email ada@demo.heyo --port "${PORT[$t]}" --threads "$WORKERS" "https://$AUTHORITY" \
            >"$WORK/$t.log" 2>&1 <<<ada-demo-password &
        PIDS+=($!)
        PID[$t]=$!
        wait_port "${PORT[$t]}" "${PID[$t]}" "$bin" "$WORK/$t.log"
        ;;
    nginx)
        PORT[nginx]=$(free_port)
        mkdir -p "$WORK/nginx"
        {
            nginx_common "$WORK/nginx"
            echo "daemon off;"
            if [ "$WORKERS" -eq 1 ]; then echo "master_process off;"; else echo "worker_processes $WORKERS;"; fi
            cat <<EOF
http {
    access_log off;
$(nginx_temp_paths "$WORK/nginx")
    keepalive_requests 100000000;
    keepalive_timeout 600s;
    upstream endpoint {
        server 127.0.0.1:$ORIGIN_PORT;
        keepalive 1024;                 # at least the requests in flight (DESIGN §6)
        keepalive_requests 100000000;
        keepalive_timeout 600s;
    }
    server {
        listen 127.0.0.1:${PORT[nginx]};
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
            proxy_request_buffering off;
            proxy_buffer_size 64k;
            proxy_buffers 4 64k;
        }
    }
}
EOF
        } >"$WORK/nginx/nginx.conf"
        log "nginx: forwarder on 127.0.0.1:${PORT[nginx]}, $WORKERS worker(s), CPUs $PROXY_CPUS"
        start "$PROXY_CPUS" "$WORK/nginx/stderr.log" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e stderr
        PID[nginx]=$LAST_PID
        wait_port "${PORT[nginx]}" "${PID[nginx]}" "nginx forwarder" "$WORK/nginx/stderr.log"
        ;;
    haproxy)
        PORT[haproxy]=$(free_port)
        cat >"$WORK/haproxy.cfg" <<EOF
global
    nbthread $WORKERS
    maxconn 8000
    tune.bufsize 65536
defaults
    mode http
    timeout connect 10s
    timeout client 600s
    timeout server 600s
    timeout http-keep-alive 600s
    option http-keep-alive
    http-reuse always
frontend bench
    bind 127.0.0.1:${PORT[haproxy]}
    default_backend endpoint
backend endpoint
    http-request set-header Host $AUTHORITY
    http-request set-header Authorization "Bearer $PLACEHOLDER"
    server origin 127.0.0.1:$ORIGIN_PORT ssl verify required ca-file $TLS/ca.pem sni str($HOST) verifyhost $HOST alpn http/1.1 pool-max-conn 1024 pool-purge-delay 600s
EOF
        log "haproxy: forwarder on 127.0.0.1:${PORT[haproxy]}, $WORKERS thread(s), CPUs $PROXY_CPUS"
        start "$PROXY_CPUS" "$WORK/haproxy.log" haproxy -db -f "$WORK/haproxy.cfg"
        PID[haproxy]=$LAST_PID
        wait_port "${PORT[haproxy]}" "${PID[haproxy]}" haproxy "$WORK/haproxy.log"
        ;;
    direct) ;;
    *) die "unknown target $t" ;;
    esac
done

url_of() { # target path
    if [ "$1" = direct ]; then echo "https://127.0.0.1:$ORIGIN_PORT$2"; else echo "http://127.0.0.1:${PORT[$1]}$2"; fi
}
# Direct runs put the client on the proxy's CPUs: the hop is gone, the client takes its place.
client_cpus() { if [ "$1" = direct ]; then echo "$PROXY_CPUS"; else echo "$LOAD_CPUS"; fi; }
direct_headers=(-H "Host: $AUTHORITY" -H "Authorization: Bearer $PLACEHOLDER")
measured_pid() { if [ "$1" = direct ]; then echo "$ORIGIN_PID"; else echo "${PID[$1]}"; fi; }

# Sanity: every path answers 200 with the 100 bytes (the header and Host arrived), before anything is measured.
for t in $TARGETS; do
    extra=()
    [ "$t" = direct ] && extra=(--cacert "$TLS/ca.pem" --resolve "$AUTHORITY:127.0.0.1" -H "Authorization: Bearer $PLACEHOLDER")
    if [ "$t" = direct ]; then u="https://$AUTHORITY/small"; else u=$(url_of "$t" /small); fi
    body=$(curl -sS --max-time 10 "${extra[@]}" "$u") || die "$t: $u failed"
    [ "$body" = "$SMALL_BODY" ] || die "$t: $u answered '$body'"
done
log "all paths answer; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

to_ms() { # "1.23ms" / "850.00us" / "1.02s" → ms
    awk -v v="$1" 'BEGIN { u = v; sub(/^[0-9.]+/, "", u); n = v + 0;
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; printf "%.2f", n }'
}

PERF_PID=""
perf_start() { # target pid label: sample the proxy's on-CPU call stacks (software clock: works in VMs too)
    [ -n "$PERF_DIR" ] && [ "$1" != direct ] || return 0
    mkdir -p "$PERF_DIR"
    if [ "${PERF_TRACE:-0}" = 1 ]; then # syscall counts instead of samples
        perf trace -s -p "$2" -o "$PERF_DIR/$1-$3.syscalls" >/dev/null 2>&1 &
    else
        perf record -q -e cpu-clock -F 1999 --call-graph "${PERF_CALLGRAPH:-dwarf,16384}" -p "$2" \
            -o "$PERF_DIR/$1-$3.data" >/dev/null 2>&1 &
    fi
    PERF_PID=$!
    PIDS+=($PERF_PID)
    sleep 0.5
}
perf_stop() {
    [ -n "$PERF_PID" ] || return 0
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    PERF_PID=""
}

declare -A RPS P50 P99 USREQ ORIGUS ERRS MIBS SGIB HWM HWM_STREAM
run_wrk() { # target conns repetition → fills the tables under "target,conns,repetition"
    local t=$1 c=$2 url out pid c0 c1 o0 o1 reqs
    local k=$1,$2,$3
    url=$(url_of "$t" /small)
    local hdr=()
    [ "$t" = direct ] && hdr=("${direct_headers[@]}")
    local threads=$WRK_THREADS
    [ "$t" = direct ] && threads=$(count_cpus "$PROXY_CPUS")
    taskset -c "$(client_cpus "$t")" wrk -t"$threads" -c"$c" -d"${WARMUP}s" "${hdr[@]}" "$url" >/dev/null
    pid=$(measured_pid "$t")
    c0=$(cpu_ticks "$pid"); o0=$(cpu_ticks "$ORIGIN_PID")
    perf_start "$t" "$pid" "$c"
    out=$(taskset -c "$(client_cpus "$t")" wrk -t"$threads" -c"$c" -d"${DURATION}s" --timeout 10s --latency \
        "${hdr[@]}" "$url")
    c1=$(cpu_ticks "$pid"); o1=$(cpu_ticks "$ORIGIN_PID")
    perf_stop
    echo "$out" >"$WORK/wrk-$t-$c-$3.txt"
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    [ -n "$reqs" ] && [ "$reqs" -gt 0 ] || die "$t @$c: wrk made no requests: $out"
    RPS[$k]=$(echo "$out" | awk '/^Requests\/sec/ {printf "%.0f", $2}')
    P50[$k]=$(to_ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
    P99[$k]=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
    USREQ[$k]=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="$reqs" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')
    ORIGUS[$k]=$(awk -v d=$((o1 - o0)) -v hz="$HZ" -v n="$reqs" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')
    local non2xx sockerr
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    sockerr=$(echo "$out" | awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}')
    ERRS[$k]=$(( ${non2xx:-0} + ${sockerr:-0} ))
    [ "$t" = direct ] && USREQ[$k]="—"
    log "$t @$c: ${RPS[$k]} req/s, p50 ${P50[$k]} ms, p99 ${P99[$k]} ms, proxy ${USREQ[$k]} µs/req," \
        "upstream ${ORIGUS[$k]} µs/req, errors ${ERRS[$k]}"
}

run_stream() { # target repetition
    local t=$1 k=$1,$2 pid c0 c1 out code size secs extra=() u
    pid=$(measured_pid "$t")
    if [ "$t" = direct ]; then
        extra=(--cacert "$TLS/ca.pem" --resolve "$AUTHORITY:127.0.0.1" -H "Authorization: Bearer $PLACEHOLDER")
        u="https://$AUTHORITY/big"
    else
        u=$(url_of "$t" /big)
    fi
    [ "$2" = 1 ] && HWM[$t]=$(hwm_kb "$pid")
    c0=$(cpu_ticks "$pid")
    perf_start "$t" "$pid" stream
    out=$(taskset -c "$(client_cpus "$t")" curl -sS --max-time 300 -o /dev/null -w '%{http_code} %{size_download} %{time_total}' \
        "${extra[@]}" "$u")
    c1=$(cpu_ticks "$pid")
    perf_stop
    read -r code size secs <<<"$out"
    [ "$code" = 200 ] && [ "$size" -eq $((STREAM_MIB * 1024 * 1024)) ] || die "$t stream: HTTP $code, $size bytes"
    MIBS[$k]=$(awk -v s="$secs" -v m="$STREAM_MIB" 'BEGIN { printf "%.0f", m / s }')
    SGIB[$k]=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v m="$STREAM_MIB" 'BEGIN { printf "%.2f", d / hz / (m / 1024) }')
    HWM_STREAM[$t]=$(hwm_kb "$pid")
    [ "$t" = direct ] && { HWM[$t]="—"; HWM_STREAM[$t]="—"; }
    log "$t stream: ${MIBS[$k]} MiB/s, ${SGIB[$k]} CPU s/GiB ($( [ "$t" = direct ] && echo upstream || echo proxy))," \
        "peak RSS ${HWM_STREAM[$t]} kB"
}

START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
# Every other repetition runs the targets in reverse order, so no target always runs first (or right after
# another's load) and each pair of runs compared below sits close together in time.
order() { if (($1 % 2)); then echo "$TARGETS"; else echo "$TARGETS" | tr ' ' '\n' | tac | tr '\n' ' '; fi; }
for r in $(seq "$REPEAT"); do
    for c in $CONNS; do
        for t in $(order "$r"); do run_wrk "$t" "$c" "$r"; done
    done
done
for r in $(seq "$REPEAT"); do
    for t in $(order "$r"); do run_stream "$t" "$r"; done
done
# Medians over the repetitions (and the spread of the CPU figures, to show how noisy the machine was).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "–" hi }'; }
declare -A USRANGE SGRANGE
for t in $TARGETS; do
    for c in $CONNS; do
        for m in RPS P50 P99 USREQ ORIGUS; do
            declare -n tab=$m
            vals=()
            for r in $(seq "$REPEAT"); do vals+=("${tab[$t,$c,$r]}"); done
            tab[$t,$c]=$(median "${vals[@]}")
            [ "$m" = USREQ ] && USRANGE[$t,$c]=$(spread "${vals[@]}")
            unset -n tab
        done
        ERRS[$t,$c]=0
        for r in $(seq "$REPEAT"); do ERRS[$t,$c]=$((${ERRS[$t,$c]} + ${ERRS[$t,$c,$r]})); done
        [ "$t" = direct ] && { USREQ[$t,$c]="—"; USRANGE[$t,$c]="—"; }
    done
    for m in MIBS SGIB; do
        declare -n tab=$m
        vals=()
        for r in $(seq "$REPEAT"); do vals+=("${tab[$t,$r]}"); done
        tab[$t]=$(median "${vals[@]}")
        [ "$m" = SGIB ] && SGRANGE[$t]=$(spread "${vals[@]}")
        unset -n tab
    done
done
END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ---------------------------------------------------------------------------------------------------------
ratio() { # a b → a/b or —
    awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "—" }'
}
# Median over the repetitions of ours/other measured in the same repetition (runs minutes apart on a shared
# machine differ more than adjacent ones do, so pairing first cancels most of the drift). Args: table other [conns].
paired() {
    declare -n tab=$1
    local vals=() r k
    for r in $(seq "$REPEAT"); do
        k=${3:+$3,}$r
        vals+=("$(ratio "${tab[ours,$k]}" "${tab[$2,$k]}")")
    done
    unset -n tab
    median "${vals[@]}"
}
ratio_of_medians() { # table other [conns]
    declare -n tab=$1
    local k=${3:+,$3}
    ratio "${tab[ours$k]}" "${tab[$2$k]}"
    unset -n tab
}
# ours/… for each other target; $1 compares one figure (ratio_of_medians or paired). Peak RSS is one reading per
# target, so only the ratio of medians has that column.
ratio_table() { # compare title
    local cmp=$1 r c
    echo "| $2 | $(for c in $CONNS; do printf 'req/s @%s | µs/req @%s | p99 @%s | ' "$c" "$c" "$c"; done)MiB/s | s/GiB |$(
        [ "$cmp" = paired ] || printf ' peak RSS |')"
    echo "|---|$(for c in $CONNS; do printf -- '---:|---:|---:|'; done)---:|---:|$([ "$cmp" = paired ] || printf -- '---:|')"
    for r in nginx haproxy oursB; do
        has "$r" || continue
        printf '| %s | ' "$r"
        for c in $CONNS; do printf '%s | %s | %s | ' "$($cmp RPS "$r" "$c")" "$($cmp USREQ "$r" "$c")" "$($cmp P99 "$r" "$c")"; done
        printf '%s | %s |' "$($cmp MIBS "$r")" "$($cmp SGIB "$r")"
        [ "$cmp" = paired ] || printf ' %s |' "$(ratio_of_medians HWM_STREAM "$r")"
        echo
    done
}
has() { [[ " $TARGETS " == *" $1 "* ]]; }
report() {
    echo "Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(uname -r);" \
        "load average $START_LOAD at start, $END_LOAD at end."
    echo "Proxies on CPUs $PROXY_CPUS; wrk ($WRK_THREADS threads), curl, upstream on CPUs $LOAD_CPUS (direct: client on" \
        "$PROXY_CPUS). $WORKERS worker(s) each; ${DURATION}s per run after ${WARMUP}s warm-up; $STREAM_MIB MiB stream;" \
        "medians of $REPEAT interleaved repetition(s)."
    echo
    echo "| target | conns | req/s | p50 ms | p99 ms | proxy CPU µs/req | (range) | upstream CPU µs/req | errors |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for c in $CONNS; do
        for t in $TARGETS; do
            echo "| $t | $c | ${RPS[$t,$c]} | ${P50[$t,$c]} | ${P99[$t,$c]} | ${USREQ[$t,$c]} | ${USRANGE[$t,$c]} |" \
                "${ORIGUS[$t,$c]} | ${ERRS[$t,$c]} |"
        done
    done
    echo
    echo "| target | stream MiB/s | CPU s/GiB | (range) | peak RSS before stream (KiB) | peak RSS after stream (KiB) |"
    echo "|---|---:|---:|---:|---:|---:|"
    for t in $TARGETS; do
        echo "| $t | ${MIBS[$t]} | ${SGIB[$t]} | ${SGRANGE[$t]} | ${HWM[$t]} | ${HWM_STREAM[$t]} |"
    done
    if has ours; then
        echo
        ratio_table ratio_of_medians "ratio ours/…"
        if ((REPEAT > 1)); then
            echo
            echo "Paired: the median over the $REPEAT repetitions of ours/… within each repetition."
            echo
            ratio_table paired "paired ratio ours/…"
        fi
    fi
}
report | tee ${RESULTS:+"$RESULTS"}
for t in ours oursB; do
    has "$t" || continue
    kill -TERM "${PID[$t]}" 2>/dev/null || true
    wait "${PID[$t]}" 2>/dev/null || true
    sed -n "s/^heyo-forwarder-bench: /$t: /p" "$WORK/$t.log" >&2
done
