#!/usr/bin/env bash
# Installs what PulseMeet needs to build, run and test, and nothing when all of it is there.
# Debian packages through apt (as root, or through sudo), the web client's npm packages via npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config clang clang-format
  libboost1.81-dev libboost-json1.81-dev libssl-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libhiredis-dev libjwt-dev prometheus-cpp-dev
  libsrtp2-dev
  chromium redis-server coturn openssl curl procps ffmpeg iproute2 nftables
  prometheus docker-compose systemd
  # e2e/outside/gst_peer.py: a call participant on GStreamer's webrtcbin (VP8, Opus, libnice)
  python3-gi python3-websockets gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0
  gir1.2-nice-0.1 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice
  # server/tests/outside/aiortc_through_sfu.py: publisher and subscriber on aiortc through the media server
  python3-aiortc
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages, reinstalled only when the lock file changed since the last install.
for dir in web e2e; do
  [ -f "$dir/package-lock.json" ] || continue
  stamp="$dir/node_modules/.pulsemeet-lock"
  # A symlinked node_modules belongs to another checkout (a git worktree sharing it): npm ci
  # would empty that checkout's folder under whatever runs there.
  if [ -L "$dir/node_modules" ]; then continue; fi
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
done
