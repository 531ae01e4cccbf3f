"""Several `interview-coach serve --redis` processes are one chat — and survive one of them dying."""

from __future__ import annotations

import asyncio
import collections

import httpx
import pytest

from interview_coach.chat.design.store import direct_channel_id
from interview_coach.chat.service.ws_client import ChatSocketClient

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.anyio]
WAIT = 8.0


def two_servers(serve_processes, redis_url):
    # A first: it takes every fan-out partition's lease, so killing A also kills the fan-out
    # owner, and B must take the partitions over (after a 1 s lease) and claim what A held.
    a = serve_processes("--redis", redis_url, "--server-id", "A", "--dev-login", "--fanout-lease", "1").wait_ready()
    b = serve_processes("--redis", redis_url, "--server-id", "B", "--dev-login", "--fanout-lease", "1")
    return a, b.wait_ready()


async def connected(user: str, urls: list[str]) -> ChatSocketClient:
    c = ChatSocketClient(user, urls, timeout=WAIT)
    await c.login()
    await c.connect()
    return c


async def test_clients_on_different_servers_talk_through_redis(serve_processes, redis_url):
    a, b = two_servers(serve_processes, redis_url)
    alice, bob, carol = await connected("alice", [a.url]), await connected("bob", [b.url]), await connected("carol", [b.url])
    try:
        assert (alice.server_id, bob.server_id) == ("A", "B")
        ack = await alice.send("across servers", to="bob")
        await bob.wait_for(lambda: bob.state.count() == 1, WAIT, "the message from A")
        reply = await bob.send("back", to="alice")
        assert reply["message_id"] == ack["message_id"] + 1  # the channel's counter, taken at commit
        await alice.wait_for(lambda: alice.state.count() == 2, WAIT, "the reply from B")

        group = await alice.create_group("trio", ["bob", "carol"])
        await bob.enter_room(group["channel_id"])
        await bob.ping()
        await alice.typing(group["channel_id"])
        await bob.wait_for(lambda: bob.typing_events, WAIT, "typing across servers")
        await carol.ping()
        assert carol.typing_events == []  # carol has not opened the room
        acks = [await (alice, bob, carol)[i % 3].send(f"g{i}", channel_id=group["channel_id"]) for i in range(6)]
        for c in (alice, bob, carol):
            await c.wait_for(lambda c=c: len(c.state.timeline(group["channel_id"])) == 6, WAIT, "group fan-out")
            assert [m.message_id for m in c.state.timeline(group["channel_id"])] == [x["message_id"] for x in acks]

        # The token of one server works on the other (one secret per deployment, kept in Redis).
        moved = ChatSocketClient("alice", [b.url], token=alice.token)
        await moved.connect()
        assert moved.server_id == "B" and moved.state.count() == 8  # synced from the shared store
        await moved.close()
        metrics = httpx.get(a.url + "/metrics", params={"format": "json"}).json()
        assert metrics["engine"] == "redis" and metrics["messages_total"] >= 1
    finally:
        for c in (alice, bob, carol):
            await c.close()


async def test_a_second_process_cannot_take_a_live_server_id(serve_processes, redis_url):
    serve_processes("--redis", redis_url, "--server-id", "A").wait_ready()
    twin = serve_processes("--redis", redis_url, "--server-id", "A")
    assert twin.proc.wait(20) == 2
    assert "in use" in twin.output() and "Traceback" not in twin.output()


