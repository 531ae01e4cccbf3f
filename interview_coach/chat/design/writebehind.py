"""Write-behind persistence: messages reach the store in batches, off the delivery path.

The chapter decouples delivery from the database so a slow write never holds up a socket.
The risk of a write-behind queue is losing what it holds when the process dies; here that is
closed off by a journal, the way Cassandra's commit log or a Kafka topic would:

* `put()` appends the message as one JSON line to the current journal segment and flushes it
  to the operating system before it returns. Only then does the chat server acknowledge the
  send. So **"acknowledged" means: the message has its id, is in the journal, and is visible
  to sync** — it survives a crash of this process. With `durability="disk"` the put also waits
  for an fsync shared by every put in flight (group commit), so it survives a power cut too —
  provided the store's commits are durable as well (`SqliteChatStore(synchronous="FULL")`,
  which `ChatCluster` picks for it), since a segment is deleted once its batch is committed.
* a flusher task wakes every `flush_interval` seconds (or at once when `batch_size` messages
  wait), rotates to a fresh segment, writes the batch to the store in one transaction, and
  only then deletes the old segment. A failed write keeps the segment and retries.
* `start()` replays whatever segments a dead process left behind (the store's inserts are
  idempotent, so a replay of an already stored message changes nothing).

Until a batch is flushed, its messages are still answered from here: `pending_after()` and
`find_client_message()` let sync and idempotency see acknowledged-but-unflushed messages, so
"in the store" is never a precondition for correctness. Delivery receipts are coalesced in
memory (only the highest id per user and channel matters) and written with the next batch;
they are a convenience (a lost one costs a redundant sync), not a promise, so they are not
journaled. `journal_dir=None` turns the journal off (benchmarks compare the cost); then an
acknowledged message survives only a clean `close()`.

One queue owns one journal folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import orjson

from interview_coach.chat.design.errors import ChatError
from interview_coach.chat.design.store import Message, MessageStore, Receipt
from interview_coach.chat.design.tracing import Tracer
from interview_coach.errors import UsageError

log = logging.getLogger("interview_coach.chat.writebehind")

SEGMENT_GLOB = "segment-*.jsonl"
REJECTED_FILE = "rejected.jsonl"  # messages the store refused for good, kept for an operator
# Built once: json.dumps with options builds a new encoder on every call. ASCII-only lines,
# so any text the client sent (a lone surrogate included) can be written.
_ascii_json = json.JSONEncoder(separators=(",", ":")).encode


def _journal_json(data: dict) -> str:
    """One journal line: orjson's UTF-8 where it can (several times faster); the standard
    library's ASCII escapes for what it refuses (a lone surrogate), which any reader parses alike."""
    try:
        return orjson.dumps(data).decode()
    except (TypeError, ValueError):
        return _ascii_json(data)
DURABILITY = ("process", "disk")


class PersistQueue(Protocol):
    # True when put() itself refuses a taken client id, atomically with the write (raising
    # ClientMessageExists): the server then skips its own look-up before taking an id.
    checks_client_ids: bool
    # True when put() numbers the message itself, inside the write that makes it visible (the
    # Redis engine: one script takes the channel's next id and stores the message). The
    # server then takes no id first, and a channel's ids become visible strictly in order.
    assigns_ids: bool

    async def put(self, message: Message) -> Message:
        """Return once the message is durable (the moment the sender may be acknowledged):
        the message as stored — with its id, when the queue assigns ids."""
        ...

    async def record_delivered(self, receipt: Receipt) -> None: ...

    async def find_client_message(self, channel_id: str, sender_id: str, client_msg_id: str) -> Message | None:
        """An acknowledged message not yet in the store, by its client id."""
        ...

    async def pending_after(self, channel_id: str, after: int) -> list[Message]:
        """Acknowledged, not yet flushed messages of a channel with id > `after`, oldest first."""
        ...

    def pending_max(self, channel_id: str) -> int: ...

    async def flush(self) -> int: ...

    @property
    def depth(self) -> int: ...


