#!/usr/bin/env bash
# Relay across instances: the same relay load against
#   one       one pulsemeet, REDIS_ENABLED=false (the single-instance path)
#   one+redis one pulsemeet, REDIS_ENABLED=true, every room-mate on it (relays stay local)
#   two+redis two pulsemeet sharing rooms through Redis; room-mates alternate between them, so
#             every relayed message crosses Redis (PUBLISH by one, delivered by the other)
# at each rate in RATES (msg/s; 0 = saturation, a window of 4 in flight per sender).
# A real redis-server runs on a free loopback port for the whole script and is stopped at exit.
# Servers (pulsemeet instances and redis-server) share core $SERVER_CPU, the load generator has
# core $LOADGEN_CPU: the two-instance setup gets the same CPU as the single one, so what this
# measures is the cost of crossing Redis, not scale-out.
#   RATES="5000 20000 0"  SETUPS="one one+redis two+redis"  SECONDS_MEASURED=10
set -euo pipefail
. "$(dirname "$0")/lib.sh"
RATES=${RATES:-"5000 20000 0"}
SETUPS=${SETUPS:-"one one+redis two+redis"}
SECONDS_MEASURED=${SECONDS_MEASURED:-10}
OUT=$(results_file cluster)
logs=$root/bench/.cache
mkdir -p "$logs"

redis_port=$(free_port)
taskset -c "$SERVER_CPU" redis-server --bind 127.0.0.1 --port "$redis_port" --save '' \
  --appendonly no >"$logs/redis.log" 2>&1 &
redis_pid=$!
servers=()
cleanup() {
  stop_pids "${servers[@]}" "$redis_pid"
}
trap cleanup EXIT
await_port "$redis_port" "redis-server (see $logs/redis.log)"

# Waits (10 s at most) until pulsemeet on port $1 says it is ready: with Redis, both of its
# connections are up.
await_ready() {
  for _ in $(seq 100); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "bench: pulsemeet on port $1 not ready" >&2
  return 1
}

run=0
run_setup() {
  local setup=$1 rate=$2 ports=() pids=() redis_env=()
  local count=1
  [ "$setup" = two+redis ] && count=2
  # A fresh key prefix per run: nothing a previous run left in Redis is seen.
  [ "$setup" != one ] && redis_env=(REDIS_ENABLED=true "REDIS_ADDR=127.0.0.1:$redis_port"
    "REDIS_CHANNEL=bench$((++run))")
  for i in $(seq "$count"); do
    ports+=("$(free_port)")
    start_pulsemeet "${ports[-1]}" "$SERVER_CPU" "$logs/pulsemeet-$i.log" "${redis_env[@]}"
    pids+=("$started_pid")
    servers+=("$started_pid")
  done
  for port in "${ports[@]}"; do await_ready "$port"; done

  local args=(--server "$setup" --mode relay --connections 1000 --room-size 4
    --seconds "$SECONDS_MEASURED" --port "${ports[0]}" --pid "${pids[0]}")
  if [ "$rate" = 0 ]; then args+=(--rate 0 --window 4); else args+=(--rate "$rate"); fi
  [ "$count" = 2 ] && args+=(--port2 "${ports[1]}" --watch "b=${pids[1]}")
  [ "$setup" != one ] && args+=(--watch "redis=$redis_pid")
  local scenario="relay-$rate"
  [ "$rate" = 0 ] && scenario=relay-sat
  if line=$(taskset -c "$LOADGEN_CPU" "$LOADGEN" "${args[@]}"); then
    echo "{\"scenario\":\"$scenario\",${line#\{}" | tee -a "$OUT" >&2
  else
    echo "bench: $scenario with $setup failed" >&2
  fi
  stop_pids "${pids[@]}"
  servers=()
  sleep 1  # sockets of the last run leave TIME_WAIT pressure behind; give it a moment
}

echo "bench: $(nproc) cores, load average $(load_average), redis on port $redis_port," \
  "results in $OUT" >&2
for rate in $RATES; do
  for setup in $SETUPS; do run_setup "$setup" "$rate"; done
done
echo "bench: load average after $(load_average)" >&2
python3 bench/table.py --cluster "$OUT"
