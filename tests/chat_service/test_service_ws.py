"""The WebSocket protocol over loopback: a real uvicorn on a free port, real sockets, bounded waits."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from interview_coach.chat.design.store import direct_channel_id
from interview_coach.chat.service.frames import MAX_FRAME_BYTES
from interview_coach.chat.service.ws_client import ChatSocketClient, ConnectionLost, ServiceError

pytestmark = pytest.mark.anyio
WAIT = 5.0


async def client(live, user: str, server: str | None = None, **kw) -> ChatSocketClient:
    c = ChatSocketClient(user, [live.url(server)], **kw)
    await c.login()
    await c.connect()
    return c


async def raw_frames(ws, n: int) -> list[dict]:
    return [json.loads(await asyncio.wait_for(ws.recv(), WAIT)) for _ in range(n)]


@pytest.mark.parametrize("token", [None, "", "v1.e30.forged", "not-a-token"])
async def test_socket_without_a_valid_token_gets_an_error_frame_and_4401(live_embedded, token):
    url = live_embedded.url().replace("http", "ws") + "/v1/ws" + (f"?token={token}" if token is not None else "")
    async with connect(url, open_timeout=WAIT) as ws:
        frame = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        assert frame["type"] == "error" and frame["code"] in ("missing_token", "bad_token")
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), WAIT)
        assert ws.close_code == 4401


async def test_expired_token_is_refused_on_the_socket(live_embedded):
    async def expired() -> str:
        return live_embedded.deployment.signer.issue("alice", ttl_s=-1).token

    token = live_embedded.call(expired)
    async with connect(live_embedded.url().replace("http", "ws") + f"/v1/ws?token={token}", open_timeout=WAIT) as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), WAIT))["code"] == "expired_token"


async def test_message_crosses_from_alice_to_bob_with_ack_and_delivery(live_embedded):
    alice, bob = await client(live_embedded, "alice"), await client(live_embedded, "bob")
    try:
        assert alice.server_id == "A"
        ack = await alice.send("hi bob", to="bob", client_msg_id="m1")
        assert ack["type"] == "ack" and ack["client_msg_id"] == "m1" and not ack["duplicate"]
        assert ack["channel_id"] == direct_channel_id("alice", "bob")
        await bob.wait_for(lambda: bob.state.count() == 1, WAIT, "bob's message")
        got = bob.state.timeline(ack["channel_id"])[0]
        assert (got.message_id, got.sender_id, got.text) == (ack["message_id"], "alice", "hi bob")
        again = await alice.send("hi bob", to="bob", client_msg_id="m1")  # a retry
        assert again["duplicate"] and again["message_id"] == ack["message_id"]
        await bob.ping()  # bob's `delivered` frame has been handled
        service = live_embedded.service()
        assert service.server.stats.delivery_acks >= 1 and service.server.stats.duplicates == 1
        await alice.ping()
        assert bob.state.count() == 1  # the retry was not delivered again
    finally:
        await alice.close()
        await bob.close()


async def test_bad_frames_get_error_frames_and_the_socket_stays_open(live_embedded):
    alice, bob = await client(live_embedded, "alice"), await client(live_embedded, "bob")
    try:
        cases = [
            ("{not json", "bad_json"),
            ('{"type": "shout"}', "unknown_type"),
            ("[1, 2]", "bad_frame"),
            ('{"type": "send", "to": "bob", "text": 5, "client_msg_id": "x"}', "bad_frame"),
            (json.dumps({"type": "send", "to": "bob", "text": "x" * MAX_FRAME_BYTES, "client_msg_id": "big"}), "too_large"),
            ('{"type": "send", "channel_id": "group:nope", "text": "hi", "client_msg_id": "u"}', "unknown_channel"),
            ('{"type": "typing", "channel_id": "group:nope"}', "unknown_channel"),
            ('{"type": "delivered", "message_id": -3}', "bad_frame"),
        ]
        for raw, code in cases:
            await alice.send_raw(raw)
            await alice.wait_for(lambda: len(alice.errors) >= 1 or False, WAIT, f"an error for {code}")
            assert alice.errors.pop(0)["code"] == code, raw
        with pytest.raises(ServiceError) as err:  # an error of a send reaches that send
            await alice.send("hi", channel_id="group:nope")
        assert err.value.code == "unknown_channel"
        await alice.ping()  # still open
        ack = await alice.send("still here", to="bob")
        await bob.wait_for(lambda: bob.state.count() == 1, WAIT, "delivery after bad frames")
        assert ack["message_id"] == bob.state.timeline(ack["channel_id"])[0].message_id
    finally:
        await alice.close()
        await bob.close()


async def test_another_users_channel_is_forbidden(live_embedded):
    alice, carol = await client(live_embedded, "alice"), await client(live_embedded, "carol")
    try:
        group = await alice.create_group("secret", ["bob"])
        with pytest.raises(ServiceError) as err:
            await carol.send("let me in", channel_id=group["channel_id"])
        assert err.value.code == "forbidden"
        await carol.enter_room(group["channel_id"])
        await carol.wait_for(lambda: carol.errors, WAIT, "the enter_room refusal")
        assert carol.errors[0]["code"] == "forbidden"
    finally:
        await alice.close()
        await carol.close()


async def test_transport_limit_closes_only_that_socket(live_embedded):
    alice, bob = await client(live_embedded, "alice"), await client(live_embedded, "bob")
    try:
        # On a busy machine the server's close can arrive while the frame is still going out.
        with contextlib.suppress(ConnectionLost):
            await alice.send_raw("x" * (2 * 1024 * 1024))  # over the 1 MiB transport limit
        await alice.wait_for(lambda: not alice.connected, WAIT, "the close")
        assert alice.closed_code == 1009
        carol = await client(live_embedded, "carol")
        await carol.send("fine", to="bob")
        await bob.wait_for(lambda: bob.state.count() == 1, WAIT, "bob still served")
        await carol.close()
    finally:
        await alice.close()
        await bob.close()


async def test_group_message_reaches_every_member_once(live_embedded):
    users = ["ann", "ben", "cat", "dan"]
    clients = [await client(live_embedded, u) for u in users]
    try:
        group = await clients[0].create_group("four", users[1:])
        acks = [await clients[i % 4].send(f"g{i}", channel_id=group["channel_id"]) for i in range(8)]
        for c in clients:
            await c.wait_for(lambda c=c: len(c.state.timeline(group["channel_id"])) == 8, WAIT, "the group's messages")
            assert [m.message_id for m in c.state.timeline(group["channel_id"])] == sorted(a["message_id"] for a in acks)
            assert c.state.duplicates_dropped == 0
    finally:
        for c in clients:
            await c.close()


async def test_typing_goes_only_to_users_with_the_room_open(live_embedded):
    alice, bob, carol = [await client(live_embedded, u) for u in ("alice", "bob", "carol")]
    try:
        group = await alice.create_group("room", ["bob", "carol"])
        channel = group["channel_id"]
        await bob.enter_room(channel)
        await bob.ping()
        await alice.typing(channel)
        await alice.typing(channel)  # throttled: one indicator per 5 s
        await bob.wait_for(lambda: bob.typing_events, WAIT, "the typing indicator")
        await alice.ping()
        await carol.ping()
        assert [e["user_id"] for e in bob.typing_events] == ["alice"] and carol.typing_events == []
        await bob.leave_room(channel)
    finally:
        for c in (alice, bob, carol):
            await c.close()


async def test_http_send_is_delivered_on_the_socket(live_embedded):
    bob = await client(live_embedded, "bob")
    alice = ChatSocketClient("alice", [live_embedded.url()])
    try:
        await alice.login()
        ack = await alice.send_http("over http", to="bob")
        await bob.wait_for(lambda: bob.state.count() == 1, WAIT, "the http-sent message")
        assert bob.state.timeline(ack["channel_id"])[0].text == "over http"
    finally:
        await alice.close()
        await bob.close()


async def test_reconnect_syncs_what_was_missed_exactly_once(live_embedded):
    alice, bob = await client(live_embedded, "alice"), await client(live_embedded, "bob")
    try:
        first = await alice.send("one", to="bob")
        await bob.wait_for(lambda: bob.state.count() == 1, WAIT, "the first message")
        await bob._drop()
        for text in ("two", "three", "four"):
            await alice.send(text, to="bob")
        await bob.connect()
        timeline = bob.state.timeline(first["channel_id"])
        assert [m.text for m in timeline] == ["one", "two", "three", "four"]
        assert [via for _, _, via in bob.state.arrivals] == ["live", "sync", "sync", "sync"]
    finally:
        await alice.close()
        await bob.close()


async def test_a_second_socket_of_the_same_user_replaces_the_first(live_embedded):
    first, second = await client(live_embedded, "alice"), await client(live_embedded, "alice")
    try:
        await first.wait_for(lambda: not first.connected, WAIT, "the replaced socket to close")
        assert first.closed_code == 4409 and second.connected
        await second.ping()
    finally:
        await first.close()
        await second.close()


async def test_two_servers_of_one_deployment_route_between_them(live_embedded_pair):
    live = live_embedded_pair
    alice, bob = await client(live, "alice", "A"), await client(live, "bob", "B")
    try:
        assert (alice.server_id, bob.server_id) == ("A", "B")
        ack = await alice.send("across", to="bob")
        await bob.wait_for(lambda: bob.state.count() == 1, WAIT, "the cross-server message")
        assert bob.state.timeline(ack["channel_id"])[0].text == "across"
    finally:
        await alice.close()
        await bob.close()


async def test_drain_tells_clients_to_reconnect_and_refuses_new_sockets(live_embedded):
    alice, bob = await client(live_embedded, "alice"), await client(live_embedded, "bob")
    try:
        ack = await alice.send("before the drain", to="bob")

        async def drain() -> None:
            await live_embedded.service().drain(timeout=3)

        live_embedded.call(drain)
        for c in (alice, bob):
            await c.wait_for(lambda c=c: not c.connected, WAIT, "the drain to close the socket")
            assert (c.reconnect_requests, c.closed_code) == (1, 1012), (c.user_id, c.reconnect_requests, c.closed_code, c.errors)
        late = ChatSocketClient("carol", [live_embedded.url()], token=alice.token)
        with pytest.raises(ConnectionLost, match="server draining"):  # refused: a reconnect frame, then the close
            await late.connect()
        await late.close()

        async def stored() -> int:
            await live_embedded.deployment.persist.flush()
            return await live_embedded.deployment.store.count(ack["channel_id"])

        assert live_embedded.call(stored) == 1
    finally:
        await alice.close()
        await bob.close()
