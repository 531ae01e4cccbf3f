"""The Redis implementations of the chat core's protocols, against a real redis-server."""

from __future__ import annotations

import asyncio
import socket

import pytest
from redis.exceptions import ResponseError

from interview_coach.chat.design.bus import Envelope
from interview_coach.chat.design.errors import ChatError
from interview_coach.chat.design.fanout import Router
from interview_coach.chat.design.groups import GroupService
from interview_coach.chat.design.store import Message, Receipt
from interview_coach.chat.service.engines import redis_engine as re_
from interview_coach.clock import SystemClock

pytestmark = [pytest.mark.redis, pytest.mark.anyio]


class Parts:
    """What one server process holds: a client, its auto-pipeline and scripts."""

    def __init__(self, url: str) -> None:
        self.redis = re_.connect(url)
        self.pipe = re_.AutoPipeline(url)
        self.scripts = re_.scripts_for(self.pipe)

    async def close(self) -> None:
        await self.pipe.close()
        await self.redis.aclose()


@pytest.fixture
async def parts(redis_url):
    p = Parts(redis_url)
    yield p
    await p.close()


def msg(channel: str, mid: int, sender: str = "alice", cmid: str | None = None, text: str = "hi") -> Message:
    return Message(channel, mid, sender, text, cmid or f"c{mid}", "text", 1000 + mid)


async def test_auto_pipeline_batches_one_turn_into_one_round_trip(parts):
    results = await asyncio.gather(*(parts.pipe.call("INCR", "n") for _ in range(500)))
    assert results == list(range(1, 501))  # one connection: executed in the order asked
    assert parts.pipe.round_trips == 1
    with pytest.raises(ResponseError, match="wrong number of arguments"):
        await parts.pipe.call("INCR", "n", "extra")  # a Redis error reaches only its caller
    assert await parts.pipe.call("GET", "n") == "500"


async def test_commands_keep_the_order_they_were_asked_in_across_coroutines(parts):
    registry = re_.RedisRegistry(parts.pipe, parts.scripts)
    await registry.register("alice", "A")
    # An old socket's clean-up, then the same user's new socket, from two coroutines:
    # the removal must not land after the new registration.
    await asyncio.gather(registry.unregister("alice", "A"), registry.register("alice", "A"))
    assert await registry.lookup("alice") == "A"


