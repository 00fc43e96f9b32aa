#!/usr/bin/env bash
# Checks that the deploy files are what they claim, with the tools that read them:
#   systemd-analyze verify (the unit), docker-compose config (the compose file and its profiles),
#   promtool check rules/config (the alerts and scrape config), and the Dockerfile against the
#   binary it ships.
# No Docker engine runs here, so the image itself is not built; see docs/operations.md.
# Usage: deploy/check.sh PATH/TO/pulsemeet    (run by ctest as DeployFiles)
set -euo pipefail
binary=$(realpath "${1:?usage: deploy/check.sh PATH/TO/pulsemeet}")
deploy=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# systemd: verify resolves ExecStart, so point it at the binary just built. Warnings (unknown
# keys, bad values) leave the exit code 0, so any output at all fails the check.
sed "s#^ExecStart=/usr/local/bin/pulsemeet#ExecStart=$binary#" \
  "$deploy/systemd/pulsemeet.service" >"$work/pulsemeet.service"
grep -q "^ExecStart=$binary" "$work/pulsemeet.service" || fail "unit has no ExecStart=/usr/local/bin/pulsemeet"
if ! out=$(systemd-analyze verify "$work/pulsemeet.service" 2>&1) || [ -n "$out" ]; then
  fail "systemd-analyze verify: $out"
fi

# docker-compose: the file parses, and the server runs by default while redis and coturn only
# come with their profiles. (docker-compose 1.29 lists every service whatever the profile, so
# the profiles are read from its normalised output; python3-yaml comes with docker-compose.)
compose() { docker-compose --project-directory "$deploy" -f "$deploy/docker-compose.yml" "$@"; }
if compose config >"$work/compose.yml"; then
  profiles=$(/usr/bin/python3 -c '
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
print(" ".join(name + "=" + ",".join(spec.get("profiles", ["default"]))
               for name, spec in sorted(services.items())))' "$work/compose.yml")
  [ "$profiles" = "coturn=turn pulsemeet=default redis=redis" ] || fail "compose profiles: $profiles"
else
  fail "docker-compose config"
fi

# Alert rules load in Prometheus, and the scrape configuration (which loads them) is valid.
promtool check rules "$deploy/prometheus/alerts.yml" >/dev/null || fail "promtool check rules"
promtool check config "$deploy/prometheus/prometheus.yml" >/dev/null || fail "promtool check config"
# The compose file keeps /metrics off the published port (docs/operations.md, "Metrics").
grep -q 'METRICS_LISTEN: "0.0.0.0:9100"' "$deploy/docker-compose.yml" || fail "compose serves /metrics on the published port"
grep -q 'pulsemeet:9100' "$deploy/prometheus/prometheus.yml" || fail "prometheus.yml does not scrape the METRICS_LISTEN port"

# Dockerfile: built by the same command as on a developer machine, shipped with the client,
# run as a user other than root, and with a Debian package for every shared library the binary
# links (the runtime stage has no compiler to tell us otherwise).
dockerfile="$deploy/Dockerfile"
grep -q '^RUN make build$' "$dockerfile" || fail "Dockerfile does not build with 'make build'"
grep -q '^FROM debian:bookworm AS build' "$dockerfile" || fail "build stage is not Debian bookworm"
grep -q '^FROM debian:bookworm-slim AS runtime' "$dockerfile" || fail "runtime stage is not bookworm-slim"
grep -q 'COPY --from=build /src/build/release/server/pulsemeet ' "$dockerfile" || fail "binary not copied"
grep -q 'COPY --from=build /src/web/dist ' "$dockerfile" || fail "web client not baked in"
user=$(grep '^USER ' "$dockerfile" | tail -1 | cut -d' ' -f2)
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || fail "image runs as root"
# The libraries the binary names itself (DT_NEEDED); their own dependencies come with their
# Debian packages.
for needed in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  library=$(ldd "$binary" | awk -v name="$needed" '$1 == name {print $3}')
  [ -n "$library" ] || { fail "ldd cannot find $needed"; continue; }
  # As ldd names it, or (merged /usr) where the link points.
  package=$(dpkg -S "$library" 2>/dev/null | head -1 | cut -d: -f1 || true)
  [ -n "$package" ] || package=$(dpkg -S "$(realpath "$library")" 2>/dev/null | head -1 | cut -d: -f1 || true)
  case "$package" in
    "") fail "no Debian package ships $needed" ;;
    libc6 | libgcc-s1 | libstdc++6) ;;  # in every Debian image
    *) grep -qw -- "$package" "$dockerfile" || fail "runtime stage lacks $package (for $library)" ;;
  esac
done

if ((failures)); then
  echo "deploy check: $failures failed"
  exit 1
fi
echo "deploy check: systemd unit, compose profiles, alert rules and Dockerfile OK"
