"""The chat server: connected clients, and send → id → journal → route → deliver → ack.

One `ChatServer` is one box of the chapter's stateful chat tier. It holds the live connections
of its users and does, for a send:

1. checks the request and the sender's membership (group service);
2. answers a retry (same `client_msg_id`) with the first ack, without storing or delivering
   it again — it looks in the write-behind queue, then in the store;
3. gives the message an id (`IdSource`: Snowflake node or per-channel counter);
4. puts it on the write-behind queue, which journals it before returning (see writebehind.py
   for exactly what that guarantees);
5. routes it — a direct message inline (`Router`: one registry lookup, one bus envelope per
   server, push for the offline), a group message through the fan-out queue;
6. acknowledges the sender.

Another server's envelope arrives on the bus (`server:<id>` topic) and is handed to the local
connections named in it; a recipient that is gone by then is pushed instead. Recipients
acknowledge delivery (`delivered`), which becomes a receipt; what a client never acknowledged
it fetches again with its sync cursors (sync.py).

Sync or async? Async. Every dependency is an async protocol (a fleet puts Redis or a network
store behind them), the service of issue 8 runs on asyncio, and a WebSocket is async anyway.
The embedded implementations never block the loop on I/O that can take long: the store writes
on its own thread, journal appends are buffered writes to the OS. A Snowflake wait on a clock
that went back does block (bounded by `max_drift_ms`), on purpose: no id may be handed out
until the clock has caught up, and that includes every other coroutine of this node.

`Connection.send_frame` must not wait on a slow peer: a WebSocket front end queues frames per
connection, so one slow phone cannot hold up a 4,000-recipient envelope.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from interview_coach.chat.design.bus import Bus, Envelope, room_typing_topic, server_topic
from interview_coach.chat.design.errors import ChatError, ClientMessageExists
from interview_coach.chat.design.fanout import FanoutQueue, Router, server_label
from interview_coach.chat.design.groups import GroupService, check_channel_id, check_user_id, check_utf8
from interview_coach.chat.design.ids import IdSource
from interview_coach.chat.design.push import PushSink
from interview_coach.chat.design.registry import SessionRegistry
from interview_coach.chat.design.store import Message, MessageStore, Receipt
from interview_coach.chat.design.tracing import Tracer
from interview_coach.chat.design.typing_indicators import THROTTLE_S, RoomPresence, TypingThrottle
from interview_coach.chat.design.writebehind import PersistQueue
from interview_coach.clock import Clock

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 10_000
MAX_CLIENT_MSG_ID = 100
MAX_UNACKED_PER_USER = 10_000
MAX_MESSAGE_ID = (1 << 63) - 1  # a signed 64-bit integer: what every store can hold
KINDS = ("text", "media")


class Connection(Protocol):
    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Hand one frame to the client. Queue it; never wait for a slow peer."""
        ...


@dataclass(frozen=True)
class Ack:
    client_msg_id: str
    message_id: int
    channel_id: str
    created_ms: int
    duplicate: bool = False  # a retry: the first send's ack, nothing stored or delivered again

    def frame(self) -> dict[str, Any]:
        return {
            "type": "ack",
            "client_msg_id": self.client_msg_id,
            "message_id": self.message_id,
            "channel_id": self.channel_id,
            "created_ms": self.created_ms,
            "duplicate": self.duplicate,
        }


@dataclass
class ServerStats:
    sends: int = 0
    duplicates: int = 0
    delivered_live: int = 0  # frames handed to local connections
    pushed_stale: int = 0  # named in an envelope but gone by the time it arrived
    delivery_acks: int = 0
    typing_published: int = 0
    typing_throttled: int = 0
    typing_delivered: int = 0


def client_label(user_id: str) -> str:
    return f"Client {user_id}"


