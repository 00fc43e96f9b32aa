#!/usr/bin/env python3
"""Prints the tables of one `make bench-sfu` run (a JSON-lines file from bench/sfu.sh): a row per
run; then, for every scenario both pulsemeet and Janus ran, the two side by side with the ratios
pulsemeet / Janus against the issue's targets (a row per pair, and the median ratio of scenarios
run more than once, REPEAT); then each server's sweep capacity; then, with PROFILE=1, where each
server's CPU goes. Given several runs' files (`bench/sfu_table.py a.jsonl b.jsonl ...`), it
pools their pairs instead: each file's pairs as that run interleaved them, one median per
scenario over all of them, for a narrower interval than one run of pairs gives."""
import json
import math
import statistics
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
    ("forwarded_per_server_wakeup", "pkts per server wake-up", "{:.1f}"),
    ("loadgen_wakeups_per_s", "load peer wake-ups/s", "{:.0f}"),
    ("loadgen_cpu_share", "load peer core", "{:.2f}"),
    ("load_average", "load avg", "{}"),
]


def name(row):
    if row.get("scenario") == "sweep":
        return f"sweep {row.get('rooms')} rooms"
    return row["scenario"]


def number(value, form):
    return form.format(value) if isinstance(value, (int, float)) else "-"


def ratio(ours, theirs):
    if not isinstance(ours, (int, float)) or not isinstance(theirs, (int, float)) or theirs <= 0:
        return "-"
    return f"{ours / theirs:.2f}"


def header(labels):
    """A markdown table's header row and the separator under it."""
    print("| " + " | ".join(labels) + " |")
    print("|" + "---|" * len(labels))


def per_run(rows):
    header([label for _, label, _ in COLUMNS])
    for row in rows:
        cells = []
        for key, _, form in COLUMNS:
            value = name(row) if key == "scenario" else row.get(key, "")
            cells.append(form.format(value) if value != "" else "-")
        print("| " + " | ".join(cells) + " |")


def pairs_of(rows):
    """(scenario, pulsemeet's row, Janus's row) for each run of a scenario both servers ran, the
    n-th run of one with the n-th of the other (REPEAT=n interleaves them), in the file's order."""
    runs = {}
    for row in rows:
        runs.setdefault(name(row), {}).setdefault(row["server"], []).append(row)
    return [(scenario, ours, janus) for scenario, by_server in runs.items()
            for ours, janus in zip(by_server.get("pulsemeet", []), by_server.get("janus", []))]


TARGETS = {"server_cpu_us_per_packet": 1 / 3, "latency_p99_ms": 1 / 2}


def median_interval(values):
    """A 95 % confidence interval of the median of independent runs that needs no assumption about
    their spread: the k-th lowest and k-th highest values, k the largest for which fewer than k of
    n fair coin flips land one way with a chance of at most 2.5 %. None below 6 runs (the widest
    interval, lowest to highest, covers the median less than 95 % of the time)."""
    n = len(values)
    ordered = sorted(values)
    k, below = 0, 0.0
    while True:
        below += math.comb(n, k) / 2 ** n  # chance that at most k of n land below the median
        if below > 0.025:
            break
        k += 1
    if k == 0:
        return None
    return ordered[k - 1], ordered[n - k]


def verdict(interval, target):
    """Whether the pairs show a target met: the whole interval at or under it, over it, or not
    told apart from it by this many pairs."""
    if interval is None:
        return "-"
    low, high = interval
    if high <= target:
        return "met"
    if low > target:
        return "not met"
    return "on the line"


def medians(pairs, title="Scenarios run more than once"):
    """For scenarios run more than once (REPEAT): the median of the pairs' ratios, their range,
    the median's 95 % interval and what it says of each target: one pair's ratio moves with the
    machine (docs/performance.md), so only enough pairs tell a median from a target."""
    by = {}
    for scenario, ours, janus in pairs:
        if ours.get("forwarded_pps", 0) > 0 and janus.get("forwarded_pps", 0) > 0:
            by.setdefault(scenario, []).append((ours, janus))
    repeated = {scenario: runs for scenario, runs in by.items() if len(runs) > 1}
    if not repeated:
        return
    print(f"\n{title}: median ratio over the pairs (lowest-highest), its 95 % "
          "interval (from 6 pairs) and the target it shows met, not met or on the line\n")
    header(["scenario", "pairs", "CPU ratio", "CPU 95 % interval", "CPU <= 0.33", "p99 ratio",
            "p99 95 % interval", "p99 <= 0.5"])
    for scenario, runs in repeated.items():
        cells = []
        for key in ("server_cpu_us_per_packet", "latency_p99_ms"):
            ratios = [ours[key] / janus[key] for ours, janus in runs if janus.get(key, 0) > 0]
            if not ratios:
                cells += ["-", "-", "-"]
                continue
            interval = median_interval(ratios)
            cells.append(f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})")
            cells.append(f"{interval[0]:.2f}-{interval[1]:.2f}" if interval else "-")
            cells.append(verdict(interval, TARGETS[key]))
        print(f"| {scenario} | {len(runs)} | " + " | ".join(cells) + " |")


