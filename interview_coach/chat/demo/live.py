"""`interview-coach demo --live`: the demo's stories against real chat servers, over the network.

Two chat servers are started — embedded: two uvicorn servers in this process on loopback
ports sharing one embedded deployment; with a Redis URL: two `interview-coach serve --redis`
processes — and every actor is a `ChatSocketClient` speaking HTTP and WebSocket to them. The
trace shows what the clients see on the wire (frames and HTTP calls), timed; the facts come
from the clients and from the servers' /metrics.

Scenarios: delivery, offline, group, typing, ordering, media, sync, and drain (a server is
drained; its clients move to the other one and nothing is lost).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from interview_coach.chat.demo.scenarios import Check, ScenarioResult
from interview_coach.chat.design.tracing import TraceEvent, TraceRecorder
from interview_coach.chat.service.ws_client import ChatSocketClient, ServiceError
from interview_coach.errors import CoachError, NotFoundError

WAIT = 10.0

# A failed scenario is a failed check on screen; its traceback goes here (shown by `demo --debug`).
log = logging.getLogger(__name__)


def _now_ms() -> float:
    return time.monotonic() * 1000


@dataclass
class Servers:
    """Two running chat servers: `urls[0]` is A, `urls[1]` is B."""

    engine: str
    urls: list[str]
    ids: list[str]
    stop: Callable[[], Awaitable[None]]
    drain_first: Callable[[], Awaitable[None]]
    shared_parts: bool  # embedded: both servers report the same registry/bus/push counters


async def start_embedded(folder: Path) -> Servers:
    from interview_coach.chat.service.app import bind_socket, create_app, make_server, uvicorn_config
    from interview_coach.chat.service.engines.deployment import open_embedded

    deployment = await open_embedded(folder, servers=("A", "B"))
    servers, tasks, urls, apps, socks = [], [], [], [], []
    for sid in ("A", "B"):
        # Bound here and handed over open: a port probed free and bound later can be taken in
        # between (CI once lost that race to a parallel test).
        sock = bind_socket("127.0.0.1", 0)
        socks.append(sock)
        app = create_app(deployment, sid)
        server = make_server(uvicorn_config(app))
        servers.append(server)
        apps.append(app)
        # _serve, not serve: two servers in one process must not both take over SIGINT/SIGTERM.
        tasks.append(asyncio.get_running_loop().create_task(server._serve(sockets=[sock])))
        urls.append(f"http://127.0.0.1:{sock.getsockname()[1]}")

    async def stop() -> None:
        for s in servers:
            s.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for sock in socks:
            sock.close()
        await deployment.close()

    deadline = time.monotonic() + WAIT
    while not all(s.started for s in servers):
        if time.monotonic() > deadline or any(t.done() for t in tasks):
            await stop()
            raise CoachError("the live demo's servers did not start", "is something else using loopback ports?")
        await asyncio.sleep(0.01)

    async def drain_first() -> None:
        await apps[0].state.chat.drain(timeout=5)

    return Servers("embedded", urls, ["A", "B"], stop, drain_first, shared_parts=True)


def _served_url(log: Path, sid: str) -> str:
    """The URL a `serve` child printed on its ready line ("chat server ID (...) on URL ..."), or ""."""
    prefix = f"chat server {sid} ("
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith(prefix) and " on http://" in line:
            return line.split(" on ", 1)[1].split()[0]
    return ""


async def start_redis(url: str, folder: Path) -> Servers:
    import httpx

    tag = secrets.token_hex(2)
    ids = [f"demo-{tag}-A", f"demo-{tag}-B"]
    procs: list[subprocess.Popen[bytes]] = []
    urls = []
    env = dict(os.environ, INTERVIEW_COACH_HOME=str(folder))
    try:
        for sid in ids:
            # --port 0: each server binds a port the OS picks and prints its URL, which is read
            # back from its log (a port probed free here could be taken before the child binds it).
            # The child gets its own copy of the file; ours closes once it has started.
            with open(folder / f"{sid}.log", "wb") as server_log:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "interview_coach", "serve", "--redis", url, "--server-id", sid, "--dev-login",
                     "--port", "0", "--fanout-lease", "1"], stdout=server_log, stderr=subprocess.STDOUT, env=env))
        async with httpx.AsyncClient(timeout=1) as http:
            for proc, sid in zip(procs, ids, strict=True):
                deadline = time.monotonic() + 20
                base = ""
                while True:
                    if proc.poll() is not None:
                        text = (folder / f"{sid}.log").read_text(errors="replace").strip().splitlines()
                        raise CoachError(f"chat server {sid} did not start: {text[-1] if text else proc.returncode}")
                    if not base:
                        base = _served_url(folder / f"{sid}.log", sid)
                    try:
                        if base and (await http.get(base + "/healthz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise CoachError(f"chat server {sid} did not answer in 20 s")
                    await asyncio.sleep(0.05)
                urls.append(base)
    except BaseException:
        for proc in procs:
            proc.kill()
        raise

    async def stop() -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                await asyncio.to_thread(proc.wait, 15)
            except subprocess.TimeoutExpired:
                proc.kill()

    async def drain_first() -> None:
        procs[0].terminate()  # SIGTERM: the real drain
        await asyncio.to_thread(procs[0].wait, 15)

    return Servers("redis", urls, ids, stop, drain_first, shared_parts=False)


# ---------------------------------------------------------------------- the scenarios


def _suffixed(who: str, *, suffix: str) -> str:
    return who + suffix


def _holds(client: ChatSocketClient, channel: str, count: int) -> bool:
    return len(client.state.timeline(channel)) == count


def _told_to_move(client: ChatSocketClient) -> bool:
    return client.reconnect_requests > 0 or not client.connected


@dataclass
class LiveContext:
    servers: Servers
    tracer: TraceRecorder
    names: Callable[[str], str]
    facts: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    clients: list[ChatSocketClient] = field(default_factory=list)

    def check(self, text: str, passed: bool) -> bool:
        self.checks.append(Check(text, bool(passed)))
        return bool(passed)

    def label(self, index: int) -> str:
        return f"Chat server {self.servers.ids[index]}"

    async def client(self, who: str, server: int | None, *, connect: bool = True) -> ChatSocketClient:
        order = self.servers.urls if not server else self.servers.urls[server:] + self.servers.urls[:server]
        c = ChatSocketClient(self.names(who), order, timeout=WAIT)
        self.clients.append(c)
        await c.login()
        if connect:
            self.tracer.arrow(f"Client {who}", self.label(server or 0), "WebSocket /v1/ws?token=…")
            await c.connect()
            self.tracer.arrow(self.label(server or 0), f"Client {who}", f"hello (on {c.server_id})", reply=True)
        return c

    async def metrics(self) -> dict[str, Any]:
        """The servers' part counters, summed (embedded: both report the same shared parts)."""
        import httpx

        urls = self.servers.urls[:1] if self.servers.shared_parts else self.servers.urls
        total: dict[str, float] = {}
        async with httpx.AsyncClient(timeout=5) as http:
            for url in urls:
                try:
                    m = (await http.get(url + "/metrics", params={"format": "json"})).json()
                except httpx.HTTPError:
                    continue  # a drained server
                parts = m["parts"]
                for key, value in (("lookups", parts["registry"]["lookup_calls"]), ("bus", parts["bus"]["published"]),
                                   ("push", parts["push"]["notifications"] or 0), ("sent", m["messages_total"])):
                    total[key] = total.get(key, 0) + value
        return total


