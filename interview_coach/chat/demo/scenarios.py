"""The demo scenarios: the chapter's deep dives, run on the real components and measured.

Each scenario builds what it needs (an embedded `ChatCluster` in a throw-away folder, a Snowflake
node, a media service), drives it through one story while a `TraceRecorder` records who sent
what to whom, and ends with facts it measured and checks it made. A scenario is `ok` when every
check held. Nothing is printed here; the CLI renders the trace live through the listener.

Clocks: the trace is timed on the real monotonic clock. The chat's own clock is real too, except
where the story needs seconds or hours to pass (typing, the plane in sync): there a `FakeClock`
moves instead, and the trace says "simulated". Tests may hand every scenario a `FakeClock`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from interview_coach.chat.demo.clocks import OffsetClock
from interview_coach.chat.design.cluster import ChatCluster
from interview_coach.chat.design.errors import ClockDriftError, SignatureError, UploadRefused
from interview_coach.chat.design.ids import Snowflake, decode
from interview_coach.chat.design.media import LocalObjectStore, MediaService, MiB, UrlSigner, upload_parts
from interview_coach.chat.design.tracing import TraceEvent, TraceRecorder
from interview_coach.clock import Clock, FakeClock, SystemClock
from interview_coach.errors import NotFoundError

# A failed scenario is a failed check on screen; its traceback goes here (shown by `demo --debug`).
log = logging.getLogger(__name__)

_REAL = SystemClock()


def _timer() -> float:
    return _REAL.monotonic()


@dataclass(frozen=True)
class Check:
    text: str
    passed: bool


@dataclass
class ScenarioResult:
    name: str
    title: str
    ok: bool
    facts: dict[str, Any]
    checks: list[Check]
    events: list[TraceEvent]
    seconds: float
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "facts": self.facts}


@dataclass
class Context:
    tracer: TraceRecorder
    folder: Path
    clock: Clock | None  # None: each scenario picks (real, or fake where time must fly)
    facts: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    def chat_clock(self, *, fake: bool = False) -> Clock:
        if self.clock is not None:
            return self.clock
        return FakeClock() if fake else SystemClock()

    def check(self, text: str, passed: bool) -> bool:
        self.checks.append(Check(text, bool(passed)))
        return bool(passed)

    def note(self, actor: str, text: str) -> None:
        self.tracer.note(actor, text)


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    summary: str
    run: Callable[[Context], Awaitable[None]]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# ---------------------------------------------------------------------- delivery


async def delivery(ctx: Context) -> None:
    async with await ChatCluster.embedded(ctx.folder, servers=("A", "B"), clock=ctx.chat_clock(), tracer=ctx.tracer) as chat:
        alice = await chat.client("alice", "A")
        bob = await chat.client("bob", "B", timer=_timer)
        lookups, published = chat.registry.stats.lookup_calls, chat.bus.stats.published
        started = _timer()
        ack = await alice.send("Hi Bob! Lunch at noon?", to="bob")
        ack_s = _timer() - started
        await chat.settle()
        delivered_s = bob.received_at.get((ack.channel_id, ack.message_id), _timer()) - started
        await chat.persist.flush()
        stored = await chat.store.count(ack.channel_id)
        receipts = await chat.store.receipts_of("bob")
        parts = decode(ack.message_id)
        ctx.facts.update(
            sender_server="A",
            recipient_server="B",
            message_id=ack.message_id,
            id_node=parts.node,
            registry_lookups=chat.registry.stats.lookup_calls - lookups,
            bus_messages=chat.bus.stats.published - published,
            ack_ms=_ms(ack_s),
            delivery_ms=_ms(delivered_s),
            stored=stored == 1,
            delivery_receipt=receipts.get(ack.channel_id) == ack.message_id,
        )
        ctx.check("bob got the message exactly once", bob.live_frames[(ack.channel_id, ack.message_id)] == 1)
        ctx.check(
            "one registry lookup and one bus message", ctx.facts["registry_lookups"] == 1 and ctx.facts["bus_messages"] == 1
        )
        ctx.check("the message is in the store after the write-behind flush", stored == 1)
        ctx.check("bob's delivery receipt was recorded", ctx.facts["delivery_receipt"])

        # The same path a thousand times, untraced, one message at a time, for figures.
        bulk = 1_000
        latencies: list[float] = []
        with ctx.tracer.paused():
            began = _timer()
            for i in range(bulk):
                t0 = _timer()
                sent = await alice.send(f"message {i}", to="bob")
                await chat.bus.drain()
                latencies.append(bob.received_at[(sent.channel_id, sent.message_id)] - t0)
            took = _timer() - began
            await chat.persist.flush()
        timeline = bob.state.timeline(ack.channel_id)
        ids = [m.message_id for m in timeline]
        ctx.facts.update(
            bulk_messages=bulk,
            bulk_messages_per_s=round(bulk / took),
            bulk_p50_ms=_ms(_percentile(latencies, 50)),
            bulk_p99_ms=_ms(_percentile(latencies, 99)),
        )
        ctx.check("all 1,001 messages stored once", await chat.store.count(ack.channel_id) == bulk + 1)
        ctx.check(
            "bob has all 1,001, each once, in order",
            len(ids) == bulk + 1 and ids == sorted(set(ids)) and max(bob.live_frames.values()) == 1,
        )


# ---------------------------------------------------------------------- offline


async def offline(ctx: Context) -> None:
    async with await ChatCluster.embedded(ctx.folder, servers=("A", "B"), clock=ctx.chat_clock(), tracer=ctx.tracer) as chat:
        alice = await chat.client("alice", "A")
        bob = await chat.client("bob", "B")
        await bob.disconnect()
        ctx.note("Client bob", "phone switched off")
        published = chat.bus.stats.published
        b_delivered = chat.server("B").stats.delivered_live
        lookup = await chat.registry.lookup("bob")
        first = await alice.send("Are you still coming?", to="bob")
        second = await alice.send("Call me when you land", to="bob")
        await chat.settle()
        pushes = chat.push.for_user("bob")
        ctx.facts.update(
            registry_result=lookup,
            push_notifications=len(pushes),
            bus_messages=chat.bus.stats.published - published,
            server_b_bypassed=chat.server("B").stats.delivered_live == b_delivered,
        )
        ctx.note("Client bob", "back online")
        result = await bob.connect(chat.server("B"))
        got = [m.message_id for m in bob.state.timeline(first.channel_id)]
        ctx.facts["synced_on_reconnect"] = result.total if result else 0
        ctx.check("the registry had no session for bob", lookup is None)
        ctx.check("two push notifications were recorded", len(pushes) == 2)
        ctx.check(
            "nothing went over the bus; server B was bypassed",
            ctx.facts["bus_messages"] == 0 and ctx.facts["server_b_bypassed"],
        )
        ctx.check("on reconnect, sync brought both messages, in order", got == [first.message_id, second.message_id])


# ---------------------------------------------------------------------- group fan-out


GROUP_MEMBERS = 10_000
GROUP_SERVERS = ("A", "B", "C", "D")
GROUP_OFFLINE = 1_000


async def group(ctx: Context) -> None:
    async with await ChatCluster.embedded(
        ctx.folder, servers=GROUP_SERVERS, clock=ctx.chat_clock(), tracer=ctx.tracer, timer=_timer
    ) as chat:
        members = [f"user{i:05d}" for i in range(1, GROUP_MEMBERS + 1)]
        online = members[: GROUP_MEMBERS - GROUP_OFFLINE]
        clients = {}
        with ctx.tracer.paused():
            channel = await chat.groups.create_group("All hands", members, channel_id="group:all-hands")
            for i, user in enumerate(online):
                clients[user] = await chat.client(user, GROUP_SERVERS[i % len(GROUP_SERVERS)], sync=False)
        ctx.note("Group service", f"{GROUP_MEMBERS:,} members; {len(online):,} online over {len(GROUP_SERVERS)} servers")
        sender = clients[online[0]]
        lookups, keys = chat.registry.stats.lookup_calls, chat.registry.stats.keys_looked_up
        published = chat.bus.stats.published
        pushed = len(chat.push.notifications)
        started = _timer()
        ack = await sender.send("Release 2.0 ships today 🎉", channel_id=channel.channel_id)
        ack_s = _timer() - started
        await chat.settle()
        fanout_s = _timer() - started
        report = chat.fanout.reports[-1]
        got = sum(1 for c in clients.values() if c.live_frames.get((ack.channel_id, ack.message_id)) == 1)
        twice = sum(1 for c in clients.values() if c.live_frames.get((ack.channel_id, ack.message_id), 0) > 1)
        ctx.facts.update(
            members=GROUP_MEMBERS,
            servers=len(GROUP_SERVERS),
            online=len(online),
            registry_lookups=chat.registry.stats.lookup_calls - lookups,
            keys_looked_up=chat.registry.stats.keys_looked_up - keys,
            bus_messages=chat.bus.stats.published - published,
            delivered=got,
            push_notifications=len(chat.push.notifications) - pushed,
            recipients_by_server=dict(sorted(report.by_server.items())),
            ack_ms=_ms(ack_s),
            fanout_ms=_ms(fanout_s),
        )
        ctx.check("one batched registry lookup for the whole roster", ctx.facts["registry_lookups"] == 1)
        ctx.check("one bus message per server, not per member", ctx.facts["bus_messages"] == len(GROUP_SERVERS))
        ctx.check(f"all {len(online) - 1:,} online members got it once", got == len(online) - 1 and twice == 0)
        ctx.check(f"{GROUP_OFFLINE:,} offline members were pushed", ctx.facts["push_notifications"] == GROUP_OFFLINE)
        ctx.check("the sender was acknowledged before the fan-out finished", ack_s < fanout_s)


# ---------------------------------------------------------------------- typing


async def typing(ctx: Context) -> None:
    clock = ctx.clock if isinstance(ctx.clock, FakeClock) else FakeClock()
    async with await ChatCluster.embedded(ctx.folder, servers=("A", "B"), clock=clock, tracer=ctx.tracer) as chat:
        open_room = {"bob": "A", "carol": "B", "dave": "B"}
        idle = {"erin": "A", "frank": "B", "grace": "B", "heidi": "A"}
        with ctx.tracer.paused():
            room = await chat.groups.create_group("Design review", ["alice", *open_room, *idle], channel_id="group:design-review")
            alice = await chat.client("alice", "A", sync=False)
            clients = {u: await chat.client(u, s, sync=False) for u, s in {**open_room, **idle}.items()}
        alice_room = room.channel_id
        await alice.enter_room(alice_room)
        for user in open_room:
            await clients[user].enter_room(alice_room)
        puts, stored = chat.persist.stats.puts, await chat.store.count()
        keystrokes = 25  # one every 0.5 s for 12 s
        published = 0
        quiet: list[float] = []  # times of throttled keystrokes since the last indicator

        def report_quiet() -> None:
            if quiet:
                ctx.note("Chat server A", f"{len(quiet)} keystrokes at t=+{quiet[0]:.1f}…{quiet[-1]:.1f} s throttled")
                quiet.clear()

        for i in range(keystrokes):
            with ctx.tracer.paused():  # traced below, after the fact, so throttled ones stay quiet
                sent = await alice.typing(alice_room)
            if sent:
                published += 1
                report_quiet()
                ctx.note("Client alice", f"t=+{i * 0.5:.1f} s (simulated)")
                ctx.tracer.arrow("Client alice", "Chat server A", "typing")
                ctx.tracer.arrow("Chat server A", "Bus", f"publish room:{alice_room}:typing (not stored)")
            else:
                quiet.append(i * 0.5)
            await chat.settle()
            clock.advance(0.5)
        report_quiet()
        # Now t = 12.5 s; the last indicator left at t = 10 s.
        seen_by = {u: c.typing_view.received for u, c in clients.items()}
        clock.advance(3.0)  # t = 15.5: within 6 s of the last refresh
        visible = clients["bob"].typing_view.is_typing(alice_room, "alice")
        clock.advance(1.0)  # t = 16.5: past it
        expired = not clients["bob"].typing_view.is_typing(alice_room, "alice")
        ctx.note(
            "Client bob", f"t=+15.5 s: dots {'shown' if visible else 'gone'}; t=+16.5 s: {'faded' if expired else 'still shown'}"
        )
        ctx.facts.update(
            keystrokes=keystrokes,
            indicators_published=published,
            throttled=keystrokes - published,
            room_open_receivers=len(open_room),
            idle_members_skipped=len(idle),
            indicator_frames_delivered=sum(seen_by.values()),
            stored=await chat.store.count() - stored,
            queued=chat.persist.stats.puts - puts,
            throttle_s=chat.server("A").throttle.interval,
            expiry_s=clients["bob"].typing_view.expiry,
            visible_at_15_5_s=visible,
            expired_at_16_5_s=expired,
        )
        ctx.check("the sender was throttled to one indicator per 5 s (t=0, 5, 10)", published == 3)
        ctx.check(
            "only members with the room open got indicators",
            all(seen_by[u] == 3 for u in open_room) and all(seen_by[u] == 0 for u in idle),
        )
        ctx.check("nothing was stored or queued", ctx.facts["stored"] == 0 and ctx.facts["queued"] == 0)
        ctx.check("the receiver's indicator faded 6 s after the last refresh", visible and expired)


# ---------------------------------------------------------------------- ordering


async def ordering(ctx: Context) -> None:
    base = ctx.chat_clock()
    clock = OffsetClock(base)
    node = Snowflake(7, clock, max_drift_ms=1_000)
    ctx.tracer.arrow("Chat server (node 7)", "Snowflake generator", "3 ids, then NTP steps the clock back 15 ms")
    # Nothing between the last id and the step: the wait should be the whole 15 ms.
    ids = [node.next_id() for _ in range(3)]
    clock.step(-0.015)
    mono = base.monotonic()
    ids += [node.next_id() for _ in range(3)]
    blocked_ms = (base.monotonic() - mono) * 1000
    waited_ms = node.stats.backward_waited_ms
    behind_ms = node.stats.largest_backward_ms  # the step less what time passed before the next id
    ctx.tracer.arrow(
        "Snowflake generator", "Chat server (node 7)", f"blocked {waited_ms:.1f} ms until the clock caught up", reply=True
    )
    increasing = all(a < b for a, b in pairwise(ids))

    clock.step(-2.0)
    ctx.note("Chat server (node 7)", "the clock jumps back 2 s (over the 1 s limit)")
    try:
        node.next_id()
        refused = False
        refusal = ""
    except ClockDriftError as exc:
        refused = True
        refusal = exc.message
        ctx.tracer.arrow("Snowflake generator", "Chat server (node 7)", "refused: ClockDriftError", reply=True)
    clock.step(2.0)

    burst = node.next_ids(10_000)
    ctx.tracer.arrow("Chat server (node 7)", "Snowflake generator", "next_ids(10,000)")
    ctx.tracer.arrow(
        "Snowflake generator",
        "Chat server (node 7)",
        f"10,000 ids; waited for the next ms {node.stats.exhausted_waits} times",
        reply=True,
    )
    burst_ok = all(a < b for a, b in pairwise(burst)) and burst[0] > ids[-1]
    burst_ms = len({decode(i).timestamp_ms for i in burst})  # 10,000 ids need at least 3 ms of 4,096

    # Two servers whose clocks disagree by 15 ms: what each id scheme does to a conversation.
    # Simulated time, so the reply always comes 1 ms after the question however busy the machine.
    order: dict[str, bool] = {}
    for scheme in ("snowflake", "counter"):
        sim = FakeClock(start=_REAL.now())
        fast = OffsetClock(sim, 0.015)  # server A runs 15 ms ahead
        async with await ChatCluster.embedded(
            ctx.folder / scheme, servers=("A", "B"), clock=sim, server_clocks={"A": fast}, ids=scheme
        ) as chat:
            alice = await chat.client("alice", "A")
            bob = await chat.client("bob", "B")
            first = await alice.send("Shall we ship?", to="bob")
            await chat.settle()
            sim.advance(0.001)
            reply = await bob.send("Yes, ship it", to="alice")
            await chat.settle()
            order[scheme] = reply.message_id > first.message_id
            ctx.tracer.note(
                f"Ids: {scheme}",
                f"server A 15 ms ahead, reply 1 ms later: it sorts {'after' if order[scheme] else 'BEFORE'} the question",
            )

    ctx.facts.update(
        clock_moved_back_ms=15,
        behind_ms=behind_ms,
        waited_ms=round(waited_ms, 3),
        blocked_ms=round(blocked_ms, 3),
        ids_strictly_increasing=increasing and burst_ok,
        backward_waits=node.stats.backward_waits,
        beyond_max_drift_refused=refused,
        beyond_max_drift_error=refusal,
        burst_ids=len(burst),
        burst_milliseconds=burst_ms,
        sequence_exhausted_waits=node.stats.exhausted_waits,
        skewed_servers_snowflake_order_kept=order["snowflake"],
        skewed_servers_counter_order_kept=order["counter"],
    )
    ctx.check("ids strictly increased across the 15 ms step back", increasing)
    ctx.check(
        "the generator blocked until the clock caught up (about 15 ms)",
        0 < behind_ms <= 15 and waited_ms >= behind_ms - 1 and node.stats.backward_waits >= 1,
    )
    ctx.check("a step back past max_drift_ms was refused with a clear error", refused)
    ctx.check(
        "a 10,000-id burst waited for fresh milliseconds (4,096 ids each) and stayed increasing",
        burst_ok and burst_ms >= 3 and node.stats.exhausted_waits >= 1,
    )
    ctx.check("with skewed servers, Snowflake order follows the clocks (the chapter's hazard)", not order["snowflake"])
    ctx.check("per-channel counters keep the conversation's order regardless", order["counter"])


# ---------------------------------------------------------------------- media


def _size(n: int) -> str:
    if n >= MiB:
        return f"{n / MiB:.0f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def _video_bytes(size: int) -> bytes:
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    body = bytes(range(256)) * (size // 256 + 1)
    return (head + body)[:size]


async def media(ctx: Context) -> None:
    base = ctx.chat_clock()
    clock = OffsetClock(base)
    objects = LocalObjectStore(ctx.folder / "objects")
    service = MediaService(objects, UrlSigner(b"demo-secret-0123456789abcdef", clock), clock)
    T = ctx.tracer
    gw = "Upload gateway"

    # 1. The policy, before any byte moves.
    attempts = [
        ("holiday.png", 30 * MiB, "image/png", b"\x89PNG\r\n\x1a\n"),
        ("invoice.pdf", 200_000, "application/pdf", b"MZ\x90\x00\x03\x00"),
        ("cat.jpg", 80_000, "image/jpeg", b"\x7fELF\x02\x01\x01"),
        ("notes.txt", 300, "text/plain", b"#!/bin/sh\nrm -rf"),
        ("tool.bin", 4_000, "image/gif", b"\xcf\xfa\xed\xfe\x07\x00"),
        ("archive.zip", 1_000, "application/zip", b"PK\x03\x04"),
    ]
    refused = []
    for name, size, mime, head in attempts:
        T.arrow("Client alice", gw, f"may I upload {name}? ({_size(size)}, {mime})")
        try:
            service.begin_upload("alice", name, size, mime, head)
        except UploadRefused as exc:
            refused.append(exc.reason)
            T.arrow(gw, "Client alice", f"refused: {exc.reason}", reply=True)

    # 2. A presigned URL: used as given, tampered with, used late.
    photo = b"\xff\xd8\xff\xe0" + bytes(2 * MiB - 4)
    ticket = service.begin_upload("alice", "photo.jpg", len(photo), "image/jpeg", photo[:16])
    T.arrow(gw, "Client alice", f"presigned PUT URL, valid {ticket.expires_in} s", reply=True)
    tampered_url = ticket.url.replace(f"size={len(photo)}", f"size={len(photo) * 50}")  # type: ignore[union-attr]
    try:
        await service.receive_put(tampered_url, photo)
        tampered_refused = False
    except SignatureError:
        tampered_refused = True
        T.arrow("Client alice", "Object store", "PUT with a changed size= → refused (signature)")
    info = await service.receive_put(ticket.url, photo)  # type: ignore[arg-type]
    T.arrow("Client alice", "Object store", f"PUT photo.jpg ({len(photo) / MiB:.0f} MB) → 200 OK")
    late = service.begin_upload("alice", "late.jpg", len(photo), "image/jpeg", photo[:16])
    clock.step(late.expires_in + 1)
    try:
        await service.receive_put(late.url, photo)  # type: ignore[arg-type]
        expired_refused = False
    except SignatureError:
        expired_refused = True
        T.arrow("Client alice", "Object store", f"PUT {late.expires_in + 1} s later → refused (expired)")
    clock.step(-(late.expires_in + 1))
    lying = service.begin_upload("alice", "song.mp3", 1_000, "audio/mpeg")  # no first bytes given at the handshake
    try:
        await service.receive_put(lying.url, b"MZ" + bytes(998))  # type: ignore[arg-type]
        sniffed_on_arrival = False
    except UploadRefused as exc:
        sniffed_on_arrival = True
        refused.append(exc.reason)
        T.arrow("Client alice", "Object store", "PUT song.mp3 whose bytes start MZ → refused on arrival")

    # 3. A 60 MB video in 5 MB parts; part 7 drops once on a bad network and is retried alone.
    video = _video_bytes(60 * MiB)
    plan = service.begin_upload("alice", "keynote.mp4", len(video), "video/mp4", video[:16])
    T.arrow(gw, "Client alice", f"multipart plan: {len(plan.parts)} parts of 5 MB, one URL each", reply=True)
    failed_once: set[int] = set()
    attempts_log: list[tuple[int, int, bool]] = []

    async def flaky(url: str, body: bytes | memoryview) -> tuple[int, str]:
        number = int(dict(p.split("=", 1) for p in url.split("?", 1)[1].split("&"))["part"])
        if number == 7 and number not in failed_once:
            failed_once.add(number)
            await asyncio.sleep(0)
            raise ConnectionResetError("connection reset by peer (cellular drop)")
        return await service.receive_part(url, body)

    def on_attempt(number: int, attempt: int, error: BaseException | None) -> None:
        attempts_log.append((number, attempt, error is None))
        if error is not None:
            T.arrow("Client alice", "Object store", f"part {number} failed: {error}")
        elif attempt > 1:
            T.arrow("Client alice", "Object store", f"part {number} retried alone → 200 OK")

    T.arrow("Client alice", "Object store", "PUT the 12 parts, 4 at a time, each to its own URL")
    started = _timer()
    results = await upload_parts(plan, video, flaky, concurrency=4, on_attempt=on_attempt)
    stored = await service.complete(plan.upload_id)  # type: ignore[arg-type]
    upload_s = _timer() - started
    T.arrow("Client alice", "Object store", f"complete upload → {stored.size / MiB:.0f} MB object")
    retried = sorted({n for n, attempt, _ in attempts_log if attempt > 1})
    import hashlib

    intact = stored.sha256 == hashlib.sha256(video).hexdigest()

    # 4. The small metadata message over the chat.
    async with await ChatCluster.embedded(ctx.folder / "chat", servers=("A", "B"), clock=base, tracer=T) as chat:
        alice = await chat.client("alice", "A")
        bob = await chat.client("bob", "B")
        text = service.metadata_text(stored, "video/mp4", "keynote.mp4", duration_s=312)
        ack = await alice.send(text, to="bob", kind="media")
        await chat.settle()
        got = bob.state.timeline(ack.channel_id)
        meta_ok = bool(got) and got[-1].kind == "media" and json.loads(got[-1].text)["object_key"] == stored.key

    ctx.facts.update(
        refused=refused,
        presigned_tampered_refused=tampered_refused,
        presigned_expired_refused=expired_refused,
        executable_sniffed_on_arrival=sniffed_on_arrival,
        photo_bytes=info.size,
        video_bytes=stored.size,
        parts=len(plan.parts),
        part_bytes=plan.parts[0].size,
        retried_parts=len(retried),
        retried_part_numbers=retried,
        part_attempts=len(attempts_log),
        upload_ms=_ms(upload_s),
        object_intact=intact,
        metadata_message_bytes=len(text.encode()),
    )
    ctx.check("six files refused before upload: too big, four executables, a disallowed type", len(refused) >= 6)
    ctx.check("an executable was caught by its bytes on arrival, whatever its declared type", sniffed_on_arrival)
    ctx.check("a tampered URL was refused", tampered_refused)
    ctx.check("a URL used after its expiry was refused", expired_refused)
    ctx.check(
        "60 MB went up in 12 parts; only part 7 was retried", len(plan.parts) == 12 and retried == [7] and len(results) == 12
    )
    ctx.check("the stored object is byte-for-byte the video", intact and stored.size == 60 * MiB)
    ctx.check("a small metadata message reached bob over the chat", meta_ok)


# ---------------------------------------------------------------------- sync


async def sync(ctx: Context) -> None:
    clock = ctx.clock if isinstance(ctx.clock, FakeClock) else FakeClock(start=_REAL.now())
    async with await ChatCluster.embedded(ctx.folder, servers=("A", "B"), clock=clock, tracer=ctx.tracer) as chat:
        with ctx.tracer.paused():
            alice = await chat.client("alice", "A")
            carol = await chat.client("carol", "A")
            dave = await chat.client("dave", "B")
            bob = await chat.client("bob", "B")
            team = await chat.groups.create_group("Team", ["alice", "bob", "carol", "dave"], channel_id="group:team")
            for i in range(2):  # some history bob has already seen
                await alice.send(f"morning {i}", to="bob")
                await carol.send(f"coffee? {i}", to="bob")
                await dave.send(f"standup notes {i}", channel_id=team.channel_id)
                await chat.pass_time(60)
            await chat.settle()
        before = bob.state.cursors()
        ctx.note("Client bob", f"boards a plane with cursors for {len(before)} channels")
        await bob.disconnect()
        pushed = len(chat.push.notifications)
        missed_ids: set[int] = set()
        with ctx.tracer.paused():
            for i in range(4):
                missed_ids.add((await alice.send(f"flight ok? {i}", to="bob")).message_id)
                await chat.pass_time(1800)
            for i in range(3):
                ack = await carol.send(f"photos from the trip {i}", to="bob")
                missed_ids.add(ack.message_id)
                if i == 1:  # carol's phone retries a send whose ack it lost
                    retry = await carol.send(f"photos from the trip {i}", to="bob", client_msg_id=ack.client_msg_id)
                await chat.pass_time(1200)
            for i in range(6):
                sender = (alice, carol, dave)[i % 3]
                missed_ids.add((await sender.send(f"release plan {i}", channel_id=team.channel_id)).message_id)
                await chat.pass_time(900)
            trip = await chat.groups.create_group("Trip", ["alice", "bob", "carol"], channel_id="group:trip")
            for i in range(2):
                missed_ids.add((await alice.send(f"trip idea {i}", channel_id=trip.channel_id)).message_id)
            await chat.settle()
        ctx.note("Client bob", "lands 5 h later and reconnects")
        dropped = bob.state.duplicates_dropped
        had = bob.state.count()
        result = await bob.connect(chat.server("B"))
        assert result is not None
        fetched = bob.state.count() - had
        got_ids = {m.message_id for c in bob.state.channels() for m in bob.state.timeline(c)}
        in_order = all(
            [m.message_id for m in bob.state.timeline(c)] == sorted(m.message_id for m in bob.state.timeline(c))
            for c in bob.state.channels()
        )
        # The conversation list is read from the store, which the write-behind queue fills in
        # the background; flush it so the listing does not depend on how busy the machine is.
        await chat.persist.flush()
        page1 = await chat.sync.conversations("bob", limit=2)
        page2 = await chat.sync.conversations("bob", limit=2, cursor=page1.next_cursor)
        stored_once = (await chat.store.find_client_message(retry.channel_id, "carol", retry.client_msg_id)) is not None or (
            await chat.persist.find_client_message(retry.channel_id, "carol", retry.client_msg_id)
        ) is not None
        ctx.facts.update(
            channels=len(before),
            new_channels=sum(1 for d in result.channels.values() if d.new),
            missed=len(missed_ids),
            fetched=fetched,
            duplicates=bob.state.duplicates_dropped - dropped,
            range_scans=len(result.channels),
            in_order=in_order,
            retried_send_stored_once=retry.duplicate and stored_once,
            push_notifications=len(chat.push.notifications) - pushed,
            conversations_page_1=[c.channel_id for c in page1.conversations],
            conversations_page_2=[c.channel_id for c in page2.conversations],
        )
        ctx.check("sync returned exactly the missed messages", missed_ids <= got_ids and fetched == len(missed_ids))
        ctx.check("no message came twice", ctx.facts["duplicates"] == 0)
        ctx.check("each channel is in id order", in_order)
        ctx.check("the retried send was stored once and acknowledged with the first id", ctx.facts["retried_send_stored_once"])
        ctx.check(
            "conversations page by keyset, most recent first",
            page1.has_more
            and page1.conversations[0].channel_id == "group:trip"
            and len(page1.conversations) + len(page2.conversations) == 4,
        )


# ---------------------------------------------------------------------- the catalogue


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("delivery", "Client A to client B across two chat servers",
                 "send → id → journal → registry → bus → deliver → ack, then 1,000 more for figures", delivery),
        Scenario("offline", "An offline recipient: push instead of delivery",
                 "registry returns null, server B is bypassed, push is recorded, sync catches up", offline),
        Scenario("group", "A 10,000-member group over 4 servers",
                 "one batched lookup, one bus message per server, offline members pushed", group),
        Scenario("typing", "Typing indicators in a busy room",
                 "never stored; room filters; 5 s sender throttle; 6 s receiver fade", typing),
        Scenario("ordering", "Ordering when a clock moves back 15 ms",
                 "Snowflake waits out the step, refuses a big one, and what skew between servers does", ordering),
        Scenario("media", "Media: policy, presigned URLs, 60 MB in 12 parts",
                 "refusals by size, type and first bytes; tamper and expiry; one part retried alone", media),
        Scenario("sync", "Back from a flight: sync with per-channel cursors",
                 "only the missed messages of each channel, in order, nothing twice", sync),
    )
}


def scenario_names() -> list[str]:
    return list(SCENARIOS)


def get_scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise NotFoundError(
            f"no demo scenario '{name}'", f"try one of: {', '.join(SCENARIOS)}, or all"
        ) from None


async def run_scenario_async(
    name: str,
    *,
    listener: Callable[[TraceEvent], None] | None = None,
    clock: Clock | None = None,
    folder: Path | None = None,
) -> ScenarioResult:
    """Run one scenario in a throw-away folder (or `folder`); failures become `ok: false`."""
    scenario = get_scenario(name)
    tracer = TraceRecorder(lambda: _timer() * 1000, listener)
    started = _timer()
    with tempfile.TemporaryDirectory(prefix=f"interview-coach-demo-{name}-") as tmp:
        ctx = Context(tracer, Path(folder or tmp), clock)
        error = None
        try:
            await scenario.run(ctx)
        except Exception as exc:  # a scenario that breaks reports it instead of a traceback
            log.debug("demo scenario %s failed", name, exc_info=True)
            error = f"{type(exc).__name__}: {exc}"
            ctx.checks.append(Check(f"the scenario ran to the end ({error})", False))
    ok = bool(ctx.checks) and all(c.passed for c in ctx.checks)
    return ScenarioResult(name, scenario.title, ok, ctx.facts, ctx.checks, tracer.events, _timer() - started, error)


def run_scenario(name: str, **kwargs: Any) -> ScenarioResult:
    return asyncio.run(run_scenario_async(name, **kwargs))


def summary_of(results: list[ScenarioResult]) -> dict[str, Any]:
    return {"scenarios": [r.to_dict() for r in results]}
