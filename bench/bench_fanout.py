"""Time to fan one group message out to 10,000 members over 4 in-process chat servers.

Measured from the sender's `send()` to the last member's connection holding the frame: the
fan-out queue, a worker, the roster, one batched registry lookup, one bus envelope per server,
and each server looping over its local sockets (whose clients acknowledge delivery). Beside it,
the naive way the chapter warns against — one registry lookup and one bus message per member —
on the same cluster.

Run: .venv/bin/python bench/bench_fanout.py [--members 10000] [--messages 20]
Prints figures; asserts nothing (timings vary by machine).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from interview_coach.chat.design.bus import Envelope, server_topic
from interview_coach.chat.design.cluster import ChatCluster

SERVERS = ("A", "B", "C", "D")


async def run(folder: Path, members: int, messages: int, offline_share: float) -> dict:
    async with await ChatCluster.embedded(folder, servers=SERVERS) as chat:
        users = [f"user{i:05d}" for i in range(members)]
        group = await chat.groups.create_group("All hands", users)
        online = users[: int(members * (1 - offline_share))]
        clients = [
            await chat.client(u, SERVERS[i % len(SERVERS)], sync=False, timer=time.perf_counter) for i, u in enumerate(online)
        ]
        sender = clients[0]
        await sender.send("warm-up", channel_id=group.channel_id)
        await chat.settle()
        batched, ack_times, lookups, bus = [], [], [], []
        for i in range(messages):
            l0, b0 = chat.registry.stats.lookup_calls, chat.bus.stats.published
            t0 = time.perf_counter()
            ack = await sender.send(f"announcement {i}", channel_id=group.channel_id)
            ack_times.append((time.perf_counter() - t0) * 1000)
            await chat.settle()
            key = (ack.channel_id, ack.message_id)
            last = max(c.received_at[key] for c in clients[1:])
            batched.append((last - t0) * 1000)
            lookups.append(chat.registry.stats.lookup_calls - l0)
            bus.append(chat.bus.stats.published - b0)

        # The naive way, for contrast: a lookup and a bus message per member.
        naive = []
        n_lookups, n_bus = chat.registry.stats.lookup_calls, chat.bus.stats.published
        message = (await chat.persist.pending_after(group.channel_id, 0) or [None])[-1]
        page = await chat.store.page(group.channel_id, limit=1)
        message = message or page.messages[0]
        payload = message.to_dict()
        for _ in range(max(1, messages // 4)):
            t0 = time.perf_counter()
            for user in users[1:]:
                where = await chat.registry.lookup(user)
                if where is not None:
                    await chat.bus.publish(server_topic(where), Envelope("message", payload, (user,), "A"))
            await chat.settle()
            naive.append((time.perf_counter() - t0) * 1000)
        naive_lookups = (chat.registry.stats.lookup_calls - n_lookups) // len(naive)
        naive_bus = (chat.bus.stats.published - n_bus) // len(naive)
        return {
            "online": len(online),
            "p50": statistics.median(batched),
            "max": max(batched),
            "ack": statistics.median(ack_times),
            "lookups": statistics.median(lookups),
            "bus": statistics.median(bus),
            "naive": statistics.median(naive),
            "naive_lookups": naive_lookups,
            "naive_bus": naive_bus,
            "pushed": len(chat.push.notifications) // (messages + 1) if offline_share else 0,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    print(f"Group fan-out: {args.members:,} members over {len(SERVERS)} servers, {args.messages} messages each (median)")
    print(f"{'':22} {'online':>7} {'fan-out ms':>11} {'worst ms':>9} {'ack ms':>7} {'lookups':>8} {'bus msgs':>9} {'pushed':>7}"
          f"   naive: {'ms':>6} {'lookups':>8} {'bus msgs':>9}")
    for label, offline in (("everyone online", 0.0), ("10% offline (pushed)", 0.1)):
        with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
            r = asyncio.run(run(Path(tmp), args.members, args.messages, offline))
        print(
            f"{label:22} {r['online']:7,} {r['p50']:11.1f} {r['max']:9.1f} {r['ack']:7.3f} {r['lookups']:8.0f} {r['bus']:9.0f} "
            f"{r['pushed']:7,}"
            f"          {r['naive']:6.1f} {r['naive_lookups']:8,} {r['naive_bus']:9,}"
        )
    print("fan-out ms: send() until the last member's connection has it (median; worst after a warm-up message).")
    print("naive: one registry lookup and one bus message per member. In one process a lookup costs no network")
    print("round trip; on Redis each of those lookups and messages would be one.")


if __name__ == "__main__":
    main()
