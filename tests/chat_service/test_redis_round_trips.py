"""A send on the Redis engine is one script call: what Redis is asked, counted with MONITOR.

Two servers (A and B, each an `open_redis` deployment as `serve --redis` builds it) share a
redis-server of the test's own. MONITOR, on its own connection in a thread, records every
command Redis runs; commands a script runs are marked as such, so a send's round trips are
exactly the top-level commands it caused.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
import redis

from interview_coach.chat.design.store import direct_channel_id
from interview_coach.chat.service.engines import redis_engine as re_
from interview_coach.chat.service.engines.deployment import Deployment, open_redis

pytestmark = [pytest.mark.redis, pytest.mark.anyio]
STOP = "monitor-stop"


class Monitor:
    """Every command Redis runs while it is open: (top level or 'lua', command words)."""

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url, decode_responses=True)
        self.commands: list[tuple[str, list[str]]] = []
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Monitor:
        self._thread.start()
        assert self._ready.wait(10), "MONITOR did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.echo(STOP)  # the last command the monitor sees
        self._thread.join(10)
        self._client.close()

    def _run(self) -> None:
        with self._client.monitor() as monitor:
            self._ready.set()
            for entry in monitor.listen():
                words = entry["command"].split(" ")
                if words[:2] == ["ECHO", STOP]:
                    return
                self.commands.append(("lua" if entry["client_type"] == "lua" else "top", words))

    def count(self, where: str, name: str, first_arg: str | None = None) -> int:
        return sum(1 for w, words in self.commands
                   if w == where and words[0].upper() == name and (first_arg is None or words[1:2] == [first_arg]))


class Frames:
    """A connection that keeps the frames the server hands it (the WebSocket's place)."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    async def send_frame(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)
        self.arrived.set()

    async def wait_for(self, count: int) -> list[dict[str, Any]]:
        async def enough() -> None:
            while len(self.frames) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), 10)
        return self.frames


def sha(name: str) -> str:
    import hashlib

    return hashlib.sha1(re_._LUA[name].encode()).hexdigest()


@pytest.fixture
async def pair(redis_factory, tmp_path):
    server = redis_factory()
    a = await open_redis(server.url, "A", media_dir=tmp_path / "media")
    b = await open_redis(server.url, "B", media_dir=tmp_path / "media")
    try:
        yield server, a, b
    finally:
        await a.close()
        await b.close()


async def connect(deployment: Deployment, user: str) -> Frames:
    conn = Frames()
    await deployment.server().connect(user, conn)
    return conn


async def test_a_direct_send_across_servers_is_one_script_call_and_arrives_in_order(pair):
    server, a, b = pair
    await connect(a, "alice")
    bob = await connect(b, "bob")
    await a.server().send("alice", text="first", client_msg_id="c0", to="bob")  # the channel exists now
    await bob.wait_for(1)
    with Monitor(server.url) as monitor:
        acks = await asyncio.gather(*(a.server().send("alice", text=f"m{i}", client_msg_id=f"c{i}", to="bob")
                                      for i in range(1, 51)))
        frames = await bob.wait_for(51)
    # One call per send, and the lookup and the publish happened inside it.
    assert monitor.count("top", "EVALSHA", sha("commit_route")) == 50
    for name in ("MGET", "PUBLISH", "XADD", "INCR", "HGET", "ZADD"):
        assert monitor.count("top", name) == 0, name
    assert monitor.count("lua", "PUBLISH") == 50
    # Acked ids rise in the order the sends were asked (one connection, one script each), and
    # bob got every message once, in id order.
    ids = [ack.message_id for ack in acks]
    assert ids == sorted(ids) and len(set(ids)) == 50
    assert [f["message_id"] for f in frames[1:]] == ids and [f["text"] for f in frames[1:]] == [f"m{i}" for i in range(1, 51)]
    assert a.registry.answered_ahead >= 50


