"""The session registry (TTL, heartbeats, batched lookups) and the in-process bus."""

from __future__ import annotations

import asyncio

import pytest

from interview_coach.chat.design.bus import Envelope, InProcessBus, room_typing_topic, server_topic
from interview_coach.chat.design.registry import InMemoryRegistry
from interview_coach.clock import FakeClock
from interview_coach.errors import UsageError

from .conftest import arun


def test_sessions_expire_without_heartbeats() -> None:
    async def main():
        clock = FakeClock()
        reg = InMemoryRegistry(clock, ttl=30)
        await reg.register("alice", "A")
        await reg.register("bob", "A")
        clock.advance(20)
        await reg.heartbeat("A", ["alice"])
        clock.advance(15)  # bob's 30 s are up; alice was refreshed at 20 s
        assert await reg.lookup("alice") == "A"
        assert await reg.lookup("bob") is None
        assert reg.stats.expired == 1

    arun(main())


def test_a_newer_session_elsewhere_wins() -> None:
    async def main():
        reg = InMemoryRegistry(FakeClock())
        await reg.register("alice", "A")
        await reg.register("alice", "B")  # she reconnected to B
        await reg.unregister("alice", "A")  # A's late cleanup must not remove B's entry
        await reg.heartbeat("A", ["alice"])  # nor may A's heartbeat take her back
        assert await reg.lookup("alice") == "B"
        await reg.unregister("alice", "B")
        assert await reg.lookup("alice") is None

    arun(main())


def test_lookup_many_is_one_call_for_many_users() -> None:
    async def main():
        reg = InMemoryRegistry(FakeClock())
        for i in range(1000):
            await reg.register(f"u{i}", "ABCD"[i % 4])
        found = await reg.lookup_many([f"u{i}" for i in range(1500)])
        assert len(found) == 1000 and found["u5"] == "B"
        assert reg.stats.lookup_calls == 1 and reg.stats.keys_looked_up == 1500
        assert reg.online_count() == 1000

    arun(main())


def test_registry_ttl_must_be_positive() -> None:
    with pytest.raises(UsageError):
        InMemoryRegistry(FakeClock(), ttl=0)


def test_bus_delivers_in_order_to_every_subscriber_and_is_fire_and_forget() -> None:
    async def main():
        bus = InProcessBus()
        got_a: list[int] = []
        got_b: list[int] = []

        async def a(env):
            got_a.append(env.payload["n"])

        async def b(env):
            await asyncio.sleep(0)  # a slower subscriber does not reorder
            got_b.append(env.payload["n"])

        await bus.subscribe("server:A", a)
        await bus.subscribe("server:A", b)
        for n in range(50):
            assert await bus.publish("server:A", Envelope("message", {"n": n})) == 2
        assert await bus.publish("server:nobody", Envelope("message", {"n": -1})) == 0
        await bus.drain()
        assert got_a == got_b == list(range(50))
        assert bus.stats.dropped == 1
        await bus.unsubscribe("server:A", a)
        await bus.publish("server:A", Envelope("message", {"n": 99}))
        await bus.drain()
        assert got_a[-1] == 49 and got_b[-1] == 99
        await bus.close()

    arun(main())


def test_one_failing_handler_does_not_stop_the_subscription() -> None:
    async def main():
        bus = InProcessBus()
        seen: list[int] = []

        async def handler(env):
            if env.payload["n"] == 1:
                raise RuntimeError("boom")
            seen.append(env.payload["n"])

        await bus.subscribe("t", handler)
        for n in range(3):
            await bus.publish("t", Envelope("message", {"n": n}))
        await bus.drain()
        assert seen == [0, 2]
        assert bus.stats.handler_errors == 1 and "boom" in (bus.stats.last_error or "")
        await bus.close()

    arun(main())


def test_envelopes_round_trip_through_json() -> None:
    env = Envelope("message", {"text": "hé", "id": 5}, ("u1", "u2"), "A")
    assert Envelope.from_json(env.to_json()) == env
    assert server_topic("B") == "server:B" and room_typing_topic("g") == "room:g:typing"
