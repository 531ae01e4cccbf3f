"""The message store: the chapter's Cassandra table, on SQLite, plus channels and receipts.

    messages (channel_id, message_id, sender_id, content, status, …)
        PRIMARY KEY (channel_id, message_id DESC)   -- partition key, clustering key newest first

As in the chapter, one channel's messages sit together ordered by id, so "the newest 50", "the
50 before id X" and "everything after cursor Y" are each one range scan of the primary key —
keyset pagination, never OFFSET. A client's retried send carries the same `client_msg_id`; a
unique index on (channel_id, sender_id, client_msg_id) stores it once whatever the caller does.

This is a separate SQLite file from the coach's own database (`storage/db.py`): it belongs to
a chat deployment, not to the person practising, and a demo can throw it away.

Async protocols, and how the SQLite store meets them. `MessageStore` and `ChannelDirectory`
are async so a fleet can put a network store behind them (issue 8: Redis sorted sets or
PostgreSQL). `SqliteChatStore` writes on one dedicated thread (a single writer connection,
which is what SQLite wants anyway) so a batch flush never blocks the event loop, and reads
inline on a second connection: WAL lets them run beside the writer, and every read is an
indexed range bounded by a limit, so it takes microseconds.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from interview_coach.chat.design.bloom import GrowingBloomFilter
from interview_coach.chat.design.errors import ChatError

_T = TypeVar("_T")

SCHEMA_VERSION = 1
MAX_PAGE = 500  # the largest page a caller may ask for

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    channel_id    TEXT    NOT NULL,
    message_id    INTEGER NOT NULL,
    sender_id     TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    kind          TEXT    NOT NULL DEFAULT 'text',
    status        TEXT    NOT NULL DEFAULT 'sent',
    client_msg_id TEXT,
    created_ms    INTEGER NOT NULL,
    PRIMARY KEY (channel_id, message_id DESC)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS messages_client_msg
    ON messages (channel_id, sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS channels (
    channel_id      TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    last_message_id INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS channel_members (
    user_id    TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    PRIMARY KEY (user_id, channel_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS channel_members_by_channel ON channel_members (channel_id, user_id);
CREATE TABLE IF NOT EXISTS receipts (
    user_id      TEXT    NOT NULL,
    channel_id   TEXT    NOT NULL,
    delivered_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, channel_id)
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class Message:
    channel_id: str
    message_id: int
    sender_id: str
    text: str
    client_msg_id: str | None = None
    kind: str = "text"  # "text" or "media" (the text is then a small JSON metadata object)
    created_ms: int = 0
    status: str = "sent"

    def to_dict(self) -> dict[str, Any]:
        # Spelled out: dataclasses.asdict deep-copies and costs more than the rest of a send.
        return {
            "channel_id": self.channel_id,
            "message_id": self.message_id,
            "sender_id": self.sender_id,
            "text": self.text,
            "client_msg_id": self.client_msg_id,
            "kind": self.kind,
            "created_ms": self.created_ms,
            "status": self.status,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            channel_id=str(data["channel_id"]),
            message_id=int(data["message_id"]),
            sender_id=str(data["sender_id"]),
            text=str(data["text"]),
            client_msg_id=data.get("client_msg_id"),
            kind=str(data.get("kind", "text")),
            created_ms=int(data.get("created_ms", 0)),
            status=str(data.get("status", "sent")),
        )

    def frame(self) -> dict[str, Any]:
        """The frame a recipient's connection gets (the WebSocket `message` frame)."""
        return {
            "type": "message",
            "channel_id": self.channel_id,
            "message_id": self.message_id,
            "sender_id": self.sender_id,
            "text": self.text,
            "kind": self.kind,
            "created_ms": self.created_ms,
        }


@dataclass(frozen=True, slots=True)
class Receipt:
    """A recipient acknowledged delivery of everything it has up to `message_id` in a channel."""

    channel_id: str
    user_id: str
    message_id: int


@dataclass(frozen=True)
class Page:
    messages: list[Message]  # newest first, like the table
    has_more: bool  # more in the direction asked for
    next_before: int | None  # pass as `before` for the next older page
    next_after: int | None  # pass as `after` for the next newer page

    @classmethod
    def from_rows(cls, rows: Sequence[Any], decode: Callable[[Any], Message], limit: int,
                  before: int | None, after: int | None) -> Page:
        """A page from up to `limit + 1` rows of a keyset scan (the extra row only says `has_more`).

        With `after` the scan ran oldest first (ascending ids from the cursor); otherwise newest
        first. Either way the page holds its messages newest first, like the table.
        """
        messages = [decode(r) for r in rows[:limit]]
        if after is not None:
            messages.reverse()
        return cls(
            messages=messages,
            has_more=len(rows) > limit,
            next_before=messages[-1].message_id if messages else before,
            next_after=messages[0].message_id if messages else after,
        )