async def _send(ctx: LiveContext, c: ChatSocketClient, who: str, text: str, **to: Any) -> dict[str, Any]:
    shown = text if len(text) <= 32 else text[:31] + "…"
    ctx.tracer.arrow(f"Client {who}", f"Chat server {c.server_id}", f'send "{shown}"')
    ack = await c.send(text, **to)
    ctx.tracer.arrow(f"Chat server {c.server_id}", f"Client {who}", f"ack {ack['message_id']}", reply=True)
    return ack


async def _arrives(ctx: LiveContext, c: ChatSocketClient, who: str, channel: str, message_id: int) -> float:
    started = time.perf_counter()
    await c.wait_for(lambda: c.state.has(channel, message_id), WAIT, f"message {message_id}")
    ctx.tracer.arrow(f"Chat server {c.server_id}", f"Client {who}", f"message {message_id}")
    return (time.perf_counter() - started) * 1000


async def delivery(ctx: LiveContext) -> None:
    alice, bob = await ctx.client("alice", 0), await ctx.client("bob", 1)
    started = time.perf_counter()
    ack = await _send(ctx, alice, "alice", "Hi Bob, are you there?", to=bob.user_id)
    ack_ms = (time.perf_counter() - started) * 1000
    await _arrives(ctx, bob, "bob", ack["channel_id"], ack["message_id"])
    delivered_ms = (time.perf_counter() - started) * 1000
    await bob.ping()  # bob's `delivered` frame has been handled
    ctx.tracer.arrow("Client bob", f"Chat server {bob.server_id}", f"delivered {ack['message_id']}")
    ctx.check("alice and bob are on different servers", alice.server_id != bob.server_id)
    ctx.check("bob got the message once", bob.state.count() == 1)
    ctx.facts.update(servers=[alice.server_id, bob.server_id], message_id=ack["message_id"],
                     ack_ms=round(ack_ms, 2), delivered_ms=round(delivered_ms, 2))


