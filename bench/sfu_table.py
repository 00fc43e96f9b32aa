#!/usr/bin/env python3
"""Prints the table of one `make bench-sfu` run (a JSON-lines file from bench/sfu.sh): a row per
run, and, when Janus ran the same scenario, the ratios pulsemeet / Janus."""
import json
import sys

COLUMNS = [
    ("scenario", "scenario", "{}"),
    ("server", "server", "{}"),
    ("peers", "peers", "{}"),
    ("forwarded_pps", "fwd pkt/s", "{:.0f}"),
    ("server_cpu_share", "server core", "{:.2f}"),
    ("server_cpu_us_per_packet", "CPU us/pkt", "{:.2f}"),
    ("latency_p50_ms", "p50 ms", "{:.2f}"),
    ("latency_p99_ms", "p99 ms", "{:.2f}"),
    ("loss_percent", "loss %", "{:.3f}"),
    ("misrouted", "misrouted", "{}"),
    ("rss_per_transport_kib", "RSS/transport KiB", "{:.0f}"),
    ("loadgen_cpu_share", "load peer core", "{:.2f}"),
]


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    print("| " + " | ".join(label for _, label, _ in COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in rows:
        cells = []
        for key, _, form in COLUMNS:
            value = row.get(key, "")
            if key == "scenario" and row.get("scenario") == "sweep":
                value = f"sweep {row.get('rooms')} rooms"
            cells.append(form.format(value) if value != "" else "-")
        print("| " + " | ".join(cells) + " |")
    by = {}
    for row in rows:
        by[(row["scenario"], row.get("rooms"), row["server"])] = row
    ratios = []
    for (scenario, rooms, server), row in by.items():
        janus = by.get((scenario, rooms, "janus"))
        if server != "pulsemeet" or janus is None:
            continue
        if janus.get("forwarded_pps", 0) <= 0 or row.get("forwarded_pps", 0) <= 0:
            ratios.append(f"| {scenario} {rooms} | - (nothing forwarded by one of them) | - |")
            continue
        cpu = row["server_cpu_us_per_packet"] / max(janus["server_cpu_us_per_packet"], 1e-9)
        p99 = row["latency_p99_ms"] / max(janus["latency_p99_ms"], 1e-9)
        ratios.append(f"| {scenario} {rooms} | {cpu:.2f} | {p99:.2f} |")
    if ratios:
        print("\n| scenario | CPU/pkt pulsemeet / Janus (target <= 0.33) | p99 pulsemeet / Janus (target <= 0.5) |")
        print("|---|---|---|")
        print("\n".join(ratios))


if __name__ == "__main__":
    main(sys.argv[1])
