"""Snowflake ids per second, beside the design ceiling of 4,096 per ms per node.

Run: .venv/bin/python bench/bench_ids.py [--seconds 1.0]
Prints figures; asserts nothing (timings vary by machine).
"""

from __future__ import annotations

import argparse
import statistics
import time

from interview_coach.chat.design.ids import IDS_PER_MS, ChannelCounters, Snowflake
from interview_coach.clock import SystemClock

CEILING_PER_S = IDS_PER_MS * 1000  # 4,096,000


class TickingClock(SystemClock):
    """A clock that moves 1 ms per reading, so the 4,096-per-ms ceiling never binds."""

    def __init__(self) -> None:
        self._t = time.time()

    def now(self) -> float:
        self._t += 0.001
        return self._t


def rate(fn, n: int) -> float:
    start = time.perf_counter()
    fn(n)
    return n / (time.perf_counter() - start)


def one_at_a_time(gen: Snowflake):
    def run(n: int) -> None:
        next_id = gen.next_id
        for _ in range(n):
            next_id()

    return run


def batches_of(gen: Snowflake, size: int):
    def run(n: int) -> None:
        for _ in range(n // size):
            gen.next_ids(size)

    return run


def counters(c: ChannelCounters):
    def run(n: int) -> None:
        incr = c.incr
        for _ in range(n):
            incr("channel-1")

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    clock = SystemClock()
    rows = []
    cases = [
        ("next_id(), one call per id", lambda g: one_at_a_time(g), 2_000_000),
        ("next_ids(4096) batches", lambda g: batches_of(g, 4096), 4_096_000 * 2),
        ("next_ids(100) batches", lambda g: batches_of(g, 100), 2_000_000),
        ("next_ids(4,096,000), one call", lambda g: batches_of(g, 4_096_000), 4_096_000),
    ]
    for label, make, n in cases:
        figures = []
        waits = 0
        for _ in range(args.runs):
            gen = Snowflake(1, clock)
            figures.append(rate(make(gen), n))
            waits += gen.stats.exhausted_waits
        rows.append((label, statistics.median(figures), max(figures), waits // args.runs))
    counter_rates = [rate(counters(ChannelCounters()), 2_000_000) for _ in range(args.runs)]
    raw = [rate(one_at_a_time(Snowflake(1, TickingClock())), 2_000_000) for _ in range(args.runs)]

    print(f"Snowflake ids on one node ({args.runs} runs each; ceiling {CEILING_PER_S:,}/s = 4,096 per ms)")
    print(f"{'':42} {'median/s':>12} {'best/s':>12} {'% ceiling':>10} {'next-ms waits':>14}")
    for label, median, best, waits in rows:
        print(f"{label:42} {median:12,.0f} {best:12,.0f} {median / CEILING_PER_S:10.1%} {waits:14,}")
    print(f"{'ChannelCounters.incr (in-process)':42} {statistics.median(counter_rates):12,.0f} {max(counter_rates):12,.0f}")
    print(f"{'next_id() CPU cost, clock never the limit':42} {statistics.median(raw):12,.0f} {max(raw):12,.0f}"
          f"   ({1e9 / statistics.median(raw):.0f} ns per id)")


if __name__ == "__main__":
    main()
