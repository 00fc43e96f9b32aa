#!/usr/bin/env bash
# `make bench-sfu`: the media server under load from pulsemeet-sfuload (bench/sfuload), pinned
# to its own core, against pulsemeet pinned to another (SFU_MODE=always, one media worker, so
# the figures are per core). Scenarios:
#   rooms-of-6   ROOMS6 rooms of 6, everyone publishing and subscribing
#   speaker-100  one speaker, 100 viewers
#   sweep        rooms of 6, more each step, until the server's core is busy (SWEEP_BUSY of a
#                core), the loss passes 1 %, or the load peer's own core is the limit
# Each run goes against every server in SERVERS (default "pulsemeet janus"), one after the
# other, a fresh server process per run: Janus (Debian package `janus`, bench/deps.sh) with its
# VideoRoom plugin and WebSocket transport on 127.0.0.1, configured in a temporary directory this
# script writes, ICE-lite like pulsemeet, one event loop, pinned to the same core. Ports are
# picked free for each run. One JSON line per run in $OUT, then the tables (bench/sfu_table.py)
# that docs/performance.md shows, with the ratios pulsemeet / Janus. SECONDS_PER_RUN (default 8)
# is each run's measurement window. REPEAT (default 1) runs rooms-of-6 and speaker-100 that many
# times, the servers taking turns, and the table adds each scenario's median ratio. PROFILE=1 also records each server with `perf record -g` for
# the window (bench/sfuload/WindowProfiler) and splits its CPU per forwarded packet into user
# space, the kernel's send path, the loopback's delivery into the load peer, receiving and waiting
# (bench/sfu_profile.py; sampling costs the server a little, so compare such runs with each other).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SFULOAD=${SFULOAD:-$root/build/release/bench/pulsemeet-sfuload}
SCENARIOS=${SCENARIOS:-"rooms-of-6 speaker-100 sweep"}
SERVERS=${SERVERS:-"pulsemeet janus"}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
ROOMS6=${ROOMS6:-4}
REPEAT=${REPEAT:-1}
SWEEP_ROOMS=${SWEEP_ROOMS:-"2 4 6 8 10 12 16 20"}
SWEEP_BUSY=${SWEEP_BUSY:-0.9}
OUT=$(results_file sfu)

server_pid=""
# Made here, not in run(): the sweep calls run() in a subshell, whose EXIT trap is not this one.
janus_dir=""
case " $SERVERS " in *" janus "*) janus_dir=$(mktemp -d /tmp/pulsemeet-bench-janus.XXXXXX) ;; esac
profile_dir=""
[ "${PROFILE:-0}" = 0 ] || profile_dir=$(mktemp -d /tmp/pulsemeet-bench-perf.XXXXXX)
stop_server() {
  if [ -n "$server_pid" ]; then
    stop_pids "$server_pid"
    server_pid=""
  fi
}
trap 'stop_server; rm -rf ${janus_dir:+"$janus_dir"} ${profile_dir:+"$profile_dir"}' EXIT

start_server() {
  local log=$root/bench/.cache/$1-sfu.log
  PORT=$(free_port)
  media_ip=""
  case $1 in
    pulsemeet)
      start_pulsemeet "$PORT" "$SERVER_CPU" "$log" SFU_MODE=always MEDIA_WORKERS=1 \
        MAX_PEERS_PER_ROOM=200
      ;;
    janus)
      # Janus leaves loopback out of its candidates: its media goes over the first other
      # address (still delivered inside this host), where the load peer's sockets bind too.
      media_ip=${JANUS_MEDIA_IP:-$(hostname -I | tr ' ' '\n' | grep -m1 -E '^[0-9]+(\.[0-9]+){3}$')}
      [ -n "$media_ip" ] || { echo "bench-sfu: no IPv4 address besides loopback for Janus's media" >&2; return 1; }
      write_janus_config "$media_ip"
      taskset -c "$SERVER_CPU" janus -F "$janus_dir" -C "$janus_dir/janus.jcfg" >"$log" 2>&1 &
      started_pid=$!
      ;;
  esac
  server_pid=$started_pid
  await_port "$PORT" "$1 (see $log)"
  sleep 0.3
}

