"""Sync after a reconnect: per-channel cursors in, only each channel's missed messages out.

A client keeps, per channel, the highest message id it has processed and sends the whole map
(`GET /v1/sync?cursors={"channel_1": 105, "channel_2": 44}`). One global "last id" would not
do: channels are separate partitions and each is read by its own range scan,
`WHERE channel_id = X AND message_id > cursor`. Channels the user joined while away (no cursor
yet) come back too, from their start.

Two details make "nothing missed" hold, not just "usually":

* the range is read from the store *and* from the write-behind queue, so a message that was
  acknowledged a millisecond ago and is not flushed yet is not skipped;
* Snowflake ids from different nodes are only loosely ordered (same millisecond, or clocks
  skewed between nodes), so a message can become visible after one with a higher id. The scan
  therefore starts `lookback_ids` below the cursor (a few ms of ids) and the client drops ids
  it already has (`ClientState`). With per-channel counters the look-back is 0.

Called without cursors (a device that lost its state), sync starts from the server's delivery
receipts: what the user never acknowledged comes back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from interview_coach.chat.design.errors import ChatError, NotMemberError
from interview_coach.chat.design.store import ChannelDirectory, ConversationPage, Message, MessageStore, check_limit
from interview_coach.chat.design.tracing import Tracer
from interview_coach.chat.design.writebehind import PersistQueue

MAX_CURSORS = 1_000


@dataclass
class ChannelDelta:
    channel_id: str
    messages: list[Message]  # oldest first
    cursor: int  # the cursor to keep for this channel afterwards
    has_more: bool = False  # call again with the new cursor for the rest
    new: bool = False  # the request had no cursor for this channel


@dataclass
class SyncResult:
    channels: dict[str, ChannelDelta] = field(default_factory=dict)

    @property
    def cursors(self) -> dict[str, int]:
        return {c: d.cursor for c, d in self.channels.items()}

    @property
    def total(self) -> int:
        return sum(len(d.messages) for d in self.channels.values())

    @property
    def has_more(self) -> bool:
        return any(d.has_more for d in self.channels.values())


def parse_cursors(raw: object) -> dict[str, int]:
    """Check a cursor map from outside: channel id -> non-negative integer message id."""
    if not isinstance(raw, Mapping):
        raise ChatError("cursors must be a map of channel id to last message id", 'send e.g. {"channel_1": 105}')
    if len(raw) > MAX_CURSORS:
        raise ChatError(f"{len(raw):,} cursors is too many", f"send at most {MAX_CURSORS:,} per request")
    cursors: dict[str, int] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not key:
            raise ChatError(f"cursor key {key!r} is not a channel id")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ChatError(f"cursor for '{key}' is {value!r}", "use the last message id you have, or 0")
        cursors[key] = value
    return cursors


class SyncService:
    def __init__(
        self,
        store: MessageStore,
        directory: ChannelDirectory,
        persist: PersistQueue | None = None,
        *,
        lookback_ids: int = 0,
        tracer: Tracer | None = None,
    ) -> None:
        self.store = store
        self.directory = directory
        self.persist = persist
        self.lookback_ids = lookback_ids
        self.tracer = tracer
        self.range_scans = 0

    async def sync(
        self,
        user_id: str,
        cursors: Mapping[str, int] | None = None,
        *,
        limit: int = 200,
        include_new: bool = True,
    ) -> SyncResult:
        check_limit(limit)
        member_of = set(await self.directory.channels_of(user_id))
        if cursors is None:
            given = await self.store.receipts_of(user_id)
            given = {c: v for c, v in given.items() if c in member_of}
        else:
            given = parse_cursors(cursors)
            strangers = sorted(c for c in given if c not in member_of)
            if strangers:
                raise NotMemberError(f"'{user_id}' is not a member of '{strangers[0]}'", "sync only your own channels")
        wanted = dict(given)
        if include_new or cursors is None:
            for channel_id in member_of:
                wanted.setdefault(channel_id, 0)
        if self.tracer is not None:
            self.tracer.arrow(f"Client {user_id}", "Sync service", f"sync {len(given)} cursors")
        result = SyncResult()
        for channel_id in sorted(wanted):
            cursor = wanted[channel_id]
            delta = await self._channel(channel_id, cursor, limit)
            delta.new = channel_id not in given
            result.channels[channel_id] = delta
        if self.tracer is not None:
            self.tracer.arrow(
                "Sync service", "Message store", f"range scan of {len(wanted)} channel(s) (message_id > cursor)"
            )
            self.tracer.arrow("Sync service", f"Client {user_id}", f"{result.total} messages", reply=True)
        return result

    async def _channel(self, channel_id: str, cursor: int, limit: int) -> ChannelDelta:
        # Forward: the first `limit` messages after the cursor (store and queue merged). This
        # alone decides the new cursor and `has_more`, so paging always moves on.
        self.range_scans += 1
        stored = await self.store.range_after(channel_id, cursor, limit + 1)
        pending = await self.persist.pending_after(channel_id, cursor) if self.persist is not None else []
        forward = _merge(stored, pending)
        has_more = len(forward) > limit
        forward = forward[:limit]
        rows = forward
        if cursor and self.lookback_ids:
            # Look-back: the newest messages just below the cursor, at most `limit` of them, in
            # case one became visible after the client moved past its id. The client drops
            # the ones it has.
            floor = cursor - self.lookback_ids
            below = await self.store.page(channel_id, before=cursor, limit=limit)
            window = [m for m in below.messages if m.message_id > floor]
            if self.persist is not None:
                window += [m for m in await self.persist.pending_after(channel_id, floor) if m.message_id < cursor]
            if window:
                rows = _merge(window, forward)
        new_cursor = max([cursor] + [m.message_id for m in forward])
        return ChannelDelta(channel_id, rows, new_cursor, has_more)

    async def conversations(self, user_id: str, *, limit: int = 20, cursor: str | None = None) -> ConversationPage:
        """A keyset page of the user's channels, most recent activity first.

        Activity is the last *flushed* message, so the order can lag a send by one flush interval.
        """
        check_limit(limit)
        return await self.directory.conversations(user_id, limit=limit, cursor=cursor)


def _merge(*runs: list[Message]) -> list[Message]:
    """Messages of several reads, each id once, oldest first."""
    merged: dict[int, Message] = {}
    for run in runs:
        for m in run:
            merged.setdefault(m.message_id, m)
    return [merged[i] for i in sorted(merged)]
