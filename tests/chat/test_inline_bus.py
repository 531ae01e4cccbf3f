"""The service's in-process bus (`InProcessBus(inline=True)`): handlers run in the publisher's call
when their subscription is idle, and a subscriber still sees every envelope once, in publish order."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from interview_coach.chat.design.bus import Envelope, InProcessBus


def envelope(n: int) -> Envelope:
    return Envelope("message", {"n": n}, ("bob",), "A")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=60))
def test_publish_order_is_kept_whatever_the_handlers_suspend(plan):
    """plan[i] = (how many loop turns the handler of envelope i waits, loop turns before the next publish)."""

    async def run() -> list[int]:
        bus = InProcessBus(inline=True)
        seen: list[int] = []

        async def handler(env: Envelope) -> None:
            n = env.payload["n"]
            for _ in range(plan[n][0]):
                await asyncio.sleep(0)
            seen.append(n)

        await bus.subscribe("server:A", handler)
        for n, (_, gap) in enumerate(plan):
            assert await bus.publish("server:A", envelope(n)) == 1
            for _ in range(gap):
                await asyncio.sleep(0)
        await bus.drain()
        return seen

    assert asyncio.run(run()) == list(range(len(plan)))


def test_an_idle_subscription_is_handled_in_the_publishers_call():
    async def run() -> None:
        bus = InProcessBus(inline=True)
        seen: list[int] = []

        async def handler(env: Envelope) -> None:
            seen.append(env.payload["n"])

        await bus.subscribe("server:A", handler)
        await bus.publish("server:A", envelope(1))
        assert seen == [1]  # no queue, no task, no loop turn
        assert bus.depth() == 0 and bus.stats.delivered == 1

    asyncio.run(run())


def test_a_failing_handler_is_counted_and_the_publisher_and_later_envelopes_go_on():
    async def run() -> None:
        bus = InProcessBus(inline=True)
        seen: list[int] = []

        async def handler(env: Envelope) -> None:
            n = env.payload["n"]
            if n == 1:
                raise RuntimeError("bad envelope")
            if n == 3:
                await asyncio.sleep(0)
                raise RuntimeError("bad after a suspension")
            seen.append(n)

        await bus.subscribe("server:A", handler)
        for n in range(6):
            await bus.publish("server:A", envelope(n))
        await bus.drain()
        assert seen == [0, 2, 4, 5]
        assert bus.stats.handler_errors == 2 and "bad" in (bus.stats.last_error or "")

    asyncio.run(run())


def test_a_handler_may_unsubscribe_while_it_is_published_to():
    async def run() -> None:
        bus = InProcessBus(inline=True)
        seen: list[str] = []

        async def leaving(env: Envelope) -> None:
            seen.append("leaving")
            await bus.unsubscribe("server:A", leaving)

        async def staying(env: Envelope) -> None:
            seen.append("staying")

        await bus.subscribe("server:A", leaving)
        await bus.subscribe("server:A", staying)
        assert await bus.publish("server:A", envelope(0)) == 2
        await bus.drain()
        assert sorted(seen) == ["leaving", "staying"]
        assert bus.subscribers("server:A") == 1
        await bus.publish("server:A", envelope(1))
        await bus.drain()
        assert seen.count("staying") == 2 and seen.count("leaving") == 1

    asyncio.run(run())
