#!/usr/bin/env python3
"""Tests of bench/sfu_profile.py's split of a server's perf samples, on real `perf script` text
(bench/testdata/perf-script-samples.txt: one sample of each part from pulsemeet's media worker,
then one of each from Janus, whose send path has no __x64_sys_ frame), and of the tables
bench/sfu_table.py prints from it and from repeated pairs (REPEAT). Run by ctest
(BenchSfuProfileSplit)."""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import sfu_profile  # noqa: E402
import sfu_table  # noqa: E402

with open(os.path.join(HERE, "testdata", "perf-script-samples.txt"), encoding="utf-8") as file:
    SAMPLES = file.read()


class SplitTest(unittest.TestCase):
    def test_each_sample_lands_in_its_part(self):
        parts = [sfu_profile.part_of(chain) for chain in sfu_profile.samples(SAMPLES)]
        self.assertEqual(parts, [
            # pulsemeet: recvmmsg, its own code (OpenSSL), sendmmsg down to the loopback device,
            # the receive softirq inside sendmmsg, epoll_wait, the return to user space
            "receive", "user", "send", "delivery", "wait", "kernel",
            # Janus: glib's user space, sendmsg, poll, recvmsg, the softirq inside sendmsg, write
            "user", "send", "wait", "receive", "delivery", "kernel"])

    def test_shares_count_every_sample_once(self):
        shares = sfu_profile.shares(SAMPLES)
        self.assertEqual(shares["profile_samples"], 12)
        for part in sfu_profile.PARTS:
            self.assertAlmostEqual(shares[f"profile_{part}_share"], 2 / 12)

    def test_frames_before_any_header_line_are_no_sample(self):
        text = "\tffffffff81eaf60e net_rx_action\n\n 7 \n\t  245943 CRYPTO_gcm128_setiv\n"
        self.assertEqual([sfu_profile.part_of(chain) for chain in sfu_profile.samples(text)],
                         ["user"])

    def test_no_samples_gives_zero_shares(self):
        shares = sfu_profile.shares("")
        self.assertEqual(shares["profile_samples"], 0)
        self.assertEqual(shares["profile_user_share"], 0.0)


def row(server, cpu, shares):
    out = {"scenario": "rooms-of-6", "server": server, "server_cpu_us_per_packet": cpu,
           "profile_samples": 1000}
    for part in sfu_profile.PARTS:
        out[f"profile_{part}_share"] = shares.get(part, 0.0)
        out[f"profile_{part}_us"] = cpu * shares.get(part, 0.0)
    return out


def printed_by(call, *args):
    """What a table function prints."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        call(*args)
    return printed.getvalue()


def pair_row(server, cpu):
    """One run's JSON line, as bench/sfu.sh writes it, with the fields the ratios read."""
    return {"scenario": "rooms-of-6", "server": server, "forwarded_pps": 1000,
            "server_cpu_us_per_packet": cpu, "latency_p99_ms": 1.0}


