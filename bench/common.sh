# Shared by bench/run.sh (the forwarder) and bench/edge.sh (the edge): logging, installing what the benchmarks use,
# building the programs, ports, pinned background processes, and CPU/memory readings from /proc.
# Expects REPO, BUILD_DIR and BENCH_NAME (the log prefix) to be set, and PIDS=() for start().

log() { printf '[%s %s] %s\n' "$BENCH_NAME" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Installs (apt) the packages of the tools not found. Arguments: tool:package ...
install_missing() {
    local need=() tool sudo=""
    for tool in "$@"; do
        command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] || need+=("${tool#*:}")
    done
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ ${#need[@]} -gt 0 ]; then
        log "installing ${need[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    fi
    export PATH=$PATH:/usr/sbin:/sbin
}

# Builds the driver and heyo-edge (Release) in BUILD_DIR when one of the programs named is missing, or REBUILD=1.
# CMAKE_ARGS: more arguments for the configure step, split on spaces, e.g.
#   CMAKE_ARGS="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache"
build_programs() {
    local p missing=${REBUILD:-0} extra=()
    read -ra extra <<<"${CMAKE_ARGS:-}"
    for p in "$@"; do [ -x "$p" ] || missing=1; done
    if [ "$missing" = 1 ]; then
        command -v cmake >/dev/null 2>&1 && command -v ninja >/dev/null 2>&1 || bash "$REPO/scripts/install-deps.sh"
        log "building heyo-forwarder-bench and heyo-edge in $BUILD_DIR (Release)"
        cmake -S "$REPO" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHEYO_BUILD_GUI=OFF -DHEYO_BUILD_TESTS=OFF \
            -DHEYO_BUILD_BENCH=ON "${extra[@]}" >/dev/null
        ninja -C "$BUILD_DIR" heyo-forwarder-bench heyo-edge >/dev/null
    fi
}

# The top of an nginx configuration under a prefix directory (pid, error log, limits), and its temp paths (inside
# http {}), so no nginx writes outside the benchmark's work directory.
nginx_common() { # prefix dir
    mkdir -p "$1/tmp"
    cat <<EOF
pid $1/nginx.pid;
error_log $1/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8000; }
EOF
}
nginx_temp_paths() {
    local d
    for d in client_body proxy fastcgi uwsgi scgi; do echo "    ${d}_temp_path $1/tmp/$d;"; done
}

used_ports=" "
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 30000))
        [[ $used_ports == *" $p "* ]] && continue
        [ -z "$(ss -Htln "sport = :$p")" ] || continue
        used_ports+="$p "
        echo "$p"
        return
    done
}

wait_port() { # port, pid, what, log file
    for _ in $(seq 300); do
        [ -n "$(ss -Htln "sport = :$1")" ] && return 0
        kill -0 "$2" 2>/dev/null || die "$3 exited: $(tail -n 5 "$4" 2>/dev/null)"
        sleep 0.1
    done
    die "$3 did not listen on port $1 within 30 s"
}
# Start a process in the background pinned to CPUs, remember its pid. Usage: start CPUS LOGFILE cmd...
start() {
    local cpus=$1 logf=$2
    shift 2
    taskset -c "$cpus" "$@" >"$logf" 2>&1 &
    PIDS+=($!)
    LAST_PID=$!
}

# CPU ticks (utime+stime of every thread) and VmHWM (kB) of a process and its children.
tree() { local p; echo "$1"; for p in $(pgrep -P "$1" || true); do tree "$p"; done; }
cpu_ticks() {
    local p t=0
    for p in $(tree "$1"); do t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}' || true) + 0)); done
    echo "$t"
}
hwm_kb() {
    local p t=0
    for p in $(tree "$1"); do t=$((t + $(awk '/^VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || true) + 0)); done
    echo "$t"
}
HZ=$(getconf CLK_TCK)