async def offline(ctx: LiveContext) -> None:
    alice = await ctx.client("alice", 0)
    bob = await ctx.client("bob", 1, connect=False)
    before = await ctx.metrics()
    ack = await _send(ctx, alice, "alice", "Call me when you land", to=bob.user_id)
    after = await ctx.metrics()
    ctx.tracer.note(ctx.label(0), "registry: bob has no session → push notification")
    pushed = after.get("push", 0) - before.get("push", 0)
    ctx.tracer.arrow("Client bob", ctx.label(1), "WebSocket + GET /v1/sync (cursors)")
    await bob.connect(1)
    got = bob.state.has(ack["channel_id"], ack["message_id"])
    ctx.tracer.arrow(ctx.label(1), "Client bob", f"sync: message {ack['message_id']}", reply=True)
    ctx.check("bob, offline, was sent a push notification", pushed == 1)
    ctx.check("bob got the message by sync when he came online", got)
    ctx.facts.update(push_notifications=int(pushed), synced=int(got))


async def group(ctx: LiveContext) -> None:
    members, online = 1000, 40
    clients = [await ctx.client(f"m{i}", i % 2) for i in range(online)]
    owner = clients[0]
    roster = [ctx.names(f"m{i}") for i in range(1, members)]
    ctx.tracer.arrow("Client m0", ctx.label(0), f"POST /v1/groups ({members:,} members)")
    channel = (await owner.create_group("everyone", roster))["channel_id"]
    before = await ctx.metrics()
    ack = await _send(ctx, owner, "m0", "All hands at 3pm", channel_id=channel)
    for c in clients[1:]:
        await c.wait_for(partial(c.state.has, channel, ack["message_id"]), WAIT, "the group message")
    ctx.tracer.note("Fan-out", f"{online - 1} online members got it on 2 servers; the rest were pushed")
    after = None
    for _ in range(100):  # the push of the offline members follows the live delivery
        after = await ctx.metrics()
        if after.get("push", 0) - before.get("push", 0) >= members - online:
            break
        await asyncio.sleep(0.05)
    assert after is not None
    facts = {k: int(after.get(k, 0) - before.get(k, 0)) for k in ("lookups", "bus", "push")}
    ctx.check("every online member got it", all(c.state.has(channel, ack["message_id"]) for c in clients))
    ctx.check("one bus message per server, not per member", facts["bus"] <= 2)
    ctx.check("every offline member was pushed", facts["push"] == members - online)
    ctx.facts.update(members=members, servers=2, online=online, registry_lookups=facts["lookups"],
                     bus_messages=facts["bus"], push_notifications=facts["push"])