@dataclass(frozen=True)
class Channel:
    channel_id: str
    kind: str  # "direct" or "group"
    name: str
    created_ms: int
    last_message_id: int = 0


@dataclass(frozen=True)
class ConversationPage:
    conversations: list[Channel]  # most recent activity first
    next_cursor: str | None  # opaque; pass back as `cursor`
    has_more: bool = False


@dataclass
class StoreStats:
    batches: int = 0
    messages_written: int = 0
    duplicates_ignored: int = 0
    receipts_written: int = 0


def direct_channel_id(user_a: str, user_b: str) -> str:
    """The stable id of the one-to-one channel of two users, the same whichever sends first.

    Names are percent-encoded, so a ':' inside a name cannot make two pairs collide.
    """
    if user_a == user_b:
        raise ChatError(f"'{user_a}' cannot open a direct channel with themselves", "name another user")
    first, second = sorted((user_a, user_b))
    return f"dm:{quote(first, safe='')}:{quote(second, safe='')}"


def check_limit(limit: int) -> int:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ChatError(f"limit {limit!r} is out of range", f"use 1..{MAX_PAGE}")
    return limit


def encode_conversation_cursor(channel: Channel) -> str:
    return f"{channel.last_message_id}:{channel.channel_id}"


def decode_conversation_cursor(cursor: str) -> tuple[int, str]:
    head, sep, channel_id = cursor.partition(":")
    if not sep or not head.isdigit() or not channel_id:
        raise ChatError(f"cursor {cursor!r} is not one this server gave out", "pass next_cursor from the previous page, or none")
    return int(head), channel_id


# ---------------------------------------------------------------------- protocols


class MessageStore(Protocol):
    async def append_many(self, messages: Sequence[Message], receipts: Sequence[Receipt] = ()) -> int:
        """Store messages (idempotent on ids and client ids) and receipts in one go; return rows new."""
        ...

    async def find_client_message(self, channel_id: str, sender_id: str, client_msg_id: str) -> Message | None: ...

    async def page(self, channel_id: str, *, before: int | None = None, after: int | None = None, limit: int = 50) -> Page: ...

    async def range_after(self, channel_id: str, after: int, limit: int) -> list[Message]:
        """Messages with id > `after`, oldest first (the sync range scan)."""
        ...

    async def receipts_of(self, user_id: str) -> dict[str, int]: ...

    async def count(self, channel_id: str | None = None) -> int: ...


class ChannelDirectory(Protocol):
    async def create_channel(self, channel_id: str, kind: str, name: str, members: Iterable[str], created_ms: int) -> bool:
        """Create a channel with members; False (and no change) when it exists already."""
        ...

    async def add_members(self, channel_id: str, user_ids: Iterable[str]) -> None: ...

    async def remove_member(self, channel_id: str, user_id: str) -> None: ...

    async def channel(self, channel_id: str) -> Channel | None: ...

    async def members(self, channel_id: str) -> list[str]: ...

    async def channels_of(self, user_id: str) -> list[str]: ...

    async def conversations(self, user_id: str, *, limit: int = 20, cursor: str | None = None) -> ConversationPage: ...


# ---------------------------------------------------------------------- SQLite


_COLUMNS = "channel_id, message_id, sender_id, content, client_msg_id, kind, created_ms, status"


def _client_key(channel_id: str, sender_id: str, client_msg_id: str) -> str:
    return f"{channel_id}\x00{sender_id}\x00{client_msg_id}"


def _message(row: tuple) -> Message:
    return Message(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7])