@dataclass
class WriteBehindStats:
    puts: int = 0
    flushes: int = 0
    flushed_messages: int = 0
    recovered: int = 0  # messages replayed from a previous process's journal
    flush_errors: int = 0
    rejected: int = 0  # messages the store refused for good (set aside in rejected.jsonl)
    last_error: str | None = None
    max_depth: int = 0


class WriteBehindQueue:
    checks_client_ids = False  # the store sees a batch only later: the server looks up retries first
    assigns_ids = False  # the server's IdSource numbers messages before the put

    def __init__(
        self,
        store: MessageStore,
        journal_dir: str | Path | None,
        *,
        batch_size: int = 512,
        flush_interval: float = 0.02,
        durability: str = "process",
        tracer: Tracer | None = None,
        actor: str = "Write-behind queue",
    ) -> None:
        if durability not in DURABILITY:
            raise UsageError(f"durability {durability!r} is not one of {', '.join(DURABILITY)}")
        if batch_size < 1 or flush_interval <= 0:
            raise UsageError("batch_size must be 1 or more and flush_interval above 0 s")
        self.store = store
        self.journal_dir = Path(journal_dir) if journal_dir is not None else None
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.durability = durability
        self.tracer = tracer
        self.actor = actor
        self.stats = WriteBehindStats()
        self._batch: list[Message] = []  # acknowledged, not yet handed to the store, in put order
        self._by_channel: dict[str, dict[int, Message]] = {}
        self._by_client: dict[tuple[str, str, str], Message] = {}
        self._receipts: dict[tuple[str, str], int] = {}
        self._file: IO[str] | None = None
        self._segment_path: Path | None = None
        self._segment_no = 0
        self._closed_segments: list[Path] = []
        self._wake = asyncio.Event()
        self._flush_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._sync_waiter: asyncio.Future[None] | None = None
        # The loop keeps only weak references to tasks; this one keeps a running fsync alive.
        self._fsync_task: asyncio.Task[None] | None = None
        self._running = False
        self._closed = False
        # False: put() hands its line to the OS before it returns. True (the service): lines of one
        # loop turn go in one write, by `sync_journal()` — which the service runs before any
        # frame or response leaves, and which is scheduled for the end of the turn anyway.
        self.defer_journal_flush = False
        self._dirty = False

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> int:
        """Replay a previous process's journal into the store, open a segment, start flushing."""
        recovered = 0
        if self.journal_dir is not None:
            self.journal_dir.mkdir(parents=True, exist_ok=True)
            recovered = await self._recover()
            self._open_segment()
        self._running = True
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"write-behind:{self.actor}")
        return recovered

    async def close(self) -> None:
        """Flush everything and stop. Anything that cannot be written stays in the journal."""
        if self._closed:
            return
        self._running = False
        self._wake.set()
        if self._task is not None:
            await self._task
        try:
            await self.flush()
        finally:
            self._closed = True
            if self._file is not None:
                self._file.close()
                self._file = None
                if self._segment_path is not None and self._segment_path.stat().st_size == 0:
                    self._segment_path.unlink()

    # ------------------------------------------------------------------ the ack path

    async def put(self, message: Message) -> Message:
        if self._closed or not self._running:
            raise ChatError("the write-behind queue is not running", "start() it before sending, and do not send after close()")
        if self._file is not None:
            self._file.write(_journal_json(message.to_dict()) + "\n")
            if not self.defer_journal_flush:
                self._file.flush()  # in the OS's hands: survives this process dying
            elif not self._dirty:  # one write to the OS for every put of this loop turn
                self._dirty = True
                asyncio.get_running_loop().call_soon(self.sync_journal)
        # Visible to sync and to retries from here on, with no await since the id was assigned.
        self._batch.append(message)
        self._by_channel.setdefault(message.channel_id, {})[message.message_id] = message
        if message.client_msg_id is not None:
            self._by_client[(message.channel_id, message.sender_id, message.client_msg_id)] = message
        self.stats.puts += 1
        depth = len(self._batch)
        if depth > self.stats.max_depth:
            self.stats.max_depth = depth
        if depth >= self.batch_size:
            self._wake.set()
        if self.durability == "disk" and self._file is not None:
            await self._group_fsync()
        return message

    def sync_journal(self) -> None:
        """Hand the journal lines put so far to the OS (with `defer_journal_flush`, run this
        before anything that depends on them leaves the process: an ack, a delivered message)."""
        if self._dirty:
            self._dirty = False
            if self._file is not None:
                self._file.flush()

    async def _group_fsync(self) -> None:
        # Every put that arrives before the fsync starts shares it.
        if self._sync_waiter is None:
            loop = asyncio.get_running_loop()
            self._sync_waiter = loop.create_future()
            self._fsync_task = loop.create_task(self._fsync_now())
        await asyncio.shield(self._sync_waiter)

    async def _fsync_now(self) -> None:
        await asyncio.sleep(0)  # let the puts of this loop turn join in
        waiter, self._sync_waiter = self._sync_waiter, None
        assert waiter is not None
        if self._file is None:  # closed meanwhile: close() flushed everything to the store
            waiter.set_result(None)
            return
        self.sync_journal()
        fd = os.dup(self._file.fileno())  # a rotation may close the file meanwhile
        try:
            await asyncio.get_running_loop().run_in_executor(None, os.fsync, fd)
            waiter.set_result(None)
        except OSError as exc:
            waiter.set_exception(ChatError(f"could not fsync the journal: {exc}"))
        finally:
            os.close(fd)

    async def record_delivered(self, receipt: Receipt) -> None:
        key = (receipt.user_id, receipt.channel_id)
        if receipt.message_id > self._receipts.get(key, 0):
            self._receipts[key] = receipt.message_id

    # ------------------------------------------------------------------ reads of what is pending

    async def find_client_message(self, channel_id: str, sender_id: str, client_msg_id: str) -> Message | None:
        return self._by_client.get((channel_id, sender_id, client_msg_id))

    async def pending_after(self, channel_id: str, after: int) -> list[Message]:
        pending = self._by_channel.get(channel_id)
        if not pending:
            return []
        return [pending[i] for i in sorted(i for i in pending if i > after)]

    def pending_max(self, channel_id: str) -> int:
        pending = self._by_channel.get(channel_id)
        return max(pending) if pending else 0

    @property
    def depth(self) -> int:
        return len(self._batch)

    # ------------------------------------------------------------------ flushing

    async def flush(self) -> int:
        """Write everything pending to the store now; return how many messages went."""
        async with self._flush_lock:
            if not self._batch and not self._receipts:
                return 0
            batch, self._batch = self._batch, []
            receipts, self._receipts = self._receipts, {}
            # Every message of `batch` now lives in closed segments, deletable once stored.
            self._rotate()
            segments = list(self._closed_segments)
            receipt_rows = [Receipt(channel_id=c, user_id=u, message_id=m) for (u, c), m in receipts.items()]
            try:
                for start in range(0, max(len(batch), 1), self.batch_size):
                    chunk = batch[start : start + self.batch_size]
                    await self._append(chunk, receipt_rows if start == 0 else ())
            except Exception:
                # Put it all back, in order, ahead of anything newer; the journal still has it.
                self._batch = batch + self._batch
                for key, mid in receipts.items():
                    if mid > self._receipts.get(key, 0):
                        self._receipts[key] = mid
                raise
            for path in segments:
                path.unlink(missing_ok=True)
                self._closed_segments.remove(path)
            for m in batch:
                pending = self._by_channel.get(m.channel_id)
                if pending is not None:
                    pending.pop(m.message_id, None)
                    if not pending:
                        del self._by_channel[m.channel_id]
                if m.client_msg_id is not None:
                    self._by_client.pop((m.channel_id, m.sender_id, m.client_msg_id), None)
            self.stats.flushes += 1
            self.stats.flushed_messages += len(batch)
            if self.tracer is not None and batch:
                self.tracer.arrow(self.actor, "Message store", f"flush batch of {len(batch)} (one transaction)")
            return len(batch)

    async def _append(self, messages: list[Message], receipts: list[Receipt] | tuple[()] = ()) -> None:
        """Store a batch; when the store refuses it for a reason a retry cannot fix (a value it
        cannot encode), store the rest one by one and set the refused ones aside — one bad row
        must never block every write behind it. Outages (locked, disk full, I/O) still raise."""
        try:
            await self.store.append_many(messages, receipts)
            return
        except Exception as exc:
            if _transient(exc):
                raise
        for m in messages:
            try:
                await self.store.append_many([m])
            except Exception as exc:
                if _transient(exc):
                    raise
                self._reject(m, exc)
        for r in receipts:
            try:
                await self.store.append_many([], [r])
            except Exception as exc:
                if _transient(exc):
                    raise
                log.error("dropped a delivery receipt the store refused (%s): %r", type(exc).__name__, r)

    def _reject(self, message: Message, exc: Exception) -> None:
        self.stats.rejected += 1
        self.stats.last_error = f"rejected {message.channel_id}/{message.message_id}: {type(exc).__name__}: {exc}"
        log.error("the store refused message %s of %s (%s: %s); set aside in %s", message.message_id,
                  message.channel_id, type(exc).__name__, exc, REJECTED_FILE)
        if self.journal_dir is not None:
            with open(self.journal_dir / REJECTED_FILE, "a", encoding="ascii") as fh:
                fh.write(_journal_json({**message.to_dict(), "error": f"{type(exc).__name__}: {exc}"}) + "\n")

    async def _run(self) -> None:
        backoff = self.flush_interval
        while self._running:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.flush_interval)
            self._wake.clear()
            if not self._running:
                return
            try:
                await self.flush()
                backoff = self.flush_interval
            except Exception as exc:  # keep the journal, try again later
                log.debug("write-behind flush failed; retrying", exc_info=True)
                self.stats.flush_errors += 1
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                backoff = min(backoff * 2, 5.0)
                await asyncio.sleep(backoff)

    # ------------------------------------------------------------------ the journal

    def _open_segment(self) -> None:
        assert self.journal_dir is not None
        self._segment_no += 1
        self._segment_path = self.journal_dir / f"segment-{self._segment_no:08d}.jsonl"
        self._file = open(self._segment_path, "a", encoding="utf-8")  # noqa: SIM115 - held open until the segment rotates
        if self.durability == "disk":
            _fsync_dir(self.journal_dir)

    def _rotate(self) -> None:
        if self._file is None or self._segment_path is None:
            return
        if self._file.tell() == 0:
            return  # nothing written since the last rotation
        self._file.close()
        self._closed_segments.append(self._segment_path)
        self._open_segment()

    async def _recover(self) -> int:
        assert self.journal_dir is not None
        paths = sorted(self.journal_dir.glob(SEGMENT_GLOB))
        if paths:
            self._segment_no = max(int(p.stem.split("-")[1]) for p in paths)
        messages: list[Message] = []
        for path in paths:
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    messages.append(Message.from_dict(json.loads(line)))
                except (ValueError, KeyError, TypeError):
                    # A torn last line: the process died inside the write, before any ack.
                    continue
        for start in range(0, len(messages), self.batch_size):
            await self._append(messages[start : start + self.batch_size])
        for path in paths:
            path.unlink()
        self.stats.recovered = len(messages)
        return len(messages)


def _transient(exc: Exception) -> bool:
    """An error a later retry may not meet again (locked, busy, disk full, I/O, store closed)."""
    return isinstance(exc, (OSError, sqlite3.OperationalError, ChatError))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows); the file fsync still holds
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