async def typing(ctx: LiveContext) -> None:
    alice, bob, carol = await ctx.client("alice", 0), await ctx.client("bob", 1), await ctx.client("carol", 1)
    channel = (await alice.create_group("design review", [bob.user_id, carol.user_id]))["channel_id"]
    ctx.tracer.arrow("Client bob", ctx.label(1), "enter_room")
    await bob.enter_room(channel)
    await bob.ping()
    for _ in range(3):
        ctx.tracer.arrow("Client alice", ctx.label(0), "typing")
        await alice.typing(channel)
    await bob.wait_for(lambda: bool(bob.typing_events), WAIT, "the indicator")
    ctx.tracer.arrow(ctx.label(1), "Client bob", "typing alice (room open)")
    await alice.ping()
    await carol.ping()
    await asyncio.sleep(0.05)
    ctx.check("bob, with the room open, saw alice typing", len(bob.typing_events) == 1)
    ctx.check("the sender was throttled to one indicator per 5 s", len(bob.typing_events) == 1)
    ctx.check("carol, room closed, saw nothing", carol.typing_events == [])
    ctx.facts.update(keystroke_events=3, indicators_delivered=len(bob.typing_events), carol_saw=len(carol.typing_events))


async def ordering(ctx: LiveContext) -> None:
    a = [await ctx.client(f"a{i}", 0) for i in range(2)]
    b = [await ctx.client(f"b{i}", 1) for i in range(2)]
    everyone = a + b
    channel = (await a[0].create_group("ordering", [c.user_id for c in everyone[1:]]))["channel_id"]
    ctx.tracer.note("Clients", "4 clients on 2 servers send 25 messages each, all at once")
    acks = await asyncio.gather(*(c.send(f"{c.user_id} #{i}", channel_id=channel) for c in everyone for i in range(25)))
    for c in everyone:
        await c.wait_for(partial(_holds, c, channel, 100), WAIT, "every message")
    views = [[m.message_id for m in c.state.timeline(channel)] for c in everyone]
    ids = sorted(x["message_id"] for x in acks)
    ctx.check("every client shows the same 100 messages in the same order", all(v == ids for v in views))
    ctx.check("message ids are unique", len(set(ids)) == len(ids))
    per_sender_ok = all(
        [int(m.text.rsplit("#", 1)[1]) for m in c.state.timeline(channel) if m.sender_id == s.user_id] == list(range(25))
        for c in everyone for s in everyone)
    ctx.check("each sender's messages appear in the order sent", per_sender_ok)
    ctx.facts.update(messages=len(ids), servers=2, ids_strictly_increasing=ids == sorted(set(ids)),
                     same_order_everywhere=all(v == ids for v in views),
                     id_scheme="per-channel INCR" if ctx.servers.engine == "redis" else "Snowflake")


