"""The /v1/ws transport (ws_transport.py) over loopback: one port for HTTP and WebSocket, frames in
order through batched writes, fragments, the journal barrier, and retries stored once."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import connect

from interview_coach.chat.service.engines.deployment import open_embedded

from .conftest import LiveServer

pytestmark = pytest.mark.anyio
WAIT = 8.0
UPGRADE = ("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n")


def token(live, user: str) -> str:
    return httpx.post(live.url() + "/v1/sessions", json={"user_id": user}).json()["token"]


def ws_url(live, user: str) -> str:
    return live.url().replace("http", "ws", 1) + f"/v1/ws?token={token(live, user)}"


async def recv(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), WAIT))


def http_exchange(port: int, request: bytes) -> bytes:
    """Send one raw request; what the server answers until it closes or pauses."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as s:
        s.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer


def slow_reader(live, user: str) -> tuple[socket.socket, bytes]:
    """A raw socket upgraded as `user` that the kernel buffers little for (it reads when the test
    says), and the response head read so far, byte by byte so nothing after it is consumed."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the kernel holds little for it
    sock.settimeout(WAIT)
    sock.connect(("127.0.0.1", live.ports["A"]))
    try:
        sock.sendall(f"GET /v1/ws?token={token(live, user)} HTTP/1.1\r\nHost: x\r\n{UPGRADE}\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(1)
    except BaseException:
        sock.close()
        raise
    return sock, head


async def test_one_port_routes_http_to_the_api_and_upgrades_to_the_socket(live_embedded):
    port = live_embedded.ports["A"]
    assert httpx.get(live_embedded.url() + "/healthz").json()["status"] == "ok"  # plain HTTP: the API
    async with connect(ws_url(live_embedded, "alice"), open_timeout=WAIT) as ws:  # an upgrade: the socket
        hello = await recv(ws)
        assert hello["type"] == "hello" and hello["user_id"] == "alice"
        # The same port keeps answering HTTP while sockets are open on it.
        assert httpx.get(live_embedded.url() + "/healthz").json()["connections"] == 1
    # The token may come in the Authorization header instead of the URL.
    bare = live_embedded.url().replace("http", "ws", 1) + "/v1/ws"
    async with connect(bare, additional_headers={"Authorization": f"Bearer {token(live_embedded, 'bob')}"},
                       open_timeout=WAIT) as ws:
        assert (await recv(ws))["user_id"] == "bob"
    # An upgrade to any other path is answered (404), not left hanging.
    answer = http_exchange(port, f"GET /v1/other HTTP/1.1\r\nHost: x\r\n{UPGRADE}\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 404"), answer[:80]
    # /v1/ws without an upgrade is an HTTP request like any other: the API answers it.
    plain = http_exchange(port, b"GET /v1/ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert plain.startswith(b"HTTP/1.1 4"), plain[:80]
    # A broken handshake (no key) gets the WebSocket library's 400, and the server goes on.
    broken = http_exchange(port, b"GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                 b"Sec-WebSocket-Version: 13\r\n\r\n")
    assert broken.startswith(b"HTTP/1.1 400"), broken[:80]
    assert httpx.get(live_embedded.url() + "/healthz").status_code == 200


async def test_a_burst_of_frames_is_answered_in_order_through_batched_writes(live_embedded):
    async with connect(ws_url(live_embedded, "alice"), open_timeout=WAIT) as alice, \
            connect(ws_url(live_embedded, "bob"), open_timeout=WAIT) as bob:
        await recv(alice), await recv(bob)
        count = 150  # under the default burst of 200 messages: none is refused by the rate limit
        # All in one go: the server reads them in few data_received calls and answers in bursts.
        for i in range(count):
            await alice.send(json.dumps({"type": "send", "to": "bob", "text": f"m{i}", "client_msg_id": f"c{i}"}))
            if i % 50 == 0:
                await alice.send(json.dumps({"type": "ping"}))
        replies = [await recv(alice) for _ in range(count + count // 50)]
        acks = [r for r in replies if r["type"] == "ack"]
        assert [a["client_msg_id"] for a in acks] == [f"c{i}" for i in range(count)]
        assert [a["message_id"] for a in acks] == sorted(a["message_id"] for a in acks)
        assert sum(r["type"] == "pong" for r in replies) == count // 50
        # The first pong follows the first ack, as it was sent: replies keep the frames' order.
        assert [r["type"] for r in replies[:2]] == ["ack", "pong"]
        texts = [(await recv(bob))["text"] for _ in range(count)]
        assert texts == [f"m{i}" for i in range(count)]


async def test_fragmented_frames_are_put_together(live_embedded):
    async with connect(ws_url(live_embedded, "alice"), open_timeout=WAIT) as alice:
        await recv(alice)
        body = json.dumps({"type": "send", "to": "bob", "text": "in three parts", "client_msg_id": "f1"})
        await alice.send(iter([body[:10], body[10:30], body[30:]]))  # one message, three frames
        ack = await recv(alice)
        assert ack["type"] == "ack" and ack["client_msg_id"] == "f1"


async def test_nothing_leaves_before_the_journal_has_it(tmp_path):
    """The end-of-turn journal flush is switched off here, so only the service's barrier (run before
    each socket write) can have put the line in the file by the time the ack arrives."""

    async def opener():
        return await open_embedded(tmp_path / "chat", flush_interval=3600)

    live = LiveServer(opener)
    persist = live.deployment.persist
    assert persist.defer_journal_flush  # the service's setting: one journal write per loop turn
    assert live.service().before_write == persist.sync_journal  # ...and the barrier it runs
    persist.sync_journal = lambda: None  # what put() schedules at the end of the turn now does nothing
    try:
        async with connect(ws_url(live, "alice"), open_timeout=WAIT) as alice:
            await recv(alice)
            await alice.send(json.dumps({"type": "send", "to": "bob", "text": "journaled first", "client_msg_id": "j1"}))
            ack = await recv(alice)
            assert ack["type"] == "ack"
            journal = "".join(p.read_text() for p in (tmp_path / "chat" / "journal").glob("segment-*.jsonl"))
            assert '"client_msg_id":"j1"' in journal
            # The HTTP fallback's ack too.
            response = httpx.post(live.url() + "/v1/messages", headers={"Authorization": f"Bearer {token(live, 'alice')}"},
                                  json={"to": "bob", "text": "over HTTP", "client_msg_id": "j2"})
            assert response.status_code == 200
            journal = "".join(p.read_text() for p in (tmp_path / "chat" / "journal").glob("segment-*.jsonl"))
            assert '"client_msg_id":"j2"' in journal
    finally:
        live.stop()


async def test_a_retry_is_stored_once_after_a_flush_and_after_a_restart(tmp_path):
    folder = tmp_path / "chat"
    deployment = await open_embedded(folder)
    try:
        server = deployment.server()
        first = await server.send("alice", text="once", client_msg_id="r1", to="bob")
        again = await server.send("alice", text="once", client_msg_id="r1", to="bob")  # still in the queue
        assert again.duplicate and again.message_id == first.message_id
        await deployment.persist.flush()
        stored = await server.send("alice", text="once", client_msg_id="r1", to="bob")  # now only in the store
        assert stored.duplicate and stored.message_id == first.message_id
        other = await server.send("alice", text="another", client_msg_id="r2", to="bob")
        assert not other.duplicate
    finally:
        await deployment.close()
    reopened = await open_embedded(folder)  # a new process: its filter is read from the store
    try:
        retry = await reopened.server().send("alice", text="once", client_msg_id="r1", to="bob")
        assert retry.duplicate and retry.message_id == first.message_id
        assert await reopened.store.count(first.channel_id) == 2
    finally:
        await reopened.close()


async def test_an_idle_socket_holds_no_task_and_a_flood_is_read_at_the_servers_pace(live_embedded):
    from interview_coach.chat.service import ws_transport

    async with connect(ws_url(live_embedded, "alice"), open_timeout=WAIT) as alice:
        await recv(alice)
        await alice.send(json.dumps({"type": "ping"}))
        assert (await recv(alice))["type"] == "pong"

        async def reader_of_alice():
            return live_embedded.service().by_user["alice"].reader

        assert live_embedded.call(reader_of_alice) is None  # idle: no task, only the protocol object
        # Far more frames than the server takes in before it stops reading (MAX_INBOUND): the
        # socket is paused and resumed as they are handled, and every one is answered, in order.
        flood = 12 * ws_transport.MAX_INBOUND
        await asyncio.gather(*(alice.send(json.dumps({"type": "ping"})) for _ in range(flood)))
        replies = [await recv(alice) for _ in range(flood)]
        assert {r["type"] for r in replies} == {"pong"}
        assert live_embedded.call(reader_of_alice) is None


async def test_a_peer_that_answers_no_ping_is_closed_and_a_live_one_stays(live_embedded):
    port = live_embedded.ports["A"]
    async with connect(ws_url(live_embedded, "alice"), open_timeout=WAIT) as alice:  # answers pings itself
        await recv(alice)
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as mute:  # a handshake, then silence
            mute.sendall(f"GET /v1/ws?token={token(live_embedded, 'mute')} HTTP/1.1\r\nHost: x\r\n{UPGRADE}\r\n".encode())
            assert mute.recv(4096).startswith(b"HTTP/1.1 101")

            async def users() -> set[str]:
                return set(live_embedded.service().by_user)

            async def sweep() -> None:
                live_embedded.service().sweep_keepalive()

            async def heard() -> bool:
                return live_embedded.service().by_user["alice"].heard

            assert live_embedded.call(users) == {"alice", "mute"}
            live_embedded.call(sweep)  # both had spoken: reset
            live_embedded.call(sweep)  # silent since: both pinged
            for _ in range(400):  # this loop runs alice's client, which answers the ping (bounded wait)
                if live_embedded.call(heard):
                    break
                await asyncio.sleep(0.01)
            live_embedded.call(sweep)  # alice answered; mute did not and is closed
            for _ in range(400):
                if live_embedded.call(users) == {"alice"}:
                    break
                await asyncio.sleep(0.02)
            assert live_embedded.call(users) == {"alice"}
        await alice.send(json.dumps({"type": "ping"}))
        assert (await recv(alice))["type"] == "pong"


@pytest.mark.slow
async def test_every_acknowledged_message_survives_a_kill_9(serve_processes, tmp_path):
    data = tmp_path / "data"
    server = serve_processes("--data-dir", str(data), "--rate-limit", "0", "--frame-limit", "0").wait_ready()
    tokens = {u: httpx.post(server.url + "/v1/sessions", json={"user_id": u}).json()["token"] for u in ("alice", "bob")}
    base = server.url.replace("http", "ws", 1)
    acks: list[dict] = []
    async with connect(f"{base}/v1/ws?token={tokens['alice']}", open_timeout=WAIT) as alice:
        await recv(alice)
        for i in range(400):  # all in flight at once: acks come in bursts, each burst one write
            await alice.send(json.dumps({"type": "send", "to": "bob", "text": f"k{i}", "client_msg_id": f"k{i}"}))
        while len(acks) < 400:
            frame = await recv(alice)
            assert frame["type"] == "ack", frame
            acks.append(frame)
        server.kill()  # SIGKILL the moment the last ack is in: no drain, no flush
    again = serve_processes("--data-dir", str(data), port=server.port).wait_ready()
    page = httpx.get(f"{again.url}/v1/channels/{acks[0]['channel_id']}/messages", params={"limit": 500},
                     headers={"Authorization": f"Bearer {tokens['bob']}"}).json()
    assert sorted(m["message_id"] for m in page["messages"]) == sorted(a["message_id"] for a in acks)


async def test_a_client_that_stops_reading_gets_its_frames_then_a_1013_close(live_embedded, monkeypatch):
    from websockets.client import ClientProtocol
    from websockets.protocol import State
    from websockets.uri import parse_uri

    from interview_coach.chat.service import ws_transport

    monkeypatch.setattr(ws_transport, "CLOSE_TIMEOUT_S", 120.0)  # this test reads late on purpose: no reset meanwhile
    service = live_embedded.service()
    slow, head = slow_reader(live_embedded, "slow")
    try:
        assert head.startswith(b"HTTP/1.1 101")

        async def tighten() -> None:
            service.by_user["slow"].max_bytes = 64 * 1024  # as serve --send-queue-kib 64
            service.message_rate.rate = 0  # the sender below is not the one under test

        live_embedded.call(tighten)

        async def cut() -> int:
            return service.errors["slow_consumer"]

        async with connect(ws_url(live_embedded, "sender"), open_timeout=WAIT) as sender:
            await recv(sender)
            sent = 0
            while live_embedded.call(cut) == 0 and sent < 5000:
                for _ in range(50):
                    await sender.send(json.dumps({"type": "send", "to": "slow", "text": "y" * 9000,
                                                  "client_msg_id": f"s{sent}"}))
                    sent += 1
                while (await recv(sender))["client_msg_id"] != f"s{sent - 1}":  # every ack: the sender is never held up
                    pass
            assert live_embedded.call(cut) == 1
        # Now read: the frames the server had already handed to TCP, then its close frame, 1013.
        parser = ClientProtocol(parse_uri("ws://x/"), state=State.OPEN)
        parser.receive_data(head.split(b"\r\n\r\n", 1)[1])
        while parser.close_rcvd is None:
            data = slow.recv(1 << 16)
            if not data:
                break
            parser.receive_data(data)
        messages = [e for e in parser.events_received() if getattr(e, "opcode", None) is not None and e.opcode.name == "TEXT"]
        assert parser.close_rcvd is not None and parser.close_rcvd.code == 1013
        assert 0 < len(messages) < sent  # some got through before the cut; the rest it fetches by sync
    finally:
        slow.close()


async def test_a_client_that_pings_and_never_reads_is_cut_off(live_embedded):
    from websockets.frames import Frame, Opcode

    service = live_embedded.service()
    pinger, _head = slow_reader(live_embedded, "pinger")
    try:

        async def tighten() -> None:
            service.by_user["pinger"].max_bytes = 64 * 1024

        async def cut() -> int:
            return service.errors["slow_consumer"]

        live_embedded.call(tighten)
        ping = Frame(Opcode.PING, b"p" * 125).serialize(mask=True, extensions=[])
        sent = 0
        try:
            while live_embedded.call(cut) == 0 and sent < 400_000:  # each ping's pong waits for a reader that never comes
                pinger.sendall(ping * 500)
                sent += 500
        except OSError:  # the server cut the connection while we were still sending: what this test wants
            pass
        assert live_embedded.call(cut) == 1
    finally:
        pinger.close()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 130), st.integers(65_530, 65_540)), max_size=6))
def test_frames_written_by_hand_are_what_the_library_reads(sizes):
    """text_frames' headers (7-bit, 16-bit and 64-bit lengths) parse back to the same payloads, in order."""
    from websockets.client import ClientProtocol
    from websockets.frames import Opcode
    from websockets.protocol import State
    from websockets.uri import parse_uri

    from interview_coach.chat.service.ws_transport import text_frames

    payloads = [bytes([97 + i % 26]) * n for i, n in enumerate(sizes)] + [b"z" * 70_000]  # and a 64-bit length
    reader = ClientProtocol(parse_uri("ws://x/"), state=State.OPEN, max_size=None)
    reader.receive_data(text_frames(payloads))
    frames = reader.events_received()
    assert [f.opcode for f in frames] == [Opcode.TEXT] * len(payloads)
    assert [f.data for f in frames] == payloads and all(f.fin for f in frames)
