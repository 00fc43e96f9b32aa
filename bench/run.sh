#!/usr/bin/env bash
# Runs every benchmark scenario against pulsemeet, go-seed and node-ws, one server after the
# other with the same load, and prints a side-by-side table (bench/table.py).
# Server pinned to core $SERVER_CPU, load generator to core $LOADGEN_CPU, as in the reference
# measurement. Results: one JSON line per (scenario, server) in $OUT.
#   SERVERS="pulsemeet go-seed node-ws"  SCENARIOS="relay-20k relay-sat join-paced join-burst idle churn"
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SERVERS=${SERVERS:-"pulsemeet go-seed node-ws"}
SCENARIOS=${SCENARIOS:-"relay-20k relay-sat join-paced join-burst idle churn"}
PORT=${BENCH_PORT:-18080}
OUT=$(results_file results)

# 20 000 idle sockets need more descriptors than the default, for this script's children only.
# Where the hard limit is lower (containers), hold as many as it allows, leaving headroom for
# the server's own files.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-$(( $(ulimit -n) >= 20200 ? 20000 : $(ulimit -n) - 200 ))}

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    stop_pids "$server_pid"
    server_pid=""
  fi
}
trap stop_server EXIT

start_server() {
  local name=$1 log=$root/bench/.cache/$1.log
  case $name in
    pulsemeet)
      # No RESUME_GRACE_SECONDS for churn: pulsemeet holds a dropped place only for a client that
      # counts (data.received in join), and loadgen's clients do not, so, as with the references,
      # nothing is kept for a socket that drops (docs/protocol.md, "Resume").
      start_pulsemeet "$PORT" "$SERVER_CPU" "$log"
      ;;
    go-seed)
      PORT=$PORT HOST=127.0.0.1 MAX_WS_MESSAGES_PER_SEC=0 \
        taskset -c "$SERVER_CPU" "$root/bench/.cache/go-seed/go-seed" >"$log" 2>&1 &
      ;;
    node-ws)
      PORT=$PORT HOST=127.0.0.1 MAX_WS_MESSAGES_PER_SEC=0 \
        taskset -c "$SERVER_CPU" node "$root/bench/.cache/node-ws/server.js" >"$log" 2>&1 &
      ;;
  esac
  server_pid=$!
  await_port "$PORT" "$name (see $log)" || return 1
  sleep 0.5  # let the runtime settle before the RSS baseline
}

loadgen() {
  taskset -c "$LOADGEN_CPU" "$LOADGEN" --port "$PORT" --pid "$server_pid" "$@"
}

run_scenario() {
  local server=$1 scenario=$2
  case $scenario in
    relay-20k) loadgen --server "$server" --mode relay --connections 1000 --room-size 4 --rate 20000 --seconds 10 ;;
    relay-sat) loadgen --server "$server" --mode relay --connections 1000 --room-size 4 --rate 0 --window 4 --seconds 10 ;;
    join-paced) loadgen --server "$server" --mode join --room-size 4 --rate 1000 --seconds 5 ;;
    join-burst) loadgen --server "$server" --mode join --room-size 4 --rate 0 --connections 2000 ;;
    idle) loadgen --server "$server" --mode idle --room-size 4 --connections "$IDLE_CONNECTIONS" --sources 8 --seconds 2 ;;
    churn) loadgen --server "$server" --mode churn --room-size 4 --connections 200 --seconds 10 ;;
  esac
}

echo "bench: $(nproc) cores, load average $(load_average), results in $OUT" >&2
for scenario in $SCENARIOS; do
  for server in $SERVERS; do
    start_server "$server" "$scenario"
    if line=$(run_scenario "$server" "$scenario"); then
      echo "{\"scenario\":\"$scenario\",${line#\{}" | tee -a "$OUT" >&2
    else
      echo "bench: $scenario against $server failed" >&2
    fi
    stop_server
    sleep 1  # sockets of the last run leave TIME_WAIT pressure behind; give it a moment
  done
done
echo "bench: load average after $(load_average)" >&2
python3 bench/table.py "$OUT"
