# Shared by bench/run.sh and bench/cluster.sh (sourced): the common settings, starting pulsemeet
# with the throughput settings, waiting for a port, picking one. Moves to the repository root.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
LOADGEN=${LOADGEN:-$root/build/release/bench/pulsemeet-loadgen}
PULSEMEET=${PULSEMEET:-$root/build/release/server/pulsemeet}
# Servers pinned to one core, the load generator to the other, as in the reference measurement.
SERVER_CPU=${SERVER_CPU:-0}
LOADGEN_CPU=${LOADGEN_CPU:-1}

# Prints $OUT, or a fresh bench/.cache/<$1>-<time>.jsonl, created empty.
results_file() {
  local out=${OUT:-$root/bench/.cache/$1-$(date +%Y%m%d-%H%M%S).jsonl}
  mkdir -p "$(dirname "$out")"
  : >"$out"
  echo "$out"
}

# Throughput runs: no per-socket message limit, no per-IP caps, no per-join log lines (the
# reference servers log nothing per join either), one I/O thread per pinned core.
# Starts pulsemeet on 127.0.0.1:$1 pinned to core $2, output to $3; further arguments are extra
# VAR=value settings. Sets started_pid.
start_pulsemeet() {
  local port=$1 cpu=$2 log=$3
  shift 3
  env PORT="$port" HOST=127.0.0.1 THREADS=1 MAX_WS_MESSAGES_PER_SEC=0 MAX_HTTP_PER_MINUTE=0 \
    MAX_ROOMS_PER_IP_PER_MINUTE=0 MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE=0 \
    MAX_CONNS_PER_IP=0 LOG_LEVEL=warn STATIC_DIR=/nonexistent MEDIA_PORT=0 "$@" \
    taskset -c "$cpu" "$PULSEMEET" >"$log" 2>&1 &
  started_pid=$!
}

# Waits (10 s at most) until something accepts on 127.0.0.1:$1; $2 names it in the error.
await_port() {
  for _ in $(seq 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench: $2 did not start on port $1" >&2
  return 1
}

# A port the kernel reports free on 127.0.0.1 (closed again before the caller binds it).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops the processes whose ids are given (SIGTERM, then reaps them).
stop_pids() {
  local pid
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

load_average() { cut -d' ' -f1-3 /proc/loadavg; }