class TableTest(unittest.TestCase):
    def test_ratios_without_delivery_and_of_the_kernel_part(self):
        rows = [row("pulsemeet", 8.0, {"user": 0.25, "delivery": 0.25, "send": 0.5}),
                row("janus", 20.0, {"user": 0.5, "delivery": 0.2, "send": 0.3})]
        text = printed_by(sfu_table.where_time_goes, rows)
        self.assertIn("| rooms-of-6 | pulsemeet | 8.00 | 2.00 | 4.00 | 2.00 |", text)
        # 8 / 20; (8 - 2) / (20 - 4); (8 - 2 of user space) / 20
        self.assertIn("| rooms-of-6 | 0.40 | 0.38 | 0.30 |", text)

    def test_repeated_pairs_give_each_ratio_and_their_median(self):
        rows = []
        for ours, janus in ((8.0, 20.0), (6.0, 30.0), (9.0, 18.0)):  # ratios 0.40, 0.20, 0.50
            for server, cpu in (("pulsemeet", ours), ("janus", janus)):
                rows.append({"scenario": "rooms-of-6", "server": server, "forwarded_pps": 1000,
                             "server_cpu_us_per_packet": cpu, "latency_p99_ms": cpu / 10})
        text = printed_by(sfu_table.side_by_side, rows)
        self.assertEqual(text.count("| rooms-of-6 | 1000 vs 1000 |"), 3, "a row per pair")
        # three pairs are too few for a 95 % interval of the median
        self.assertIn("| rooms-of-6 | 3 | 0.40 (0.20-0.50) | - | - | 0.40 (0.20-0.50) | - | - |",
                      text)

    def test_nine_pairs_tell_a_target_met_not_met_or_on_the_line(self):
        # nine pairs: the interval is the 2nd lowest to the 2nd highest ratio (96 % coverage)
        rows = []
        for index in range(9):
            ours = 2.0 + index * 0.3  # CPU ratios 0.20, 0.23 ... 0.44 of Janus's 10 us
            for server, cpu, p99 in (("pulsemeet", ours, 1.0 + index), ("janus", 10.0, 1.0)):
                rows.append({"scenario": "rooms-of-6", "server": server, "forwarded_pps": 1000,
                             "server_cpu_us_per_packet": cpu, "latency_p99_ms": p99})
        printed = printed_by(sfu_table.side_by_side, rows)
        self.assertIn("| rooms-of-6 | 9 | 0.32 (0.20-0.44) | 0.23-0.41 | on the line "
                      "| 5.00 (1.00-9.00) | 2.00-8.00 | not met |", printed)

    def test_runs_pooled_pair_within_each_file(self):
        # Two runs of three pairs each (one pair alone too few for an interval); pooled, six
        # pairs: the 1st lowest to the 1st highest of the six ratios. A run's pulsemeet row is
        # paired with the same run's Janus row, never with another file's.
        with tempfile.TemporaryDirectory() as directory:
            paths = []
            for run, cpus in enumerate(((2.0, 2.5, 3.0), (3.5, 4.0, 4.5))):
                path = os.path.join(directory, f"run{run}.jsonl")
                with open(path, "w") as out:
                    rows = [pair_row(server, value) for cpu in cpus
                            for server, value in (("pulsemeet", cpu), ("janus", 10.0 * (run + 1)))]
                    if run == 0:  # a last run whose Janus half failed: nothing to pair it with
                        rows.append(pair_row("pulsemeet", 9.0))
                    out.writelines(json.dumps(row) + "\n" for row in rows)
                paths.append(path)
            text = printed_by(sfu_table.main, paths)
        # ratios 0.20 0.25 0.30 (of 10) and 0.175 0.20 0.225 (of 20): median 0.2125
        self.assertIn("Pooled over 2 runs", text)
        self.assertIn("| rooms-of-6 | 6 | 0.21 (0.17-0.30) | 0.17-0.30 | met |", text)

    def test_median_interval_and_verdict(self):
        self.assertIsNone(sfu_table.median_interval([0.3] * 5))
        self.assertEqual(sfu_table.median_interval([5, 1, 4, 2, 3, 6]), (1, 6))
        self.assertEqual(sfu_table.median_interval(list(range(15))), (3, 11))
        self.assertEqual(sfu_table.verdict((0.25, 0.33), 1 / 3), "met")
        self.assertEqual(sfu_table.verdict((0.34, 0.40), 1 / 3), "not met")
        self.assertEqual(sfu_table.verdict((0.30, 0.34), 1 / 3), "on the line")
        self.assertEqual(sfu_table.verdict(None, 1 / 3), "-")

    def test_unprofiled_rows_print_nothing(self):
        printed = printed_by(sfu_table.where_time_goes,
                             [{"scenario": "rooms-of-6", "server": "pulsemeet"}])
        self.assertEqual(printed, "")

    def test_merge_adds_microseconds_per_part(self):
        # merge() reads perf's file through `perf script`; the arithmetic is what matters here.
        line = json.dumps({"server_cpu_us_per_packet": 6.0})
        original = sfu_profile.perf_script
        sfu_profile.perf_script = lambda data: SAMPLES
        try:
            merged = sfu_profile.merge(line, "unused.data")
        finally:
            sfu_profile.perf_script = original
        self.assertAlmostEqual(merged["profile_delivery_us"], 1.0)
        self.assertAlmostEqual(sum(merged[f"profile_{part}_us"] for part in sfu_profile.PARTS), 6.0)


if __name__ == "__main__":
    unittest.main()
