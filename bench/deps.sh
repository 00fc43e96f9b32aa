#!/usr/bin/env bash
# Installs and builds what `make bench` and `make bench-sfu` need beyond `make deps`: Go +
# gorilla/websocket and Janus (Debian packages) and the two reference signaling servers, built into bench/.cache from ../shared/bench-peers
# (read-only there). Does nothing when all of it is already in place. `bench/deps.sh sfu` (what
# `make bench-sfu` runs) installs only the media benchmark's reference, Janus, taskset and perf: the
# test dependencies (scripts/deps.sh) stay without Janus.
set -euo pipefail
cd "$(dirname "$0")/.."
peers="${BENCH_PEERS:-}"
for candidate in ../shared/bench-peers ../../shared/bench-peers /work/shared/bench-peers; do
  [ -n "$peers" ] || [ ! -d "$candidate" ] || peers="$candidate"
done
cache=bench/.cache

# janus: the reference media server of `make bench-sfu` (bench/sfu.sh), not a test dependency;
# linux-perf: `PROFILE=1 bench/sfu.sh`, where each server's CPU goes.
packages=(util-linux janus linux-perf)
[ "${1:-}" = sfu ] || packages+=(golang-go golang-github-gorilla-websocket-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  echo "bench-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ "${1:-}" != sfu ] || exit 0
mkdir -p "$cache"
if [ ! -x "$cache/go-seed/go-seed" ] || ! cmp -s "$peers/go-seed/main.go" "$cache/go-seed/main.go"; then
  echo "bench-deps: building go-seed"
  rm -rf "$cache/go-seed" && cp -r "$peers/go-seed" "$cache/go-seed"
  GOCACHE="$(pwd)/$cache/go-build" "$cache/go-seed/build.sh"
fi
if [ ! -d "$cache/node-ws/node_modules/ws" ] || ! cmp -s "$peers/node-ws/server.js" "$cache/node-ws/server.js"; then
  echo "bench-deps: npm ci for node-ws"
  rm -rf "$cache/node-ws" && cp -r "$peers/node-ws" "$cache/node-ws"
  (cd "$cache/node-ws" && npm ci --no-audit --no-fund --loglevel=error)
fi