async def media(ctx: LiveContext) -> None:
    import httpx

    alice, bob = await ctx.client("alice", 0), await ctx.client("bob", 1)
    refused = []
    for name, size, mime, head in (("setup.exe", 300_000, "image/png", b"MZ\x90\x00"),
                                   ("huge.png", 30 * 1024 * 1024, "image/png", b"\x89PNG")):
        try:
            await alice.request("POST", "/v1/media/uploads", json={"filename": name, "size": size, "mime_type": mime,
                                                                  "head_b64": base64.b64encode(head).decode()})
        except ServiceError as exc:
            refused.append(str(exc))
            ctx.tracer.arrow(ctx.label(0), "Client alice", f"refused: {name}", reply=True)
    size = 26 * 1024 * 1024 + 12_345
    video = (b"\x00\x00\x00\x18ftypmp42" + secrets.token_bytes(1024)) * (size // 1036 + 1)
    video = video[:size]
    ctx.tracer.arrow("Client alice", ctx.label(0), f"POST /v1/media/uploads (video, {size / 2**20:.1f} MB)")
    ticket = await alice.request("POST", "/v1/media/uploads", json={"filename": "clip.mp4", "size": size,
                                                                    "mime_type": "video/mp4"})
    ctx.tracer.arrow(ctx.label(0), "Client alice", f"multipart plan: {len(ticket['parts'])} presigned parts", reply=True)
    retried = 0
    async with httpx.AsyncClient(timeout=30) as http:
        for part in ticket["parts"]:
            chunk = video[part["offset"] : part["offset"] + part["size"]]
            if part["number"] == 2:  # a dropped connection: this part alone is sent again
                response = await http.put(alice.base_url + part["url"], content=chunk[:-1])
                ctx.tracer.arrow("Client alice", "Object store", f"PUT part 2 → {response.status_code} (truncated)")
                retried += 1
            response = await http.put(alice.base_url + part["url"], content=chunk)
            response.raise_for_status()
        ctx.tracer.arrow("Client alice", "Object store", f"PUT {len(ticket['parts'])} parts (5 MB each)")
    done = await alice.request("POST", f"/v1/media/uploads/{ticket['upload_id']}/complete")
    ack = await _send(ctx, alice, "alice", done["message_text"], to=bob.user_id)
    await _arrives(ctx, bob, "bob", ack["channel_id"], ack["message_id"])
    meta = json.loads(bob.state.timeline(ack["channel_id"])[-1].text)
    ctx.check("an executable and an oversize image were refused", len(refused) == 2)
    ctx.check("the video was stored whole", done["size"] == size)
    ctx.check("bob got the metadata, not the bytes", meta["size"] == size and len(done["message_text"]) < 1000)
    ctx.facts.update(parts=len(ticket["parts"]), retried_parts=retried, refused=refused, bytes=size,
                     metadata_bytes=len(done["message_text"]))


async def sync(ctx: LiveContext) -> None:
    alice, carol = await ctx.client("alice", 0), await ctx.client("carol", 0)
    bob = await ctx.client("bob", 1)
    team = (await alice.create_group("team", [bob.user_id, carol.user_id]))["channel_id"]
    await _send(ctx, alice, "alice", "before the flight", to=bob.user_id)
    await bob.wait_for(lambda: bob.state.count() == 1, WAIT, "the first message")
    ctx.tracer.arrow("Client bob", ctx.label(1), "disconnect (boarding)")
    await bob._drop()  # the phone goes into flight mode
    missed = 0
    for i in range(6):
        await (alice.send(f"dm {i}", to=bob.user_id) if i % 2 else carol.send(f"team {i}", channel_id=team))
        missed += 1
    ctx.tracer.note("Clients", f"{missed} messages in 2 channels while bob is in the air")
    before = bob.state.count()
    cursors = bob.state.cursors()
    ctx.tracer.arrow("Client bob", ctx.label(0), f"GET /v1/sync?cursors={json.dumps(cursors)[:40]}…")
    await bob.connect(0)  # lands and reconnects — to the other server
    fetched = bob.state.count() - before
    ctx.tracer.arrow(ctx.label(0), "Client bob", f"{fetched} missed messages", reply=True)
    ctx.check("bob got exactly what he missed", fetched == missed)
    ctx.check("nothing twice", len({(m.channel_id, m.message_id) for ch in bob.state.channels()
                                    for m in bob.state.timeline(ch)}) == bob.state.count())
    ctx.facts.update(missed=missed, fetched=fetched, duplicates=bob.state.duplicates_dropped,
                     channels=len(bob.state.channels()), reconnected_to=bob.server_id)


async def drain(ctx: LiveContext) -> None:
    a = [await ctx.client(f"a{i}", 0) for i in range(3)]
    bob = await ctx.client("bob", 1)
    acks = [await c.send("before", to=bob.user_id) for c in a]
    ctx.tracer.arrow("Operator", ctx.label(0), "SIGTERM (drain)")
    await ctx.servers.drain_first()
    for c in a:
        await c.wait_for(partial(_told_to_move, c), WAIT, "the reconnect frame")
    ctx.tracer.arrow(ctx.label(0), "Clients a0-a2", "reconnect (server draining), close 1012", reply=True)
    for c in a:
        acks.append(await c.send_reliably("after", to=bob.user_id))
    ctx.tracer.arrow("Clients a0-a2", ctx.label(1), "reconnect, sync, send")
    for ack in acks:
        await bob.wait_for(partial(bob.state.has, ack["channel_id"], ack["message_id"]), WAIT, "every message")
    ctx.check("every client was told to reconnect", all(c.reconnect_requests == 1 for c in a))
    ctx.check("they all moved to the other server", all(c.server_id == ctx.servers.ids[1] for c in a))
    ctx.check("nothing acknowledged was lost", all(bob.state.has(x["channel_id"], x["message_id"]) for x in acks))
    ctx.facts.update(clients_moved=len(a), reconnect_frames=sum(c.reconnect_requests for c in a),
                     acknowledged=len(acks), lost=sum(not bob.state.has(x["channel_id"], x["message_id"]) for x in acks))


LIVE_SCENARIOS: dict[str, tuple[str, Callable[[LiveContext], Awaitable[None]]]] = {
    "delivery": ("Live: alice to bob across two real servers", delivery),
    "offline": ("Live: an offline recipient gets a push, then syncs", offline),
    "group": ("Live: a 1,000-member group, 40 online on two servers", group),
    "typing": ("Live: typing indicators over real sockets", typing),
    "ordering": ("Live: 100 messages from two servers, one order everywhere", ordering),
    "media": ("Live: policy refusals and a 26 MB video in presigned parts", media),
    "sync": ("Live: back from a flight, sync on the other server", sync),
    "drain": ("Live: a server drains; its clients move and lose nothing", drain),
}


def live_names(scenario: str) -> list[str]:
    if scenario == "all":
        return list(LIVE_SCENARIOS)
    if scenario not in LIVE_SCENARIOS:
        raise NotFoundError(f"no live demo scenario '{scenario}'", f"try one of: {', '.join(LIVE_SCENARIOS)}, or all")
    return [scenario]


async def run_live_async(names: list[str], *, redis_url: str | None = None,
                         listener: Callable[[TraceEvent], None] | None = None,
                         on_start: Callable[[str], None] | None = None) -> list[ScenarioResult]:
    """Run live scenarios, each on a fresh pair of servers (the drain one stops one of them)."""
    results = []
    for name in names:
        title, run = LIVE_SCENARIOS[name]
        if on_start is not None:
            on_start(name)
        tracer = TraceRecorder(_now_ms, listener)
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"interview-coach-live-{name}-") as tmp:
            servers = await (start_redis(redis_url, Path(tmp)) if redis_url else start_embedded(Path(tmp)))
            # A real redis may hold the users of an earlier run: there, names get a fresh suffix.
            naming: Callable[[str], str] = partial(_suffixed, suffix=f".{secrets.token_hex(2)}") if redis_url else str
            ctx = LiveContext(servers, tracer, naming)
            error = None
            try:
                await asyncio.wait_for(run(ctx), 60)
            except Exception as exc:  # a broken scenario reports, it does not crash the demo
                log.debug("live demo scenario %s failed", name, exc_info=True)
                error = f"{type(exc).__name__}: {exc}"
                ctx.checks.append(Check(f"the scenario ran to the end ({error})", False))
            finally:
                for c in ctx.clients:
                    await c.close()
                await servers.stop()
        ctx.facts.setdefault("engine", servers.engine)
        ok = bool(ctx.checks) and all(c.passed for c in ctx.checks)
        results.append(ScenarioResult(f"{name}", title, ok, ctx.facts, ctx.checks, tracer.events,
                                      time.monotonic() - started, error))
    return results


def run_live(names: list[str], **kwargs: Any) -> list[ScenarioResult]:
    return asyncio.run(run_live_async(names, **kwargs))