async def test_unreachable_redis_fails_the_call_not_the_process(redis_url):
    from interview_coach.chat.service.engines.redis_engine import RedisUnavailable

    from .conftest import free_port

    pipe = re_.AutoPipeline(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(RedisUnavailable):
        await pipe.call("PING")
    await pipe.close()


async def test_a_selected_db_is_used(redis_server):
    pipe = re_.AutoPipeline(redis_server.url.rsplit("/", 1)[0] + "/5")
    try:
        await pipe.call("SET", "in-db-5", "yes")
        assert await pipe.call("GET", "in-db-5") == "yes"
        await pipe.call("SELECT", 0)
        assert await pipe.call("GET", "in-db-5") is None
    finally:
        await pipe.close()


async def test_script_is_reloaded_after_a_script_flush(parts):
    registry = re_.RedisRegistry(parts.pipe, parts.scripts)
    await registry.register("alice", "A")
    await parts.pipe.call("SCRIPT", "FLUSH")
    await registry.unregister("alice", "A")
    assert await registry.lookup("alice") is None
    # The send path builds its EVALSHA from encoded pieces; it falls back to EVAL the same way.
    store = re_.RedisChatStore(parts.pipe, parts.scripts)
    first, _ = await store.commit(msg("dm:a:b", 0, cmid="x1"))
    await parts.pipe.call("SCRIPT", "FLUSH")
    second, _ = await store.commit(msg("dm:a:b", 0, cmid="x2"))
    assert second.message_id == first.message_id + 1 and await store.count("dm:a:b") == 2


async def test_registry_register_lookup_unregister(parts):
    registry = re_.RedisRegistry(parts.pipe, parts.scripts, ttl=30)
    await registry.register("alice", "A")
    await registry.register("bob", "B")
    assert await registry.lookup("alice") == "A"
    assert await registry.lookup_many(["alice", "bob", "carol"]) == {"alice": "A", "bob": "B"}
    await registry.unregister("alice", "B")  # not B's session: stays
    assert await registry.lookup("alice") == "A"
    await registry.unregister("alice", "A")
    assert await registry.lookup("alice") is None
    ttl_ms = await parts.pipe.call("PTTL", registry.key("bob"))
    assert 0 < ttl_ms <= 30_000


async def test_registry_lookup_many_is_one_round_trip_for_thousands(parts):
    registry = re_.RedisRegistry(parts.pipe, parts.scripts)
    users = [f"u{i}" for i in range(5000)]
    await registry.heartbeat("A", users[::2])
    trips = parts.pipe.round_trips
    found = await registry.lookup_many(users)
    assert parts.pipe.round_trips - trips == 1
    assert len(found) == 2500 and set(found.values()) == {"A"}
    assert registry.stats.lookup_calls == 1 and registry.stats.keys_looked_up == 5000


async def test_heartbeat_refreshes_own_sessions_and_never_steals(parts):
    registry = re_.RedisRegistry(parts.pipe, parts.scripts, ttl=30)
    await registry.register("alice", "A")
    await registry.register("bob", "B")
    await parts.pipe.call("PEXPIRE", registry.key("alice"), 5000)
    await registry.heartbeat("A", ["alice", "bob", "carol"])
    assert await parts.pipe.call("PTTL", registry.key("alice")) > 5000
    assert await registry.lookup_many(["alice", "bob", "carol"]) == {"alice": "A", "bob": "B", "carol": "A"}


async def test_session_expires_without_heartbeat(parts):
    registry = re_.RedisRegistry(parts.pipe, parts.scripts, ttl=30)
    await registry.register("alice", "A")
    await parts.pipe.call("PEXPIRE", registry.key("alice"), 1)
    for _ in range(200):
        if await registry.lookup("alice") is None:
            break
        await asyncio.sleep(0.01)
    assert await registry.lookup("alice") is None


async def test_bus_routes_by_server_topic_in_order(parts, redis_url):
    other = Parts(redis_url)
    bus_a, bus_b = re_.RedisBus(parts.redis, parts.pipe), re_.RedisBus(other.redis, other.pipe)
    got: list[int] = []
    done = asyncio.Event()

    async def on_b(env: Envelope) -> None:
        got.append(env.payload["n"])
        if len(got) == 50:
            done.set()

    try:
        await bus_b.subscribe("server:B", on_b)
        for n in range(50):
            assert await bus_a.publish("server:B", Envelope("message", {"n": n}, ("bob",), "A")) == 1
        await asyncio.wait_for(done.wait(), 5)
        assert got == list(range(50))
        assert await bus_a.publish("server:C", Envelope("message", {}, (), "A")) == 0  # nobody listens
        await bus_b.unsubscribe("server:B", on_b)
        assert await bus_a.publish("server:B", Envelope("message", {}, (), "A")) == 0
    finally:
        await bus_a.close()
        await bus_b.close()
        await other.close()


async def test_counters_are_gap_free_per_channel_under_concurrency(parts, redis_url):
    other = Parts(redis_url)
    a, b = re_.RedisCounterIds(parts.pipe), re_.RedisCounterIds(other.pipe)
    try:
        ids = await asyncio.gather(*[(a if i % 2 else b).next_message_id("dm:x:y") for i in range(300)])
        assert sorted(ids) == list(range(1, 301))
        assert await a.next_message_id("group:other") == 1
    finally:
        await other.close()


async def test_store_append_is_idempotent_and_pages_by_keyset(parts):
    store = re_.RedisChatStore(parts.pipe, parts.scripts)
    assert await store.create_channel("dm:alice:bob", "direct", "alice & bob", ["alice", "bob"], 1)
    assert not await store.create_channel("dm:alice:bob", "direct", "again", ["x", "y"], 2)
    messages = [msg("dm:alice:bob", i) for i in range(1, 121)]
    assert await store.append_many(messages) == 120
    assert await store.append_many(messages[:10]) == 0  # a replay stores nothing
    assert await store.count("dm:alice:bob") == 120 and await store.count() == 120

    first = await store.page("dm:alice:bob", limit=50)
    assert [m.message_id for m in first.messages] == list(range(120, 70, -1)) and first.has_more
    second = await store.page("dm:alice:bob", before=first.next_before, limit=50)
    third = await store.page("dm:alice:bob", before=second.next_before, limit=50)
    assert [m.message_id for m in third.messages] == list(range(20, 0, -1)) and not third.has_more
    newer = await store.page("dm:alice:bob", after=100, limit=10)
    assert [m.message_id for m in newer.messages] == list(range(110, 100, -1)) and newer.has_more
    assert [m.message_id for m in await store.range_after("dm:alice:bob", 115, 100)] == [116, 117, 118, 119, 120]
    assert (await store.find_client_message("dm:alice:bob", "alice", "c7")).message_id == 7
    assert await store.find_client_message("dm:alice:bob", "bob", "c7") is None
    channel = await store.channel("dm:alice:bob")
    assert channel.kind == "direct" and channel.last_message_id == 120
    assert await store.members("dm:alice:bob") == ["alice", "bob"]
    with pytest.raises(ChatError):
        await store.page("dm:alice:bob", before=5, after=1)


async def test_store_refuses_ids_a_score_cannot_hold(parts):
    store = re_.RedisChatStore(parts.pipe, parts.scripts)
    with pytest.raises(ChatError):
        await store.append(msg("c", 1 << 60))


async def test_a_retried_client_message_is_stored_once_and_answered_with_the_first(parts):
    store = re_.RedisChatStore(parts.pipe, parts.scripts)
    persist = re_.RedisWriteThrough(store)
    first = await persist.put(msg("dm:a:b", 0, cmid="same"))
    assert first.message_id > 0  # numbered by the commit itself
    with pytest.raises(re_.DuplicateClientMessage) as err:
        await persist.put(msg("dm:a:b", 0, cmid="same"))
    assert err.value.code == "conflict" and err.value.existing.message_id == first.message_id
    assert await store.count("dm:a:b") == 1


async def test_commit_numbers_a_channel_in_order_and_above_the_clock(parts):
    import time

    from interview_coach.chat.design.ids import EPOCH_MS

    store = re_.RedisChatStore(parts.pipe, parts.scripts)
    persist = re_.RedisWriteThrough(store)
    before = (int(time.time() * 1000) - EPOCH_MS) * 1024
    stored = await asyncio.gather(*(persist.put(msg("dm:a:b", 0, cmid=f"c{i}")) for i in range(50)))
    ids = [m.message_id for m in stored]
    assert ids == sorted(ids) and len(set(ids)) == 50 and ids[-1] - ids[0] == 49
    assert before <= ids[0] < re_.MAX_EXACT_ID  # a new counter starts at the current millisecond x 1024
    page = await store.page("dm:a:b", limit=50)
    assert [m.message_id for m in page.messages] == ids[::-1] and page.messages[0].text == "hi"


async def test_conversations_page_by_last_activity(parts):
    store = re_.RedisChatStore(parts.pipe, parts.scripts)
    for i in range(7):
        await store.create_channel(f"g{i}", "group", f"G{i}", ["alice", f"x{i}"], i)
        await store.append(msg(f"g{i}", 10 - i))  # g0 is the most recent
    seen = []
    cursor = None
    while True:
        page = await store.conversations("alice", limit=3, cursor=cursor)
        seen += [c.channel_id for c in page.conversations]
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert seen == [f"g{i}" for i in range(7)]
    assert await store.channels_of("x3") == ["g3"]


async def test_receipts_keep_the_highest_id(parts):
    store = re_.RedisChatStore(parts.pipe, parts.scripts)
    persist = re_.RedisWriteThrough(store)
    await persist.record_delivered(Receipt("c1", "bob", 5))
    await persist.record_delivered(Receipt("c1", "bob", 3))
    await persist.flush()
    await store.write_receipts([Receipt("c1", "bob", 4), Receipt("c2", "bob", 9)])
    assert await store.receipts_of("bob") == {"c1": 5, "c2": 9}


class _Push:
    def __init__(self) -> None:
        self.users: list[str] = []

    async def notify(self, user_ids, message) -> None:
        self.users.extend(user_ids)


async def test_fanout_one_envelope_per_server_and_takeover_claims_orphans(parts, redis_url):
    store = re_.RedisChatStore(parts.pipe, parts.scripts)
    clock = SystemClock()
    groups = GroupService(store, clock)
    members = [f"m{i}" for i in range(300)]
    await groups.create_group("big", members, channel_id="group:big")
    registry = re_.RedisRegistry(parts.pipe, parts.scripts)
    await registry.heartbeat("S1", members[:100])
    await registry.heartbeat("S2", members[100:250])  # the last 50 are offline
    bus = re_.RedisBus(parts.redis, parts.pipe)
    envelopes: list[tuple[str, int]] = []

    async def on_s1(env):
        envelopes.append(("S1", len(env.recipients)))

    async def on_s2(env):
        envelopes.append(("S2", len(env.recipients)))

    await bus.subscribe("server:S1", on_s1)
    await bus.subscribe("server:S2", on_s2)
    push = _Push()
    router = Router(registry, bus, push)
    # A "dead" owner read an entry and never acknowledged it.
    fan = re_.RedisFanout(parts.redis, parts.pipe, parts.scripts, router, groups, "S1", partitions=1, lease_s=0.9,
                          block_ms=50)
    await fan.start()
    await fan.close()
    orphan = msg("group:big", 1, sender="m0")
    await fan.submit(orphan, origin="S1")
    await parts.redis.xreadgroup(fan.GROUP, "dead-server", {fan.stream(0): ">"}, count=10)
    assert sum((await fan.depths()).values()) == 1
    # The next owner takes the free lease, claims the orphan, then routes new work.
    fan2 = re_.RedisFanout(parts.redis, parts.pipe, parts.scripts, router, groups, "S2", partitions=1, lease_s=0.9,
                           block_ms=50)
    await fan2.start()
    try:
        await fan2.submit(msg("group:big", 2, sender="m0"), origin="S2")
        await fan2.join(timeout=10)
        await bus.drain()
        for _ in range(100):
            if len(envelopes) >= 4:
                break
            await asyncio.sleep(0.01)
            await bus.drain()
        assert fan2.stats.claimed == 1 and fan2.stats.routed == 2
        assert sorted(envelopes) == [("S1", 99), ("S1", 99), ("S2", 150), ("S2", 150)]  # one per server, sender skipped
        assert len(push.users) == 100 and set(push.users) == set(members[250:])
        report = fan2.reports[-1]
        assert report.registry_lookups == 1 and report.bus_messages == 2
    finally:
        await fan2.close()
        await bus.close()


async def test_server_id_lease_refuses_a_second_process(parts):
    first = re_.ServerIdLease(parts.scripts, "A")
    await first.acquire()
    with pytest.raises(Exception) as err:
        await re_.ServerIdLease(parts.scripts, "A").acquire()
    assert "in use" in str(err.value)
    await first.release()
    await re_.ServerIdLease(parts.scripts, "A").acquire()


async def test_shared_secret_is_made_once(parts):
    assert await re_.shared_secret(parts.pipe) == await re_.shared_secret(parts.pipe)


async def test_a_retry_is_caught_by_the_write_itself_and_gets_the_first_ack(redis_url, tmp_path):
    from interview_coach.chat.service.engines.deployment import open_redis

    deployment = await open_redis(redis_url, "A", media_dir=tmp_path / "media")
    try:
        server = deployment.servers["A"]
        first = await server.send("alice", text="hi", client_msg_id="c1", to="bob")
        fresh = await server.send("alice", text="again", client_msg_id="c2", to="bob")
        retry = await server.send("alice", text="hi", client_msg_id="c1", to="bob")
        assert retry.duplicate and retry.message_id == first.message_id and retry.created_ms == first.created_ms
        assert not fresh.duplicate and fresh.message_id > first.message_id
        assert await deployment.store.count(first.channel_id) == 2  # the retry stored nothing
        assert server.stats.duplicates == 1
    finally:
        await deployment.close()


async def test_the_bus_subscribes_again_after_redis_restarts_and_authenticates(redis_factory):
    """Pub/Sub runs on a connection of the bus's own: it must log in with the URL's password
    and, when Redis goes away, connect and subscribe again by itself."""
    server = redis_factory(extra=("--requirepass", "pw-123"))
    url = f"redis://:pw-123@127.0.0.1:{server.port}/0"
    listener, sender = Parts(url), Parts(url)
    bus, out = re_.RedisBus(listener.redis, listener.pipe), re_.RedisBus(sender.redis, sender.pipe)
    got: list[int] = []

    async def on_envelope(env: Envelope) -> None:
        got.append(env.payload["n"])

    try:
        await bus.subscribe("server:L", on_envelope)
        assert await out.publish("server:L", Envelope("message", {"n": 1}, ("x",), "S")) == 1
        for _ in range(500):  # delivered before the kill: Pub/Sub keeps nothing a kill -9 cuts off in flight
            if got == [1]:
                break
            await asyncio.sleep(0.01)
        assert got == [1]
        server.kill()
        server.restart()
        for _ in range(500):  # bounded: the bus reconnects every 0.2 s
            try:
                if await out.publish("server:L", Envelope("message", {"n": 2}, ("x",), "S")) == 1:
                    break
            except re_.RedisUnavailable:  # the sender's own connection comes back too
                pass
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the bus never subscribed again")
        for _ in range(500):
            if got == [1, 2]:
                break
            await asyncio.sleep(0.01)
        assert got == [1, 2]
        assert bus._reader.connections == 2 and "pw-123" not in str(bus.stats.last_error)
        # A subscriber only reads, so only TCP keepalive notices a peer that vanished silently.
        sock = bus._reader._writer.get_extra_info("socket")
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 30
        await bus.unsubscribe("server:L", on_envelope)
        for _ in range(500):  # the UNSUBSCRIBE is not waited for; it lands in a moment
            if await out.publish("server:L", Envelope("message", {"n": 3}, ("x",), "S")) == 0:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the bus never unsubscribed")
    finally:
        await bus.close()
        await out.close()
        await listener.close()
        await sender.close()


async def test_the_bus_skips_envelopes_it_cannot_read_and_goes_on(parts, redis_url):
    bus = re_.RedisBus(parts.redis, parts.pipe)
    got: list[int] = []
    arrived = asyncio.Event()

    async def on_envelope(env: Envelope) -> None:
        got.append(env.payload["n"])
        arrived.set()

    try:
        await bus.subscribe("server:L", on_envelope)
        for junk in ("not json", "[1, 2]", '{"kind": "message"}', b"\xff{"):  # the last is not UTF-8
            assert await parts.pipe.call("PUBLISH", "chat:server:L", junk) == 1
        assert await bus.publish("server:L", Envelope("message", {"n": 7}, ("x",), "S")) == 1
        await asyncio.wait_for(arrived.wait(), 5)
        assert got == [7] and bus.stats.handler_errors == 4 and "bad envelope" in str(bus.stats.last_error)
    finally:
        await bus.close()


def test_every_redis_connection_parses_replies_with_hiredis():
    """The engine's own connections use hiredis.Reader; redis-py's (stream reads, the start-up
    PING) pick hiredis when it is installed, which the project's dependencies see to."""
    import redis.asyncio.connection
    from redis._parsers import _AsyncHiredisParser

    assert redis.asyncio.connection.DefaultParser is _AsyncHiredisParser


async def test_a_handler_that_waits_keeps_publish_order_locally_and_through_redis(parts, redis_url):
    """Envelopes are handled inline when their subscription is idle; one whose handler waits is
    finished by a task and the ones after it queue behind it, on both paths into a subscription."""
    other = Parts(redis_url)
    bus, remote = re_.RedisBus(parts.redis, parts.pipe), re_.RedisBus(other.redis, other.pipe)
    release = asyncio.Event()
    got: list[int] = []

    async def handler(env: Envelope) -> None:
        if env.payload["n"] in (0, 20):
            await release.wait()  # the handler waits: later envelopes must not overtake it
        got.append(env.payload["n"])

    try:
        await bus.subscribe("server:A", handler)
        for n in range(10):  # this process's own server topic: handed over without Redis
            assert await bus.publish("server:A", Envelope("message", {"n": n}, ("x",), "A")) == 1
        for n in range(20, 30):  # from another process, through Pub/Sub
            assert await remote.publish("server:A", Envelope("message", {"n": n}, ("x",), "B")) == 1
        assert got == []  # everything waits behind envelope 0
        release.set()
        for _ in range(500):
            await bus.drain()
            if len(got) == 20:
                break
            await asyncio.sleep(0.01)
        assert got == [*range(10), *range(20, 30)]
        assert bus.stats.local == 10
    finally:
        await bus.close()
        await remote.close()
        await other.close()