class ChatServer:
    def __init__(
        self,
        server_id: str,
        *,
        ids: IdSource | None,
        registry: SessionRegistry,
        bus: Bus,
        persist: PersistQueue,
        store: MessageStore,
        groups: GroupService,
        push: PushSink,
        fanout: FanoutQueue,
        clock: Clock,
        tracer: Tracer | None = None,
        typing_throttle_s: float = THROTTLE_S,
        timer: Callable[[], float] | None = None,
    ) -> None:
        self.server_id = server_id
        self.label = server_label(server_id)
        self.ids = ids
        self.registry = registry
        self.bus = bus
        self.persist = persist
        self.store = store
        self.groups = groups
        self.push = push
        self.fanout = fanout
        self.clock = clock
        self.tracer = tracer
        self.router = Router(registry, bus, push, tracer=tracer, timer=timer)
        self.presence = RoomPresence()
        self.throttle = TypingThrottle(clock, typing_throttle_s)
        self.stats = ServerStats()
        self._connections: dict[str, Connection] = {}
        # user -> (channel, message id) handed over and not acknowledged. Keyed by both: with
        # per-channel counters an id is unique only within its channel.
        self._unacked: dict[str, dict[tuple[str, int], None]] = {}
        self._traced: set[tuple[str, int]] = set()  # delivered to a few users: their acks get traced
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._running = False

    # ------------------------------------------------------------------ life cycle

    async def start(self, heartbeat_interval: float | None = None) -> None:
        await self.bus.subscribe(server_topic(self.server_id), self._on_envelope)
        self._running = True
        if heartbeat_interval:
            self._heartbeat_task = asyncio.get_running_loop().create_task(self._heartbeats(heartbeat_interval))

    async def stop(self, *, notify: bool = True) -> list[str]:
        """Drain: stop routing here, tell clients to reconnect elsewhere, drop their sessions."""
        self._running = False
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
        await self.bus.unsubscribe(server_topic(self.server_id), self._on_envelope)
        users = list(self._connections)
        for user in users:
            conn = self._connections.get(user)
            if notify and conn is not None:
                try:
                    await conn.send_frame({"type": "reconnect", "reason": "server draining"})
                except Exception:  # a connection that is already gone must not stop the drain
                    log.debug("reconnect notice to %s failed", user, exc_info=True)
            await self.disconnect(user)
        return users

    async def _heartbeats(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.heartbeat()

    async def heartbeat(self) -> None:
        """Refresh every local session's TTL in the registry, in one batch."""
        await self.registry.heartbeat(self.server_id, list(self._connections))

    # ------------------------------------------------------------------ connections

    @property
    def connected_users(self) -> list[str]:
        return list(self._connections)

    def is_connected(self, user_id: str) -> bool:
        return user_id in self._connections

    async def connect(self, user_id: str, conn: Connection) -> None:
        check_user_id(user_id)
        if not self._running:
            raise ChatError(f"chat server {self.server_id} is not accepting connections", "connect to another server")
        self._connections[user_id] = conn
        if self.tracer is not None:
            self.tracer.arrow(client_label(user_id), self.label, "connect (WebSocket)")
            self.tracer.arrow(self.label, "Session registry", f"register {user_id} → {self.server_id}")
        await self.registry.register(user_id, self.server_id)

    async def disconnect(self, user_id: str, conn: Connection | None = None) -> None:
        current = self._connections.get(user_id)
        if current is None or (conn is not None and current is not conn):
            return
        del self._connections[user_id]
        self._unacked.pop(user_id, None)
        for channel_id in self.presence.leave_all(user_id):
            await self.bus.unsubscribe(room_typing_topic(channel_id), self._on_envelope)
        if self.tracer is not None:
            self.tracer.arrow(client_label(user_id), self.label, "disconnect")
        await self.registry.unregister(user_id, self.server_id)

    # ------------------------------------------------------------------ sending

    async def send(
        self,
        sender_id: str,
        *,
        text: str,
        client_msg_id: str,
        to: str | None = None,
        channel_id: str | None = None,
        kind: str = "text",
    ) -> Ack:
        check_user_id(sender_id)
        if not isinstance(text, str) or not text.strip():
            raise ChatError("a message needs some text", "send a non-empty text")
        if len(text) > MAX_TEXT_CHARS:
            raise ChatError(
                f"a message of {len(text):,} characters is too long", f"keep it to {MAX_TEXT_CHARS:,}; send a file as media"
            )
        if not isinstance(client_msg_id, str) or not 0 < len(client_msg_id) <= MAX_CLIENT_MSG_ID:
            raise ChatError(
                "client_msg_id is missing or too long", f"send a unique id of 1..{MAX_CLIENT_MSG_ID} characters per message"
            )
        if kind not in KINDS:
            raise ChatError(f"message kind {kind!r} is unknown", f"use one of: {', '.join(KINDS)}")
        if (to is None) == (channel_id is None):
            raise ChatError("a message goes to a user or to a channel", "give exactly one of 'to' and 'channel_id'")
        # Checked here, before an ack: a text the store cannot encode would be acknowledged
        # and then block every write behind it.
        check_utf8(text, "the text")
        check_utf8(client_msg_id, "client_msg_id")
        if to is not None:
            check_user_id(to)
        else:
            check_channel_id(channel_id)
        tracer = self.tracer
        if tracer is not None:
            shown = text if kind == "text" and len(text) <= 40 else f"{kind}, {len(text)} chars"
            tracer.arrow(client_label(sender_id), self.label, f'send "{shown}" ({client_msg_id})')

        if to is not None:
            channel_id = await self.groups.ensure_direct(sender_id, to)
            roster = await self.groups.roster(channel_id)
        else:
            assert channel_id is not None
            roster = await self.groups.check_member(channel_id, sender_id)

        if not self.persist.checks_client_ids:
            existing = await self.persist.find_client_message(channel_id, sender_id, client_msg_id)
            # A store that keeps a filter of its client ids answers "certainly not" from memory:
            # only a send that may be a retry costs a query.
            may_hold = getattr(self.store, "may_hold_client_message", None)
            if existing is None and (may_hold is None or may_hold(channel_id, sender_id, client_msg_id)):
                existing = await self.store.find_client_message(channel_id, sender_id, client_msg_id)
            if existing is not None:
                return self._duplicate(existing, sender_id)

        created_ms = int(self.clock.now() * 1000)
        if self.persist.assigns_ids:
            # Numbered inside the write that makes it visible: no id is ever taken and stored
            # later, so a server paused at any point cannot put a message below a cursor that
            # a client already holds (see sync.py).
            message = Message(channel_id, 0, sender_id, text, client_msg_id, kind, created_ms)
        else:
            # From the id to the enqueue there is no await that suspends in the embedded engine,
            # so ids become visible to sync in the order they were made.
            assert self.ids is not None, "a server whose persist queue does not number messages needs an IdSource"
            message_id = await self.ids.next_message_id(channel_id)
            message = Message(channel_id, message_id, sender_id, text, client_msg_id, kind, created_ms)
        try:
            message = await self.persist.put(message)
        except ClientMessageExists as exc:  # a retry, caught by the write itself (the id is left unused)
            if not isinstance(exc.existing, Message):
                raise
            return self._duplicate(exc.existing, sender_id)
        message_id = message.message_id
        self.stats.sends += 1
        if tracer is not None:
            tracer.note(self.label, f"id {message_id}")
            tracer.arrow(self.label, "Write-behind queue", "append to journal (durable)")

        if roster.kind == "group":
            await self.fanout.submit(message, origin=self.server_id)
        else:
            recipients = [m for m in roster.members if m != sender_id]
            await self.router.route(message, recipients, origin=self.server_id, actor=self.label)
        if tracer is not None:
            tracer.arrow(self.label, client_label(sender_id), f"ack {message_id}", reply=True)
        return Ack(client_msg_id, message_id, channel_id, message.created_ms)

    def _duplicate(self, existing: Message, sender_id: str) -> Ack:
        """A retry gets the first send's ack; it is neither stored nor delivered again."""
        self.stats.duplicates += 1
        cmid = existing.client_msg_id or ""
        if self.tracer is not None:
            self.tracer.note(self.label, f"retry of {cmid}: already {existing.message_id}, not stored or delivered again")
            self.tracer.arrow(self.label, client_label(sender_id), f"ack {existing.message_id} (duplicate)", reply=True)
        return Ack(cmid, existing.message_id, existing.channel_id, existing.created_ms, duplicate=True)

    # ------------------------------------------------------------------ receiving from the bus

    async def _on_envelope(self, envelope: Envelope) -> None:
        if envelope.kind == "message":
            await self._deliver(envelope)
        elif envelope.kind == "typing":
            await self._deliver_typing(envelope)

    async def _deliver(self, envelope: Envelope) -> None:
        message = Message.from_dict(envelope.payload)
        frame = message.frame()  # one frame object shared by every recipient
        tracer = self.tracer
        recipients = envelope.recipients
        if tracer is not None:
            who = recipients[0] if len(recipients) == 1 else f"{len(recipients):,} recipients"
            tracer.arrow("Bus", self.label, f"envelope {message.message_id} for {who}")
        gone: list[str] = []
        delivered = 0
        connections = self._connections
        key = (message.channel_id, message.message_id)
        for user in recipients:
            conn = connections.get(user)
            if conn is None:
                gone.append(user)
                continue
            if tracer is not None and len(recipients) <= 3:
                tracer.arrow(self.label, client_label(user), f"message {message.message_id} from {message.sender_id}")
                self._traced.add(key)  # its delivery ack is worth a line too
            # Tracked before the hand-off: the client may acknowledge inside send_frame.
            unacked = self._unacked.setdefault(user, {})
            if len(unacked) >= MAX_UNACKED_PER_USER:
                unacked.pop(next(iter(unacked)))  # forget the oldest; sync still has it
            unacked[key] = None
            try:
                await conn.send_frame(frame)
            except Exception:  # any failed send means the connection is gone; sync still has the message
                log.debug("live delivery to %s failed; dropping the connection", user, exc_info=True)
                unacked.pop(key, None)
                gone.append(user)
                await self.disconnect(user, conn)
                continue
            delivered += 1
        self.stats.delivered_live += delivered
        if tracer is not None and len(recipients) > 3:
            tracer.arrow(self.label, f"Clients on {self.server_id}", f"message {message.message_id} to {delivered:,} sockets")
        if gone:
            self.stats.pushed_stale += len(gone)
            if tracer is not None:
                tracer.arrow(self.label, "Push service", f"notify {len(gone):,} (left before delivery)")
            await self.push.notify(gone, message)

    async def delivered(self, user_id: str, message_id: int, channel_id: str | None = None) -> bool:
        """The recipient's device has the message. Returns False for an id it was never sent.

        `channel_id` may be left out for a message this server handed over (it looks it up);
        with per-channel counters, where ids repeat across channels, a client should send it.
        A receipt for a channel the user is not a member of is refused (NotMemberError).
        """
        if isinstance(message_id, bool) or not isinstance(message_id, int) or not 0 < message_id <= MAX_MESSAGE_ID:
            raise ChatError(f"message id {message_id!r} is out of range", f"use an id this server sent (1..{MAX_MESSAGE_ID})")
        unacked = self._unacked.get(user_id)
        key = None
        if unacked:
            if channel_id is not None:
                key = (channel_id, message_id) if (channel_id, message_id) in unacked else None
            else:
                key = next((k for k in unacked if k[1] == message_id), None)
            if key is not None:
                del unacked[key]
                channel_id = key[0]
        if channel_id is None:
            return False
        if key is None:  # not one this server handed over: the user must at least be in the channel
            check_channel_id(channel_id)
            await self.groups.check_member(channel_id, user_id)
        self.stats.delivery_acks += 1
        if self.tracer is not None and (channel_id, message_id) in self._traced:
            self._traced.discard((channel_id, message_id))
            self.tracer.arrow(client_label(user_id), self.label, f"delivered {message_id}")
        await self.persist.record_delivered(Receipt(channel_id, user_id, message_id))
        return True

    def unacked(self, user_id: str) -> dict[int, str]:
        """Messages handed to the user's connection and not acknowledged yet (id -> channel)."""
        return {mid: channel for channel, mid in self._unacked.get(user_id, {})}

    # ------------------------------------------------------------------ typing indicators

    async def enter_room(self, user_id: str, channel_id: str) -> None:
        self._require_connected(user_id)
        await self.groups.check_member(channel_id, user_id)
        if self.presence.enter(user_id, channel_id):
            await self.bus.subscribe(room_typing_topic(channel_id), self._on_envelope)
        if self.tracer is not None:
            self.tracer.arrow(client_label(user_id), self.label, f"enter_room {channel_id}")

    async def leave_room(self, user_id: str, channel_id: str) -> None:
        if self.presence.leave(user_id, channel_id):
            await self.bus.unsubscribe(room_typing_topic(channel_id), self._on_envelope)
        if self.tracer is not None:
            self.tracer.arrow(client_label(user_id), self.label, f"leave_room {channel_id}")

    async def typing(self, user_id: str, channel_id: str) -> bool:
        """Publish a typing indicator, unless this user sent one for the room under 5 s ago.

        Never stored, never queued: straight onto the room's topic, fire and forget.
        """
        self._require_connected(user_id)
        await self.groups.check_member(channel_id, user_id)
        if not self.throttle.allow(user_id, channel_id):
            self.stats.typing_throttled += 1
            return False
        if self.tracer is not None:
            self.tracer.arrow(client_label(user_id), self.label, "typing")
            self.tracer.arrow(self.label, "Bus", f"publish room:{channel_id}:typing (not stored)")
        self.stats.typing_published += 1
        await self.bus.publish(
            room_typing_topic(channel_id),
            Envelope("typing", {"channel_id": channel_id, "user_id": user_id}, (), self.server_id),
        )
        return True

    async def _deliver_typing(self, envelope: Envelope) -> None:
        channel_id = envelope.payload["channel_id"]
        sender = envelope.payload["user_id"]
        frame = {"type": "typing", "channel_id": channel_id, "user_id": sender}
        viewers = [u for u in self.presence.viewers(channel_id) if u != sender]
        for user in viewers:
            conn = self._connections.get(user)
            if conn is not None:
                await conn.send_frame(frame)
                self.stats.typing_delivered += 1
        if self.tracer is not None and viewers:
            tracer_who = viewers[0] if len(viewers) == 1 else f"{len(viewers)} viewers"
            self.tracer.arrow(self.label, f"Clients on {self.server_id}", f"typing {sender} → {tracer_who} (room open)")

    def _require_connected(self, user_id: str) -> None:
        if user_id not in self._connections:
            raise ChatError(f"'{user_id}' is not connected to chat server {self.server_id}", "connect first")

    # ------------------------------------------------------------------ metrics

    def metrics(self) -> dict[str, Any]:
        return {
            "server_id": self.server_id,
            "connections": len(self._connections),
            "sends": self.stats.sends,
            "duplicates": self.stats.duplicates,
            "delivered_live": self.stats.delivered_live,
            "pushed_stale": self.stats.pushed_stale,
            "delivery_acks": self.stats.delivery_acks,
            "unacked": sum(len(u) for u in self._unacked.values()),
            "typing_published": self.stats.typing_published,
            "typing_throttled": self.stats.typing_throttled,
            "write_behind_depth": self.persist.depth,
        }