def side_by_side(rows):
    pairs = pairs_of(rows)
    if not pairs:
        return
    print("\npulsemeet vs Janus, same load, same run; ratio = pulsemeet / Janus (targets: CPU/pkt "
          "<= 0.33, p99 <= 0.5)\n")
    header(["scenario", "fwd pkt/s", "CPU us/pkt", "CPU ratio", "p50 ms", "p99 ms", "p99 ratio",
            "loss %", "misrouted"])
    for scenario, ours, janus in pairs:
        if ours.get("forwarded_pps", 0) <= 0 or janus.get("forwarded_pps", 0) <= 0:
            print(f"| {scenario} | {number(ours.get('forwarded_pps'), '{:.0f}')} | "
                  f"{number(janus.get('forwarded_pps'), '{:.0f}')} | - (nothing forwarded by one "
                  "of them) | | | | | |")
            continue

        def both(key, form):
            return f"{number(ours.get(key), form)} vs {number(janus.get(key), form)}"

        print(f"| {scenario} | {both('forwarded_pps', '{:.0f}')} "
              f"| {both('server_cpu_us_per_packet', '{:.2f}')} "
              f"| {ratio(ours.get('server_cpu_us_per_packet'), janus.get('server_cpu_us_per_packet'))} "
              f"| {both('latency_p50_ms', '{:.2f}')} | {both('latency_p99_ms', '{:.2f}')} "
              f"| {ratio(ours.get('latency_p99_ms'), janus.get('latency_p99_ms'))} "
              f"| {both('loss_percent', '{:.3f}')} | {both('misrouted', '{}')} |")
    medians(pairs)


def capacity(rows):
    """The most a server forwarded in its sweep with loss <= 1 % and p99 under a second."""
    best = {}
    for row in rows:
        if row.get("scenario") != "sweep":
            continue
        if row.get("loss_percent", 100) > 1 or row.get("latency_p99_ms", 1e9) > 1000:
            continue
        if row.get("forwarded_pps", 0) > best.get(row["server"], {}).get("forwarded_pps", 0):
            best[row["server"]] = row
    if not best:
        return
    print("\nSweep: the most forwarded with loss <= 1 % and p99 < 1 s\n")
    header(["server", "rooms of 6", "fwd pkt/s", "server core", "CPU us/pkt", "p99 ms"])
    for server, row in best.items():
        print(f"| {server} | {row.get('rooms')} | {row['forwarded_pps']:.0f} "
              f"| {row['server_cpu_share']:.2f} | {row['server_cpu_us_per_packet']:.2f} "
              f"| {row['latency_p99_ms']:.2f} |")


PARTS = [("user", "user space"), ("send", "send path"), ("delivery", "loopback delivery"),
         ("receive", "receive"), ("wait", "wait + wake"), ("kernel", "other kernel")]


def where_time_goes(rows):
    """With PROFILE=1 (bench/sfu_profile.py): each run's CPU per forwarded packet in parts; then,
    per scenario both ran, what the ratio to Janus would be without the loopback's delivery into
    the load peer (which a network leaves to the receivers' machines), and what pulsemeet's
    kernel time alone is of Janus's whole figure (the least its ratio can be here)."""
    profiled = [row for row in rows if "profile_user_us" in row]
    if not profiled:
        return
    print("\nWhere the server's CPU goes (PROFILE=1, perf samples of the window), us per forwarded "
          "packet\n")
    header(["scenario", "server", "CPU us/pkt"] + [label for _, label in PARTS] + ["samples"])
    for row in profiled:
        print(f"| {name(row)} | {row['server']} | {row['server_cpu_us_per_packet']:.2f} | "
              + " | ".join(f"{row[f'profile_{part}_us']:.2f}" for part, _ in PARTS)
              + f" | {row['profile_samples']} |")
    pairs = pairs_of(profiled)
    if not pairs:
        return
    print()
    header(["scenario", "CPU ratio", "ratio without loopback delivery",
            "pulsemeet's kernel time / Janus's CPU"])
    for scenario, ours, janus in pairs:
        total_ours = ours["server_cpu_us_per_packet"]
        total_janus = janus["server_cpu_us_per_packet"]
        print(f"| {scenario} | {ratio(total_ours, total_janus)} "
              f"| {ratio(total_ours - ours['profile_delivery_us'], total_janus - janus['profile_delivery_us'])} "
              f"| {ratio(total_ours - ours['profile_user_us'], total_janus)} |")


def read(path):
    with open(path) as lines:
        return [json.loads(line) for line in lines if line.strip()]


def pooled(paths):
    """The pairs of several runs (each file's own, as that run interleaved them) in one median
    per scenario. Runs on other days or code are pooled only if their figures are comparable:
    which files go together is the caller's choice."""
    pairs = [pair for path in paths for pair in pairs_of(read(path))]
    medians(pairs, f"Pooled over {len(paths)} runs")


def main(paths):
    if len(paths) > 1:
        pooled(paths)
        return
    rows = read(paths[0])
    per_run(rows)
    side_by_side(rows)
    capacity(rows)
    where_time_goes(rows)


if __name__ == "__main__":
    main(sys.argv[1:])