class SqliteChatStore:
    """`MessageStore` and `ChannelDirectory` on one SQLite file (WAL)."""

    def __init__(self, path: str | Path, *, synchronous: str = "NORMAL") -> None:
        # NORMAL (WAL): a commit survives a crash of the process; FULL also a power cut, with an
        # fsync per commit — what a write-behind queue with durability="disk" needs behind it.
        if synchronous not in ("NORMAL", "FULL"):
            raise ChatError(f"synchronous={synchronous!r}", "use NORMAL or FULL")
        self.synchronous = synchronous
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = self._connect()
        self._writer.executescript(SCHEMA)
        self._writer.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._reader = self._connect()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-store-writer")
        self.stats = StoreStats()
        self._closed = False
        # Every client id stored (read once here from the covering unique index, then kept up by
        # every write): a first send proves it is no retry without a query on the event loop.
        where = "FROM messages WHERE client_msg_id IS NOT NULL"
        stored = self._reader.execute(f"SELECT count(*) {where}").fetchone()[0]
        self._client_ids = GrowingBloomFilter(capacity=max(65_536, 2 * stored))
        for row in self._reader.execute(f"SELECT channel_id, sender_id, client_msg_id {where}"):
            self._client_ids.add(_client_key(row[0], row[1], row[2]))

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False: the writer is made here and used only on the writer thread;
        # the reader is used only by the event loop's thread.
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        return conn

    async def _write(self, fn: Callable[..., _T], *args: Any) -> _T:
        if self._closed:
            raise ChatError("the message store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pool.shutdown(wait=True)
        self._writer.close()
        self._reader.close()

    # ------------------------------------------------------------------ writes (writer thread)

    async def append_many(self, messages: Sequence[Message], receipts: Sequence[Receipt] = ()) -> int:
        if not messages and not receipts:
            return 0
        return await self._write(self._append_many_sync, list(messages), list(receipts))

    def _append_many_sync(self, messages: list[Message], receipts: list[Receipt]) -> int:
        db = self._writer
        client_ids = self._client_ids
        for m in messages:  # before the insert: "maybe stored" may come early, never late
            if m.client_msg_id is not None:
                client_ids.add(_client_key(m.channel_id, m.sender_id, m.client_msg_id))
        db.execute("BEGIN IMMEDIATE")
        try:
            before = db.total_changes
            db.executemany(
                f"INSERT OR IGNORE INTO messages ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (m.channel_id, m.message_id, m.sender_id, m.text, m.client_msg_id, m.kind, m.created_ms, m.status)
                    for m in messages
                ],
            )
            written = db.total_changes - before
            newest: dict[str, int] = {}
            for m in messages:
                if m.message_id > newest.get(m.channel_id, 0):
                    newest[m.channel_id] = m.message_id
            db.executemany(
                "UPDATE channels SET last_message_id = max(last_message_id, ?) WHERE channel_id = ?",
                [(mid, cid) for cid, mid in newest.items()],
            )
            for r in receipts:
                row = db.execute(
                    "SELECT delivered_id FROM receipts WHERE user_id = ? AND channel_id = ?", (r.user_id, r.channel_id)
                ).fetchone()
                previous = row[0] if row else 0
                if r.message_id <= previous:
                    continue
                db.execute(
                    "INSERT INTO receipts (user_id, channel_id, delivered_id) VALUES (?, ?, ?) "
                    "ON CONFLICT (user_id, channel_id) DO UPDATE SET delivered_id = excluded.delivered_id",
                    (r.user_id, r.channel_id, r.message_id),
                )
                # A bounded range of the primary key: only what this receipt newly covers.
                db.execute(
                    "UPDATE messages SET status = 'delivered' WHERE channel_id = ? AND message_id > ? "
                    "AND message_id <= ? AND sender_id != ? AND status = 'sent'",
                    (r.channel_id, previous, r.message_id, r.user_id),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.stats.batches += 1
        self.stats.messages_written += written
        self.stats.duplicates_ignored += len(messages) - written
        self.stats.receipts_written += len(receipts)
        return written

    async def create_channel(self, channel_id: str, kind: str, name: str, members: Iterable[str], created_ms: int) -> bool:
        return await self._write(self._create_channel_sync, channel_id, kind, name, list(members), created_ms)

    def _create_channel_sync(self, channel_id: str, kind: str, name: str, members: list[str], created_ms: int) -> bool:
        db = self._writer
        db.execute("BEGIN IMMEDIATE")
        try:
            cur = db.execute(
                "INSERT OR IGNORE INTO channels (channel_id, kind, name, created_ms) VALUES (?, ?, ?, ?)",
                (channel_id, kind, name, created_ms),
            )
            created = cur.rowcount == 1
            if created:
                db.executemany(
                    "INSERT OR IGNORE INTO channel_members (user_id, channel_id) VALUES (?, ?)",
                    [(u, channel_id) for u in members],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return created

    async def add_members(self, channel_id: str, user_ids: Iterable[str]) -> None:
        rows = [(u, channel_id) for u in user_ids]
        await self._write(
            self._executemany_sync, "INSERT OR IGNORE INTO channel_members (user_id, channel_id) VALUES (?, ?)", rows
        )

    async def remove_member(self, channel_id: str, user_id: str) -> None:
        await self._write(
            self._executemany_sync, "DELETE FROM channel_members WHERE user_id = ? AND channel_id = ?", [(user_id, channel_id)]
        )

    def _executemany_sync(self, sql: str, rows: list[tuple]) -> None:
        db = self._writer
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(sql, rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ reads (inline)

    def may_hold_client_message(self, channel_id: str, sender_id: str, client_msg_id: str) -> bool:
        """False when no message with this client id was ever stored here (no query needed)."""
        return _client_key(channel_id, sender_id, client_msg_id) in self._client_ids

    async def find_client_message(self, channel_id: str, sender_id: str, client_msg_id: str) -> Message | None:
        row = self._reader.execute(
            f"SELECT {_COLUMNS} FROM messages WHERE channel_id = ? AND sender_id = ? AND client_msg_id = ?",
            (channel_id, sender_id, client_msg_id),
        ).fetchone()
        return _message(row) if row else None

    async def page(self, channel_id: str, *, before: int | None = None, after: int | None = None, limit: int = 50) -> Page:
        check_limit(limit)
        if before is not None and after is not None:
            raise ChatError("a page goes one way", "pass either before or after, not both")
        if after is not None:
            rows = self._reader.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE channel_id = ? AND message_id > ? ORDER BY message_id ASC LIMIT ?",
                (channel_id, after, limit + 1),
            ).fetchall()
        else:
            below, params = (
                ("AND message_id < ?", (channel_id, before, limit + 1)) if before is not None else ("", (channel_id, limit + 1))
            )
            rows = self._reader.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE channel_id = ? {below} ORDER BY message_id DESC LIMIT ?", params
            ).fetchall()
        return Page.from_rows(rows, _message, limit, before, after)

    async def range_after(self, channel_id: str, after: int, limit: int) -> list[Message]:
        rows = self._reader.execute(
            f"SELECT {_COLUMNS} FROM messages WHERE channel_id = ? AND message_id > ? ORDER BY message_id ASC LIMIT ?",
            (channel_id, after, limit),
        ).fetchall()
        return [_message(r) for r in rows]

    async def receipts_of(self, user_id: str) -> dict[str, int]:
        rows = self._reader.execute("SELECT channel_id, delivered_id FROM receipts WHERE user_id = ?", (user_id,))
        return {cid: mid for cid, mid in rows}

    async def count(self, channel_id: str | None = None) -> int:
        if channel_id is None:
            return self._reader.execute("SELECT count(*) FROM messages").fetchone()[0]
        return self._reader.execute("SELECT count(*) FROM messages WHERE channel_id = ?", (channel_id,)).fetchone()[0]

    def max_message_id_now(self, channel_id: str) -> int:
        """The highest stored id of a channel (synchronous: seeds per-channel counters)."""
        row = self._reader.execute(
            "SELECT message_id FROM messages WHERE channel_id = ? ORDER BY message_id DESC LIMIT 1", (channel_id,)
        ).fetchone()
        return row[0] if row else 0

    async def channel(self, channel_id: str) -> Channel | None:
        row = self._reader.execute(
            "SELECT channel_id, kind, name, created_ms, last_message_id FROM channels WHERE channel_id = ?", (channel_id,)
        ).fetchone()
        return Channel(*row) if row else None

    async def members(self, channel_id: str) -> list[str]:
        rows = self._reader.execute("SELECT user_id FROM channel_members WHERE channel_id = ? ORDER BY user_id", (channel_id,))
        return [r[0] for r in rows]

    async def channels_of(self, user_id: str) -> list[str]:
        rows = self._reader.execute("SELECT channel_id FROM channel_members WHERE user_id = ? ORDER BY channel_id", (user_id,))
        return [r[0] for r in rows]

    async def conversations(self, user_id: str, *, limit: int = 20, cursor: str | None = None) -> ConversationPage:
        check_limit(limit)
        params: list[Any] = [user_id]
        where = ""
        if cursor:
            last_id, channel_id = decode_conversation_cursor(cursor)
            where = "AND (c.last_message_id, c.channel_id) < (?, ?)"
            params += [last_id, channel_id]
        rows = self._reader.execute(
            "SELECT c.channel_id, c.kind, c.name, c.created_ms, c.last_message_id "
            "FROM channel_members m JOIN channels c ON c.channel_id = m.channel_id "
            f"WHERE m.user_id = ? {where} ORDER BY c.last_message_id DESC, c.channel_id DESC LIMIT ?",
            (*params, limit + 1),
        ).fetchall()
        items = [Channel(*r) for r in rows[:limit]]
        has_more = len(rows) > limit
        return ConversationPage(
            conversations=items,
            next_cursor=encode_conversation_cursor(items[-1]) if has_more and items else None,
            has_more=has_more,
        )
