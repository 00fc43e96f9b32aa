#!/usr/bin/env python3
"""Splits a server's CPU time in one `PROFILE=1 bench/sfu.sh` run (docs/performance.md, "Where the
time goes"): the `perf record -g` samples WindowProfiler took of the server during the measurement
window, each sample put in one part by its call chain:

  user       the sample's own frame is in user space: the server's code, its crypto, its libraries
  delivery   the network receive softirq run in the server's context: on one host, the loopback
             delivering what the server sent into the load peer's sockets and waking its thread;
             on a network that is the receivers' machines' work
  send       the rest of the send system calls (sendmmsg, sendmsg, sendto): the per-datagram path
             down to the device
  receive    the receive system calls (recvmmsg, recvmsg, recvfrom)
  wait       waiting for work and being woken: epoll_wait, poll, futex, sleeps
  kernel     anything else in the kernel (timers, page faults, epoll_ctl, ...)

  sfu_profile.py PERF_DATA            prints the shares as one JSON object
  sfu_profile.py --merge LINE PERF    prints LINE (a run's JSON line) with the shares and, from its
                                      server_cpu_us_per_packet, each part in us per packet
  sfu_profile.py --script FILE        classifies `perf script -F tid,ip,sym` text from FILE
"""
import json
import subprocess
import sys

PARTS = ["user", "delivery", "send", "receive", "wait", "kernel"]

DELIVERY = {"net_rx_action"}
SEND = {"__sys_sendmmsg", "__sys_sendmsg", "__sys_sendto", "____sys_sendmsg", "udp_sendmsg",
        "__x64_sys_sendmmsg", "__x64_sys_sendmsg", "__x64_sys_sendto"}
RECEIVE = {"__sys_recvmmsg", "do_recvmmsg", "__sys_recvmsg", "__sys_recvfrom", "____sys_recvmsg",
           "udp_recvmsg", "__x64_sys_recvmmsg", "__x64_sys_recvmsg", "__x64_sys_recvfrom"}
WAIT = {"do_epoll_wait", "__x64_sys_epoll_wait", "__x64_sys_epoll_pwait", "do_sys_poll",
        "__x64_sys_poll", "__x64_sys_ppoll", "do_select", "__x64_sys_futex", "do_futex",
        "__x64_sys_nanosleep", "__x64_sys_clock_nanosleep", "hrtimer_nanosleep"}


def samples(text):
    """Yields each sample's call chain, leaf first, as (address, symbol) pairs."""
    chain = None
    for line in text.splitlines():
        if not line.strip():
            if chain:
                yield chain
            chain = None
            continue
        if not line.startswith("\t"):  # a sample's header line (its thread id); frames: a tab
            if chain:
                yield chain
            chain = []
            continue
        fields = line.split(None, 1)
        if chain is not None and fields:
            chain.append((fields[0], fields[1].strip() if len(fields) > 1 else ""))
    if chain:
        yield chain


def kernel_address(address):
    return len(address) == 16 and address.startswith("ffff")


def part_of(chain):
    if not kernel_address(chain[0][0]):
        return "user"
    symbols = {symbol for _, symbol in chain}
    if symbols & DELIVERY:
        return "delivery"
    if symbols & SEND:
        return "send"
    if symbols & RECEIVE:
        return "receive"
    if symbols & WAIT:
        return "wait"
    return "kernel"


def shares(text):
    counts = dict.fromkeys(PARTS, 0)
    for chain in samples(text):
        counts[part_of(chain)] += 1
    total = sum(counts.values())
    out = {"profile_samples": total}
    for part in PARTS:
        out[f"profile_{part}_share"] = counts[part] / total if total else 0.0
    return out


def perf_script(data):
    return subprocess.run(["perf", "script", "--no-inline", "-F", "tid,ip,sym", "-i", data],
                          check=True, capture_output=True, text=True).stdout


def merge(line, data):
    row = json.loads(line)
    row.pop("profile_file", None)  # the temporary file is gone once read
    row.update(shares(perf_script(data)))
    per_packet = row.get("server_cpu_us_per_packet", 0)
    if row["profile_samples"] and isinstance(per_packet, (int, float)):
        for part in PARTS:
            row[f"profile_{part}_us"] = per_packet * row[f"profile_{part}_share"]
    return row


def main(argv):
    if len(argv) == 2 and not argv[1].startswith("-"):
        print(json.dumps(shares(perf_script(argv[1]))))
    elif len(argv) == 4 and argv[1] == "--merge":
        print(json.dumps(merge(argv[2], argv[3])))
    elif len(argv) == 3 and argv[1] == "--script":
        with open(argv[2], encoding="utf-8") as file:
            print(json.dumps(shares(file.read())))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
