"""The client's side: what a device keeps, and an in-process client for demos and tests.

`ClientState` is the part every client needs, whatever its transport: per channel, the
messages it has, sorted by id (the order a UI shows, since Snowflake ids from different
servers need not arrive in id order), the ids it has seen (a message that comes twice — live
and again from sync's look-back, or redelivered — is dropped, so each is processed exactly
once), and its sync cursors: per channel, the highest id *received from the server*. Its own
sends do not move a cursor — sent offline through the HTTP fallback, a message with a higher
id than everything missed meanwhile would otherwise hide what came before it.

`LocalClient` is a `Connection` living in the same process as the chat server. Its reconnect
does what a real client must, in this order: connect (so new messages start to arrive, and
are held back), sync from its cursors, apply the sync, then apply what arrived meanwhile —
no window in which a message can be neither synced nor delivered.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any

from interview_coach.chat.design.errors import ChatError
from interview_coach.chat.design.server import Ack, ChatServer
from interview_coach.chat.design.store import Message
from interview_coach.chat.design.sync import SyncResult, SyncService
from interview_coach.chat.design.typing_indicators import TypingView
from interview_coach.clock import Clock


def _message_id(m: Message) -> int:
    return m.message_id


class ClientState:
    def __init__(self, user_id: str) -> None:
        self.user_id = user_id
        self._timelines: dict[str, list[Message]] = {}
        self._seen: dict[str, set[int]] = {}
        self._cursors: dict[str, int] = {}
        self.duplicates_dropped = 0
        self.arrivals: list[tuple[str, int, str]] = []  # (channel, id, "live"|"sync"|"own")

    def apply(self, message: Message, via: str = "live") -> bool:
        """Take a message in; False (and nothing changes) if it was already here."""
        seen = self._seen.setdefault(message.channel_id, set())
        if message.message_id in seen:
            self.duplicates_dropped += 1
            return False
        seen.add(message.message_id)
        timeline = self._timelines.setdefault(message.channel_id, [])
        if not timeline or timeline[-1].message_id < message.message_id:
            timeline.append(message)
        else:
            bisect.insort(timeline, message, key=_message_id)
        self.arrivals.append((message.channel_id, message.message_id, via))
        if via != "own" and message.message_id > self._cursors.get(message.channel_id, 0):
            # Only what came from the server moves the cursor: a message this device sent
            # (perhaps offline, through the HTTP fallback) says nothing about what it missed.
            self._cursors[message.channel_id] = message.message_id
        return True

    def apply_sync(self, result: SyncResult) -> int:
        """Apply a sync result; return how many messages were new."""
        new = 0
        for delta in result.channels.values():
            self._timelines.setdefault(delta.channel_id, [])
            for m in delta.messages:
                new += self.apply(m, "sync")
        return new

    def has(self, channel_id: str, message_id: int) -> bool:
        return message_id in self._seen.get(channel_id, ())

    def cursors(self) -> dict[str, int]:
        """Per channel, the highest id received from the server (0: nothing received yet)."""
        return {c: self._cursors.get(c, 0) for c in self._timelines}

    def timeline(self, channel_id: str) -> list[Message]:
        return list(self._timelines.get(channel_id, ()))

    def channels(self) -> list[str]:
        return sorted(self._timelines)

    def count(self) -> int:
        return sum(len(t) for t in self._timelines.values())


class LocalClient:
    """An in-process client: a `Connection` for a `ChatServer`, with a `ClientState`."""

    _last_parsed: tuple[dict[str, Any], Message] | None = None

    def __init__(
        self,
        user_id: str,
        sync: SyncService,
        clock: Clock,
        *,
        auto_ack: bool = True,
        timer: Callable[[], float] | None = None,
    ) -> None:
        self.user_id = user_id
        self.timer = timer  # when set, `received_at` records when each live message arrived
        self.received_at: dict[tuple[str, int], float] = {}  # (channel, id) -> when
        self.sync_service = sync
        self.state = ClientState(user_id)
        self.typing_view = TypingView(clock)
        self.auto_ack = auto_ack
        self.server: ChatServer | None = None
        self.live_frames: Counter[tuple[str, int]] = Counter()  # (channel, id) -> live frames received
        self.reconnect_requests = 0
        self.last_sync: SyncResult | None = None
        self._buffering = False
        self._held: list[Message] = []
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ Connection

    async def send_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "message":
            # A group envelope hands the same frame object to every local recipient: parse once.
            last = LocalClient._last_parsed
            if last is not None and last[0] is frame:
                message = last[1]
            else:
                message = Message.from_dict(frame)
                LocalClient._last_parsed = (frame, message)
            key = (message.channel_id, message.message_id)
            self.live_frames[key] += 1
            if self.timer is not None:
                self.received_at.setdefault(key, self.timer())
            if self._buffering:
                self._held.append(message)
            else:
                await self._accept(message, "live")
        elif kind == "typing":
            self.typing_view.on_typing(frame["channel_id"], frame["user_id"])
        elif kind == "reconnect":
            self.reconnect_requests += 1

    async def _accept(self, message: Message, via: str) -> None:
        if self.state.apply(message, via):
            self.typing_view.on_message(message.channel_id, message.sender_id)
            if self.auto_ack and self.server is not None:
                await self.server.delivered(self.user_id, message.message_id, message.channel_id)

    # ------------------------------------------------------------------ session

    @property
    def connected(self) -> bool:
        return self.server is not None

    async def connect(self, server: ChatServer, *, sync: bool = True) -> SyncResult | None:
        """Connect, then catch up from the cursors, then apply what arrived meanwhile."""
        if self.server is not None:
            await self.disconnect()
        self._buffering = sync
        await server.connect(self.user_id, self)
        self.server = server
        result = None
        try:
            if sync:
                result = await self.catch_up()
        finally:
            while self._held:
                await self._accept(self._held.pop(0), "live")
            self._buffering = False
        return result

    async def catch_up(self) -> SyncResult:
        """Sync from this device's cursors until nothing more is missing; acknowledge it."""
        combined = SyncResult()
        while True:
            result = await self.sync_service.sync(self.user_id, self.state.cursors())
            self.state.apply_sync(result)
            for channel_id, delta in result.channels.items():
                if channel_id in combined.channels:
                    combined.channels[channel_id].messages.extend(delta.messages)
                    combined.channels[channel_id].cursor = delta.cursor
                else:
                    combined.channels[channel_id] = delta
                if delta.messages and self.auto_ack and self.server is not None:
                    newest = delta.messages[-1]
                    await self.server.delivered(self.user_id, newest.message_id, channel_id)
            if not result.has_more:
                break
        self.last_sync = combined
        return combined

    async def disconnect(self) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            await server.disconnect(self.user_id, self)

    # ------------------------------------------------------------------ actions

    def new_client_msg_id(self) -> str:
        return f"{self.user_id}-{next(self._ids)}"

    async def send(
        self,
        text: str,
        *,
        to: str | None = None,
        channel_id: str | None = None,
        client_msg_id: str | None = None,
        kind: str = "text",
        server: ChatServer | None = None,
    ) -> Ack:
        """Send through the connected server (or `server`: the HTTP fallback while offline)."""
        target = server or self.server
        if target is None:
            raise ChatError(f"'{self.user_id}' is not connected", "connect first, or pass a server for the HTTP fallback")
        cmid = client_msg_id or self.new_client_msg_id()
        ack = await target.send(self.user_id, text=text, client_msg_id=cmid, to=to, channel_id=channel_id, kind=kind)
        if not self.state.has(ack.channel_id, ack.message_id):  # a retry's ack names one we have
            self.state.apply(Message(ack.channel_id, ack.message_id, self.user_id, text, cmid, kind, ack.created_ms), "own")
        return ack

    async def enter_room(self, channel_id: str) -> None:
        assert self.server is not None
        await self.server.enter_room(self.user_id, channel_id)

    async def leave_room(self, channel_id: str) -> None:
        assert self.server is not None
        await self.server.leave_room(self.user_id, channel_id)

    async def typing(self, channel_id: str) -> bool:
        assert self.server is not None
        return await self.server.typing(self.user_id, channel_id)