async def test_dev_login_is_off_by_default_on_redis(serve_processes, redis_url):
    a = serve_processes("--redis", redis_url, "--server-id", "A").wait_ready()
    response = httpx.post(a.url + "/v1/sessions", json={"user_id": "alice"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "login_disabled"


async def test_fault_one_server_killed_mid_stream_nothing_acknowledged_is_lost(serve_processes, redis_url):
    """A and B on Redis, two clients on each; A gets SIGKILL while everyone is sending.

    A's clients reconnect to B, sync, and carry on; in the end every client has every
    acknowledged message of its channels exactly once, in order, and so has the store.
    """
    a, b = two_servers(serve_processes, redis_url)
    users = {"a1": [a.url, b.url], "a2": [a.url, b.url], "b1": [b.url, a.url], "b2": [b.url, a.url]}
    clients = {u: await connected(u, urls) for u, urls in users.items()}
    group = (await clients["a1"].create_group("all four", ["a2", "b1", "b2"]))["channel_id"]
    targets = {  # each user's conversations: direct peers across and within servers, and the group
        "a1": [{"to": "b1"}, {"to": "a2"}, {"channel_id": group}],
        "a2": [{"to": "b2"}, {"to": "a1"}, {"channel_id": group}],
        "b1": [{"to": "a1"}, {"to": "b2"}, {"channel_id": group}],
        "b2": [{"to": "a2"}, {"to": "b1"}, {"channel_id": group}],
    }
    per_user = 30
    acked: list[tuple[str, int, str, int]] = []  # (channel, message id, sender, sequence)
    retries = collections.Counter()
    half_way = asyncio.Event()

    async def sender(user: str) -> None:
        c = clients[user]
        for i in range(per_user):
            ack = await c.send_reliably(f"{user} #{i}", client_msg_id=f"{user}-{i}",
                                        on_retry=lambda n, exc: retries.update([user]), **targets[user][i % 3])
            acked.append((ack["channel_id"], ack["message_id"], user, i))
            if len(acked) >= len(users) * per_user // 3:
                half_way.set()
            await asyncio.sleep(0.004)

    async def killer() -> None:
        await asyncio.wait_for(half_way.wait(), 30)
        a.kill()  # SIGKILL: no drain, no goodbye

    await asyncio.wait_for(asyncio.gather(killer(), *(sender(u) for u in users)), 60)
    try:
        assert a.proc.returncode == -9
        assert retries["a1"] + retries["a2"] >= 1  # A's clients did lose their server
        for user in ("a1", "a2"):
            assert clients[user].server_id == "B" and clients[user].connected

        # Let B finish the group fan-out it took over from A (its lease had to run out), then
        # a last sync: the store is the truth for whatever was in flight when A died.
        async with httpx.AsyncClient() as http:
            for _ in range(400):
                depth = (await http.get(b.url + "/metrics", params={"format": "json"})).json()["queue_depth"]
                if depth["fanout"] == 0:
                    break
                await asyncio.sleep(0.05)
            fanout = (await http.get(b.url + "/metrics", params={"format": "json"})).json()["parts"]["fanout"]
        assert depth["fanout"] == 0 and fanout["owned"] == [0, 1, 2, 3]  # B took every partition over
        for c in clients.values():
            await c.catch_up()

        by_channel: dict[str, list[tuple[int, str, int]]] = collections.defaultdict(list)
        for channel, mid, sender_id, seq in acked:
            by_channel[channel].append((mid, sender_id, seq))
        assert len(acked) == len(users) * per_user
        expected_channels = {direct_channel_id(u, t["to"]) for u in users for t in targets[u] if "to" in t} | {group}
        assert set(by_channel) == expected_channels

        for channel, rows in by_channel.items():
            ids = sorted(mid for mid, _, _ in rows)
            assert len(ids) == len(set(ids)), f"two acks with one id in {channel}"
            for sender_id in {s for _, s, _ in rows}:  # each sender's messages in the order sent
                seqs = [seq for _, s, seq in sorted(rows) if s == sender_id]
                assert seqs == sorted(seqs), (channel, sender_id)
            members = [u for u in users if u in channel.split(":")] if channel != group else list(users)
            for user in members:
                timeline = clients[user].state.timeline(channel)
                assert [m.message_id for m in timeline] == ids, (user, channel)
                assert [m.text for m in timeline] == [f"{s} #{q}" for _, s, q in sorted(rows)]

            # The shared store holds each acknowledged message once.
            stored = []
            before = None
            async with httpx.AsyncClient(headers={"Authorization": f"Bearer {clients[members[0]].token}"}) as http:
                while True:
                    params = {"limit": 500} | ({"before": before} if before else {})
                    page = (await http.get(f"{b.url}/v1/channels/{channel}/messages", params=params)).json()
                    stored += page["messages"]
                    if not page["has_more"]:
                        break
                    before = page["next_before"]
            assert sorted(m["message_id"] for m in stored) == ids
            assert len({(m["sender_id"], m["client_msg_id"]) for m in stored}) == len(stored)
    finally:
        for c in clients.values():
            await c.close()
