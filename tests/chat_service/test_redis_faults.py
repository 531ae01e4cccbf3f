"""The Redis engine when its infrastructure fails: a server paused mid-send, a Redis that comes
back empty, a Redis outage, a password in the URL — and hostile input on this engine too.

Each test runs `interview-coach serve --redis` processes and, where it breaks Redis, a
redis-server of its own on a free loopback port. Every wait is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time

import httpx
import pytest

from interview_coach.chat.design.store import direct_channel_id
from interview_coach.chat.service.ws_client import ChatSocketClient, ConnectionLost, ServiceError

from .conftest import free_port

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.anyio]
WAIT = 10.0
PAUSES = 20


def login(url: str, user: str) -> dict[str, str]:
    token = httpx.post(url + "/v1/sessions", json={"user_id": user}, timeout=WAIT).json()["token"]
    return {"Authorization": f"Bearer {token}"}


async def connected(user: str, urls: list[str], **kw) -> ChatSocketClient:
    c = ChatSocketClient(user, urls, timeout=WAIT, **kw)
    await c.login()
    await c.connect()
    return c


async def wait_until(predicate, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


# ---------------------------------------------------------------------- 4. a paused server


async def test_no_acked_message_is_missed_while_a_server_is_paused_mid_send(serve_processes, redis_url):
    """Server A is stopped (SIGSTOP) again and again while it has sends in flight; meanwhile B
    takes messages for the same group and a reader syncs through B, moving its cursor past them.
    When A resumes, the sends it had in flight are acknowledged — and the reader's next syncs,
    from its cursor, must still bring every one of them."""
    flags = ("--redis", redis_url, "--dev-login", "--rate-limit", "0", "--frame-limit", "0")
    a = serve_processes(*flags, "--server-id", "A").wait_ready()
    b = serve_processes(*flags, "--server-id", "B").wait_ready()
    on_a, on_b, reader = login(a.url, "sa"), login(b.url, "sb"), login(b.url, "reader")
    group = httpx.post(a.url + "/v1/groups", headers=on_a, timeout=WAIT,
                       json={"name": "g", "members": ["sb", "reader"]}).json()["channel_id"]
    acked: set[int] = set()
    received: set[int] = set()
    cursor = 0
    running = True

    async def send_through_a(http: httpx.AsyncClient, lane: int) -> None:
        n = 0
        while running:
            n += 1
            r = await http.post(a.url + "/v1/messages", headers=on_a, timeout=WAIT * 3,
                                json={"channel_id": group, "text": f"a{lane}-{n}", "client_msg_id": f"a{lane}-{n}"})
            assert r.status_code == 200, r.text
            acked.add(r.json()["message_id"])

    async def sync_through_b(http: httpx.AsyncClient) -> None:
        nonlocal cursor
        while True:
            r = await http.get(b.url + "/v1/sync", headers=reader, timeout=WAIT,
                               params={"cursors": json.dumps({group: cursor}), "limit": 100})
            delta = r.json()["channels"][group]
            received.update(m["message_id"] for m in delta["messages"])
            cursor = delta["cursor"]
            if not delta["has_more"]:
                return

    async with httpx.AsyncClient() as http:
        senders = [asyncio.create_task(send_through_a(http, lane)) for lane in range(4)]
        try:
            for pause in range(PAUSES):
                await asyncio.sleep(0.05)  # A has sends in flight
                os.kill(a.proc.pid, signal.SIGSTOP)
                try:
                    replies = await asyncio.gather(*(
                        http.post(b.url + "/v1/messages", headers=on_b, timeout=WAIT,
                                  json={"channel_id": group, "text": f"b{pause}-{i}", "client_msg_id": f"b{pause}-{i}"})
                        for i in range(40)))  # more than any look-back window below a cursor
                    acked.update(r.json()["message_id"] for r in replies)
                    await sync_through_b(http)  # the cursor moves past B's messages
                finally:
                    os.kill(a.proc.pid, signal.SIGCONT)
        finally:
            running = False
            await asyncio.wait_for(asyncio.gather(*senders), WAIT * 3)
        await sync_through_b(http)
    missed = sorted(acked - received)
    assert len(acked) > PAUSES * 40 and not missed, f"{len(missed)} acknowledged messages never synced: {missed[:10]}"


# ---------------------------------------------------------------------- 8. a Redis that lost its data


async def test_a_redis_that_comes_back_empty_is_noticed_and_ids_never_go_backwards(serve_processes, redis_factory):
    redis = redis_factory()  # no persistence: what kill -9 does to it is the point
    a = serve_processes("--redis", redis.url, "--server-id", "A", "--dev-login").wait_ready()
    await wait_until(lambda: "chat server A (redis) on" in a.output(), "the ready line")
    assert "warning: Redis has no persistence" in a.output()
    alice, bob = await connected("alice", [a.url]), await connected("bob", [a.url])
    try:
        before = [(await alice.send(f"m{i}", to="bob"))["message_id"] for i in range(3)]
        await wait_until(lambda: bob.state.count() == 3, "the first messages")
        redis.kill()
        redis.restart()
        after = await alice.send_reliably("after the loss", to="bob")
        assert after["message_id"] > max(before)  # not 1 again: the client would drop it as a duplicate
        await wait_until(lambda: bob.state.count() == 4, "the message after the loss")  # live, not dropped
        assert "REDIS LOST ITS DATA" in a.output()
        metrics = httpx.get(a.url + "/metrics", params={"format": "json"}, timeout=WAIT)
        assert metrics.status_code == 200 and metrics.json()["queue_depth"]["redis_data_losses"] == 1
        # Group fan-out works again, and a server started now accepts the tokens issued before.
        group = await alice.create_group("after", ["bob"])
        await alice.send("to the group", channel_id=group["channel_id"])
        await wait_until(lambda: len(bob.state.timeline(group["channel_id"])) == 1, "group fan-out after the loss")
        b = serve_processes("--redis", redis.url, "--server-id", "B", "--dev-login").wait_ready()
        moved = ChatSocketClient("alice", [b.url], token=alice.token, timeout=WAIT)
        await moved.connect()
        assert moved.server_id == "B"
        await moved.close()
    finally:
        await alice.close()
        await bob.close()
    assert "Traceback" not in a.output()


async def test_serve_is_quiet_about_a_redis_that_keeps_its_data(serve_processes, redis_factory):
    redis = redis_factory(persistence=("--appendonly", "yes", "--save", ""))
    a = serve_processes("--redis", redis.url, "--server-id", "A").wait_ready()
    await wait_until(lambda: "chat server A (redis) on" in a.output(), "the ready line")
    assert "persistence" not in a.output() and "warning" not in a.output()


# ---------------------------------------------------------------------- 9. an outage


async def test_an_outage_is_retryable_and_the_fanout_recovers(serve_processes, redis_factory):
    redis = redis_factory(persistence=("--appendonly", "yes", "--appendfsync", "always", "--save", ""))
    flags = ("--redis", redis.url, "--dev-login", "--fanout-lease", "1")
    a = serve_processes(*flags, "--server-id", "A").wait_ready()
    b = serve_processes(*flags, "--server-id", "B").wait_ready()
    alice = await connected("alice", [a.url, b.url])
    bob, carol = await connected("bob", [b.url]), await connected("carol", [b.url])
    try:
        group = (await alice.create_group("trio", ["bob", "carol"]))["channel_id"]
        acked = [await alice.send("before", channel_id=group)]
        stop_sending = False

        async def keep_sending() -> None:  # group sends racing the outage
            n = 0
            while not stop_sending:
                n += 1
                try:
                    acked.append(await alice.send_reliably(f"g{n}", channel_id=group, attempts=200))
                except ServiceError:
                    raise
                await asyncio.sleep(0.01)

        sender = asyncio.create_task(keep_sending())
        await asyncio.sleep(0.3)
        redis.stop()
        with pytest.raises(ServiceError) as err:
            await bob.send("during the outage", to="carol")
        assert err.value.code == "unavailable"  # retryable, not bad_frame
        late = ChatSocketClient("dave", [b.url], timeout=2.0)
        await late.login()  # a token needs no Redis
        with contextlib.suppress(ConnectionLost, ServiceError):  # a connection needs Redis (the registry):
            await late.connect()  # refused with a frame, and no traceback in the server's log
        await late.close()
        await asyncio.sleep(1.0)
        redis.restart()
        during = await bob.send_reliably("once Redis is back", to="carol", attempts=200)
        assert during["type"] == "ack"
        await asyncio.sleep(0.5)
        stop_sending = True
        await asyncio.wait_for(sender, WAIT * 2)
        acked.append(await alice.send("after", channel_id=group))

        async def fanout_depth() -> int:
            async with httpx.AsyncClient() as http:
                m = (await http.get(b.url + "/metrics", params={"format": "json"}, timeout=WAIT)).json()
                return m["queue_depth"].get("fanout", -1)

        deadline = time.monotonic() + WAIT
        while (depth := await fanout_depth()) != 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert depth == 0, f"the fan-out queue stays at {depth}"
        wanted = {x["message_id"] for x in acked}
        for member in (bob, carol):  # live, or by the sync a reconnect makes: nothing acked is missing
            await wait_until(lambda m=member: wanted <= {x.message_id for x in m.state.timeline(group)},
                             f"{member.user_id}'s group messages")
    finally:
        for c in (alice, bob, carol):
            await c.close()
    for server in (a, b):
        assert "Traceback" not in server.output(), server.output()[-3000:]


# ---------------------------------------------------------------------- 6. a password in the URL


async def test_the_redis_password_is_never_in_a_response_or_a_log(serve_processes, redis_factory):
    redis = redis_factory(extra=("--requirepass", "S3cretPW"))
    url = f"redis://:S3cretPW@127.0.0.1:{redis.port}/0"
    a = serve_processes("--redis", url, "--server-id", "A", "--dev-login").wait_ready()
    alice, bob = await connected("alice", [a.url]), await connected("bob", [a.url])
    seen: list[str] = []
    try:
        await alice.send("hi", to="bob")
        redis.stop()
        with pytest.raises(ServiceError) as err:
            await alice.send("during", to="bob")
        seen.append(str(err.value))
        seen += [e["message"] for e in alice.errors]
        async with httpx.AsyncClient() as http:
            for _ in range(2):
                seen.append((await http.get(a.url + "/metrics", params={"format": "json"}, timeout=WAIT)).text)
                seen.append((await http.get(a.url + "/metrics", timeout=WAIT)).text)
                seen.append((await http.post(a.url + "/v1/messages", headers={"Authorization": f"Bearer {alice.token}"},
                                             json={"to": "bob", "text": "x", "client_msg_id": "h"}, timeout=WAIT)).text)
                seen.append((await http.post(a.url + "/v1/groups", headers={"Authorization": f"Bearer {alice.token}"},
                                             json={"name": "g", "members": ["bob"]}, timeout=WAIT)).text)
                await asyncio.sleep(0.5)
    finally:
        await alice.close()
        await bob.close()
    assert any("unavailable" in text for text in seen)
    for text in [*seen, a.output()]:
        assert "S3cretPW" not in text, text[:500]


def test_an_unreachable_redis_url_is_shown_without_its_password(invoke):  # CliRunner runs its own loop
    port = free_port()
    result = invoke("serve", "--redis", f"redis://user:S3cretPW@127.0.0.1:{port}/0", "--port", "0")
    assert result.exit_code == 1 and "S3cretPW" not in result.output and "redis://***@127.0.0.1" in result.output


# ---------------------------------------------------------------------- 1 and 2 on Redis


async def test_redis_refuses_lone_surrogates_and_direct_ids_taken_by_a_group(serve_processes, redis_url):
    import redis as redis_py

    a = serve_processes("--redis", redis_url, "--server-id", "A", "--dev-login").wait_ready()
    eve = login(a.url, "eve")
    response = httpx.post(a.url + "/v1/messages", headers={**eve, "Content-Type": "application/json"},
                          content=b'{"to":"bob","text":"\\ud800","client_msg_id":"s"}')
    assert response.status_code == 400
    response = httpx.post(a.url + "/v1/groups", headers=eve, json={"name": "x", "members": ["mallory"],
                                                                   "channel_id": "dm:alice:dave"})
    assert response.status_code == 400
    channel = direct_channel_id("alice", "dave")
    client = redis_py.Redis.from_url(redis_url)
    try:  # a group planted under the direct id, as data written before this check could hold
        client.hset(f"chat:{{{channel}}}:meta", mapping={"kind": "group", "name": "trap", "created_ms": 1,
                                                          "last_message_id": 0})
        client.sadd(f"chat:{{{channel}}}:members", "eve", "mallory")
    finally:
        client.close()
    alice = login(a.url, "alice")
    response = httpx.post(a.url + "/v1/messages", headers=alice, json={"to": "dave", "text": "hi", "client_msg_id": "1"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "channel_conflict"
