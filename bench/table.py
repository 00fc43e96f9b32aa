#!/usr/bin/env python3
"""Prints the side-by-side table of one `make bench` run (a JSON-lines file from bench/run.sh).

Ratios compare pulsemeet with the better of the two references for each number (lower is
better for all of them except delivered rate). With --cluster: the table of one
bench/cluster.sh run, a row per (rate, setup)."""
import json
import sys

ROWS = [
    # (scenario, field, label, higher_is_better)
    ("relay-20k", "cpu_s_per_100k", "relay 20k msg/s: server CPU-s per 100k msgs", False),
    ("relay-20k", "latency_p50_ms", "relay 20k msg/s: latency p50 (ms)", False),
    ("relay-20k", "latency_p99_ms", "relay 20k msg/s: latency p99 (ms)", False),
    ("relay-20k", "delivered_rate", "relay 20k msg/s: delivered msg/s", True),
    ("relay-20k", "lost", "relay 20k msg/s: lost + misrouted", False),
    ("relay-sat", "cpu_s_per_100k", "relay saturation: server CPU-s per 100k msgs", False),
    ("relay-sat", "delivered_rate", "relay saturation: delivered msg/s", True),
    ("relay-sat", "latency_p99_ms", "relay saturation: latency p99 (ms)", False),
    ("join-paced", "join_p50_ms", "join 1000/s: p50 (ms)", False),
    ("join-paced", "join_p99_ms", "join 1000/s: p99 (ms)", False),
    ("join-burst", "join_p99_ms", "join burst: p99 (ms)", False),
    ("join-burst", "join_max_ms", "join burst: max (ms)", False),
    ("idle", "rss_per_conn_kib", "idle joined: RSS per connection (KiB)", False),
    ("idle", "joined", "idle: connections held", True),
    ("churn", "join_rate", "churn: joins/s", True),
    ("churn", "rss_growth_pct", "churn: RSS after vs baseline (%)", False),
]
SERVERS = ["pulsemeet", "go-seed", "node-ws"]


def value(results, scenario, server, field):
    entry = results.get((scenario, server))
    if entry is None:
        return None
    if field == "lost":
        return entry.get("lost", 0) + entry.get("misrouted", 0)
    return entry.get(field)


def fmt(number):
    if number is None:
        return "-"
    if abs(number) >= 100:
        return f"{number:.0f}"
    return f"{number:.3g}"


def read(path):
    results = {}
    with open(path) as lines:
        for line in lines:
            entry = json.loads(line)
            results[(entry["scenario"], entry["server"])] = entry
    return results


CLUSTER_COLUMNS = [
    # (header, field)
    ("delivered msg/s", "delivered_rate"),
    ("p50 ms", "latency_p50_ms"),
    ("p99 ms", "latency_p99_ms"),
    ("max ms", "latency_max_ms"),
    ("lost", "lost"),
    ("unsent", "unsent"),
    ("misrouted", "misrouted"),
    ("errors", "errors"),
    ("unannounced", "unannounced"),
    ("CPU-s/100k instance A", "cpu_s_per_100k"),
    ("instance B", "cpu_s_per_100k_b"),
    ("redis-server", "cpu_s_per_100k_redis"),
]


def cluster(path):
    print("| load | setup | " + " | ".join(header for header, _ in CLUSTER_COLUMNS) + " |")
    print("|---|---|" + "---|" * len(CLUSTER_COLUMNS))
    for (scenario, setup), entry in read(path).items():
        load = "saturation" if scenario == "relay-sat" else f"{entry['offered_rate']:.0f} msg/s"
        cells = [fmt(entry.get(field)) for _, field in CLUSTER_COLUMNS]
        print(f"| {load} | {setup} | " + " | ".join(cells) + " |")


def main(path):
    results = read(path)
    print("| | " + " | ".join(SERVERS) + " | pulsemeet / better reference |")
    print("|---|" + "---|" * (len(SERVERS) + 1))
    for scenario, field, label, higher in ROWS:
        values = [value(results, scenario, server, field) for server in SERVERS]
        if all(v is None for v in values):
            continue
        refs = [v for v in values[1:] if v is not None]
        ratio = "-"
        if values[0] is not None and refs:
            best = max(refs) if higher else min(refs)
            if best:
                ratio = f"{values[0] / best:.2f}"
        print(f"| {label} | " + " | ".join(fmt(v) for v in values) + f" | {ratio} |")


if __name__ == "__main__":
    if sys.argv[1] == "--cluster":
        cluster(sys.argv[2])
    else:
        main(sys.argv[1])