async def test_a_direct_send_on_one_server_is_handed_over_without_a_publish(pair):
    server, a, _ = pair
    await connect(a, "alice")
    carol = await connect(a, "carol")
    with Monitor(server.url) as monitor:
        for i in range(20):
            await a.server().send("alice", text=f"m{i}", client_msg_id=f"c{i}", to="carol")
        frames = await carol.wait_for(20)
    assert monitor.count("top", "EVALSHA", sha("commit_route")) == 20
    assert monitor.count("lua", "PUBLISH") == 0 and monitor.count("top", "PUBLISH") == 0
    assert [f["text"] for f in frames] == [f"m{i}" for i in range(20)]
    assert a.bus.stats.local == 20


async def test_a_retry_is_stored_once_and_not_delivered_again(pair):
    _, a, b = pair
    await connect(a, "alice")
    bob = await connect(b, "bob")
    first = await a.server().send("alice", text="hello", client_msg_id="same", to="bob")
    again = await a.server().send("alice", text="hello", client_msg_id="same", to="bob")
    later = await a.server().send("alice", text="later", client_msg_id="other", to="bob")
    frames = await bob.wait_for(2)
    assert again.duplicate and again.message_id == first.message_id
    # Pub/Sub keeps publish order: a second copy of "hello" would have come before "later".
    assert [f["text"] for f in frames] == ["hello", "later"] and later.message_id > first.message_id
    assert await a.store.count(first.channel_id) == 2


async def test_recipients_without_a_listening_server_are_pushed(pair):
    _, a, _ = pair
    await connect(a, "alice")
    await a.registry.register("ghost", "Z")  # a server that died with its sessions still in the registry
    await a.server().send("alice", text="to a dead server", client_msg_id="c1", to="ghost")
    await a.server().send("alice", text="to nobody", client_msg_id="c2", to="offline")
    pushed = {row["user_id"]: row["preview"] for row in await a.push.recent()}
    assert pushed == {"ghost": "to a dead server", "offline": "to nobody"}
    assert a.bus.stats.dropped == 1


async def test_user_ids_that_need_escaping_survive_the_envelope(pair):
    _, a, b = pair
    sender, recipient = 'al"ice\\', "bøb \u2603 \"q\""
    await connect(a, sender)
    inbox = await connect(b, recipient)
    ack = await a.server().send(sender, text="snow \u2603", client_msg_id="c1", to=recipient)
    [frame] = await inbox.wait_for(1)
    assert frame["sender_id"] == sender and frame["text"] == "snow \u2603"
    assert frame["channel_id"] == direct_channel_id(sender, recipient) == ack.channel_id


async def test_a_group_send_is_one_script_call_and_the_fanout_routes_it(pair):
    server, a, b = pair
    await connect(a, "alice")
    bob, carol = await connect(b, "bob"), await connect(a, "carol")
    group = await a.groups.create_group("team", ["alice", "bob", "carol"])
    with Monitor(server.url) as monitor:
        acks = [await a.server().send("alice", text=f"g{i}", client_msg_id=f"g{i}", channel_id=group.channel_id)
                for i in range(10)]
        got_b, got_c = await bob.wait_for(10), await carol.wait_for(10)
    assert monitor.count("top", "EVALSHA", sha("commit_fanout")) == 10
    assert monitor.count("top", "XADD") == 0 and monitor.count("lua", "XADD") == 10
    ids = [ack.message_id for ack in acks]
    assert [f["message_id"] for f in got_b] == ids == [f["message_id"] for f in got_c]



async def test_a_channels_last_id_is_its_last_committed_message(pair):
    """Conversations and channel() read a channel's last id from its counter (the commit no
    longer writes the channel's meta), on any server. (Ids of different channels come from
    different counters, so their order across channels is only roughly by time.)"""
    _, a, b = pair
    await connect(a, "alice")
    server = a.server()
    to_bob = await server.send("alice", text="1", client_msg_id="c1", to="bob")
    to_carol = await server.send("alice", text="2", client_msg_id="c2", to="carol")
    again = await server.send("alice", text="3", client_msg_id="c3", to="bob")
    page = await b.store.conversations("alice")
    last = {c.channel_id: c.last_message_id for c in page.conversations}
    assert last == {to_bob.channel_id: again.message_id, to_carol.channel_id: to_carol.message_id}
    assert [c.last_message_id for c in page.conversations] == sorted(last.values(), reverse=True)
    channel = await b.store.channel(to_bob.channel_id)
    assert channel is not None and channel.last_message_id == again.message_id and channel.kind == "direct"
