"""Messages per second and delivery latency through one and through two in-process chat servers.

Each run builds an embedded cluster (SQLite store and journal in a temporary folder, so the
store is on), connects N sender/recipient pairs, and has every sender send M direct messages,
one after another, each send followed by a yield (as a real client waits on its socket).
Latency is measured from the call to `send()` to the moment the recipient's connection has
the frame; throughput counts every message from the first send to the last one stored.

Run: .venv/bin/python bench/bench_delivery.py [--pairs 50] [--messages 200]
Prints figures; asserts nothing (timings vary by machine).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from interview_coach.chat.design.cluster import ChatCluster


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(folder: Path, *, servers: tuple[str, ...], pairs: int, messages: int, journal: bool, durability: str) -> dict:
    async with await ChatCluster.embedded(folder, servers=servers, journal=journal, durability=durability) as chat:
        senders, recipients = [], []
        for i in range(pairs):
            senders.append(await chat.client(f"s{i}", servers[0], sync=False))
            recipients.append(await chat.client(f"r{i}", servers[-1], sync=False, timer=time.perf_counter))
        for s, r in zip(senders, recipients, strict=True):  # open every direct channel first (one store write each)
            await s.send("hello", to=r.user_id)
        await chat.settle()
        await chat.persist.flush()
        for r in recipients:
            r.received_at.clear()

        sent_at: dict[tuple[str, int], float] = {}

        async def sender(client, peer: str) -> None:
            for i in range(messages):
                t0 = time.perf_counter()
                ack = await client.send(f"message {i}", to=peer)
                sent_at[(ack.channel_id, ack.message_id)] = t0
                await asyncio.sleep(0)

        start = time.perf_counter()
        await asyncio.gather(*(sender(s, r.user_id) for s, r in zip(senders, recipients, strict=True)))
        await chat.settle()
        delivered = time.perf_counter() - start
        await chat.persist.flush()
        stored = time.perf_counter() - start
        latencies = [
            (r.received_at[key] - sent_at[key]) * 1000 for r in recipients for key in r.received_at if key in sent_at
        ]
        total = pairs * messages
        assert len(latencies) == total, (len(latencies), total)
        assert await chat.store.count() == total + pairs
        return {
            "per_s": total / stored,
            "delivered_per_s": total / delivered,
            "p50": pct(latencies, 50),
            "p99": pct(latencies, 99),
            "max_depth": chat.persist.stats.max_depth,
            "flushes": chat.persist.stats.flushes,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cases = [
        ("1 pair, two servers (unloaded)", ("A", "B"), True, "process", 1),
        ("one server (A→A)", ("A",), True, "process", None),
        ("two servers (A→B)", ("A", "B"), True, "process", None),
        ("two servers, fsync'd journal", ("A", "B"), True, "disk", None),
        ("two servers, no journal", ("A", "B"), False, "process", None),
    ]
    total = args.pairs * args.messages
    print(f"Direct messages: {args.pairs} concurrent pairs x {args.messages} messages = {total:,} per run, store on; "
          f"median of {args.runs} runs")
    print(f"{'':32} {'msgs/s stored':>14} {'msgs/s delivered':>17} {'p50 ms':>8} {'p99 ms':>8} {'queue peak':>11}")
    for label, servers, journal, durability, pairs in cases:
        pairs = pairs or args.pairs
        results = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
                once = run(Path(tmp), servers=servers, pairs=pairs, messages=args.messages,
                           journal=journal, durability=durability)
                results.append(asyncio.run(once))
        med = {k: statistics.median(r[k] for r in results) for k in results[0]}
        print(
            f"{label:32} {med['per_s']:14,.0f} {med['delivered_per_s']:17,.0f} {med['p50']:8.3f} {med['p99']:8.3f} "
            f"{med['max_depth']:11,.0f}"
        )


if __name__ == "__main__":
    main()