# Janus as the bench runs it, configured in a fresh temporary directory: only the VideoRoom plugin
# and the WebSocket transport (on 127.0.0.1:$PORT), ICE-lite (as pulsemeet: the load peer is the
# controlling agent either way), one host candidate on $1, media ports chosen by the kernel, no
# event handlers, warnings only in its log (JANUS_DEBUG_LEVEL=7 shows every ICE/DTLS step).
# JANUS_EVENT_LOOPS (default 1): Janus's event_loops, the threads its handles share, as
# pulsemeet runs one media worker; 0 is Janus's own default, a thread per handle (100+ threads
# on one core: slower, docs/performance.md).
write_janus_config() {
  local lib=/usr/lib/x86_64-linux-gnu/janus
  cat >"$janus_dir/janus.jcfg" <<JCFG
general: {
  configs_folder = "$janus_dir"
  plugins_folder = "$lib/plugins"
  transports_folder = "$lib/transports"
  events_folder = "$lib/events"
  loggers_folder = "$lib/loggers"
  debug_level = ${JANUS_DEBUG_LEVEL:-3}
  session_timeout = 120
  event_loops = ${JANUS_EVENT_LOOPS:-1}
}
nat: { ice_lite = true, ice_tcp = false, ignore_mdns = true, ice_enforce_list = "$1" }
plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so" }
transports: { disable = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so" }
events: { broadcast = false }
loggers: { disable = "libjanus_jsonlog.so" }
JCFG
  cat >"$janus_dir/janus.transport.websockets.jcfg" <<JCFG
general: { json = "compact", ws = true, ws_port = $PORT, ws_ip = "127.0.0.1", wss = false }
admin: { admin_ws = false, admin_wss = false }
JCFG
  echo "general: { }" >"$janus_dir/janus.plugin.videoroom.jcfg"
}

# run <server> <scenario> <rooms> <room size> <publishers per room>: prints the JSON line.
run() {
  start_server "$1"
  local line profile=${profile_dir:+$profile_dir/$1-$2-$3.data}
  line=$(taskset -c "$LOADGEN_CPU" "$SFULOAD" --port "$PORT" --pid "$server_pid" \
    --server "$1" --scenario "$2" --rooms "$3" --room-size "$4" --publishers "$5" \
    --seconds "$SECONDS_PER_RUN" ${media_ip:+--media-ip "$media_ip"} \
    ${profile:+--profile "$profile"}) || { stop_server; return 1; }
  stop_server
  if [ -n "$profile" ]; then
    if [ -n "$(field "$line" profile_file)" ]; then
      line=$(python3 bench/sfu_profile.py --merge "$line" "$profile") || return 1
    else
      echo "bench-sfu: perf did not record $1 in $2 (the run's figures stand, without the split)" >&2
    fi
    rm -f "$profile"
  fi
  echo "$line" | tee -a "$OUT" >&2
  echo "$line"
}

field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))' "$1" "$2"; }

echo "bench-sfu: $(nproc) cores, load average $(load_average), results in $OUT" >&2
for scenario in $SCENARIOS; do
  turns=1
  case $scenario in rooms-of-6 | speaker-100) turns=$REPEAT ;; esac
  for _ in $(seq "$turns"); do for server in $SERVERS; do
    case $scenario in
      rooms-of-6) run "$server" rooms-of-6 "$ROOMS6" 6 6 >/dev/null || echo "bench-sfu: rooms-of-6 on $server failed" >&2 ;;
      speaker-100) run "$server" speaker-100 1 101 1 >/dev/null || echo "bench-sfu: speaker-100 on $server failed" >&2 ;;
      sweep)
        for rooms in $SWEEP_ROOMS; do
          line=$(run "$server" sweep "$rooms" 6 6) || { echo "bench-sfu: sweep at $rooms rooms on $server failed" >&2; break; }
          busy=$(field "$line" server_cpu_share)
          loss=$(field "$line" loss_percent)
          own=$(field "$line" loadgen_cpu_share)
          if python3 -c "import sys; sys.exit(0 if $busy >= $SWEEP_BUSY or $loss > 1 or $own >= 0.95 else 1)"; then
            echo "bench-sfu: $server sweep stops at $rooms rooms (server core $busy, loss $loss %, load peer core $own)" >&2
            break
          fi
        done
        ;;
    esac
  done; done
done
echo "bench-sfu: load average after $(load_average)" >&2
python3 bench/sfu_table.py "$OUT"
