"""The journaled write-behind queue: what "acknowledged" guarantees, and recovery."""

from __future__ import annotations

import json

import pytest

from interview_coach.chat.design.errors import ChatError
from interview_coach.chat.design.store import Message, Receipt, SqliteChatStore
from interview_coach.chat.design.writebehind import WriteBehindQueue
from interview_coach.errors import UsageError

from .conftest import arun


def m(i: int, channel: str = "c", cmid: str | None = None) -> Message:
    return Message(channel, i, "alice", f"hello {i}", cmid or f"k{i}", "text", i)


def journal_lines(folder) -> list[dict]:
    return [json.loads(line) for p in sorted(folder.glob("segment-*.jsonl")) for line in p.read_text().splitlines()]


def test_a_put_is_in_the_journal_before_it_returns(tmp_path) -> None:
    async def main():
        store = SqliteChatStore(tmp_path / "chat.sqlite3")
        queue = WriteBehindQueue(store, tmp_path / "journal", flush_interval=60)
        await queue.start()
        await queue.put(m(1))
        # Returned: the line is in the OS's hands, readable by anyone, before any flush.
        assert [e["message_id"] for e in journal_lines(tmp_path / "journal")] == [1]
        assert await store.count() == 0
        assert [x.message_id for x in await queue.pending_after("c", 0)] == [1]
        assert (await queue.find_client_message("c", "alice", "k1")).message_id == 1
        assert await queue.flush() == 1
        assert await store.count() == 1
        assert journal_lines(tmp_path / "journal") == []  # flushed segments are deleted
        assert await queue.pending_after("c", 0) == [] and queue.depth == 0
        await queue.close()
        store.close()

    arun(main())


def test_a_crashed_process_loses_nothing_acknowledged(tmp_path) -> None:
    async def crash():
        store = SqliteChatStore(tmp_path / "chat.sqlite3")
        queue = WriteBehindQueue(store, tmp_path / "journal", flush_interval=60)
        await queue.start()
        for i in range(1, 6):
            await queue.put(m(i))
        await queue.flush()  # 1..5 stored
        for i in range(6, 11):
            await queue.put(m(i))  # 6..10 acknowledged, not flushed — then the process dies
        queue._running = False  # the flusher never runs again; no close()
        store.close()

    arun(crash())
    # A torn last line: the process died inside a write (that message was never acknowledged).
    segment = sorted((tmp_path / "journal").glob("segment-*.jsonl"))[-1]
    with open(segment, "a") as fh:
        fh.write('{"channel_id": "c", "message_id": 11, "sen')

    async def restart():
        store = SqliteChatStore(tmp_path / "chat.sqlite3")
        queue = WriteBehindQueue(store, tmp_path / "journal")
        recovered = await queue.start()
        assert recovered == 5
        page = await store.page("c", limit=50)
        assert [x.message_id for x in page.messages] == list(range(10, 0, -1))
        await queue.put(m(12))
        await queue.close()
        assert await store.count() == 11
        assert list((tmp_path / "journal").glob("segment-*.jsonl")) == []
        store.close()

    arun(restart())


class FlakyStore:
    """A store whose first append fails, as a locked or full disk would."""

    def __init__(self, inner):
        self.inner = inner
        self.failures = 1

    async def append_many(self, messages, receipts=()):
        if self.failures:
            self.failures -= 1
            raise OSError("disk I/O error")
        return await self.inner.append_many(messages, receipts)


def test_a_failed_flush_keeps_everything_and_retries(tmp_path) -> None:
    async def main():
        store = SqliteChatStore(tmp_path / "chat.sqlite3")
        queue = WriteBehindQueue(FlakyStore(store), tmp_path / "journal", flush_interval=60)  # type: ignore[arg-type]
        await queue.start()
        await queue.put(m(1))
        with pytest.raises(OSError):
            await queue.flush()
        await queue.put(m(2))
        assert [x.message_id for x in await queue.pending_after("c", 0)] == [1, 2]
        assert sorted(e["message_id"] for e in journal_lines(tmp_path / "journal")) == [1, 2]
        assert await queue.flush() == 2
        assert await store.count() == 2
        await queue.close()
        store.close()

    arun(main())


def test_the_flusher_runs_by_itself_and_receipts_are_coalesced(tmp_path) -> None:
    async def main():
        import asyncio

        store = SqliteChatStore(tmp_path / "chat.sqlite3")
        queue = WriteBehindQueue(store, tmp_path / "journal", flush_interval=0.005, batch_size=2)
        await queue.start()
        for i in range(1, 6):
            await queue.put(m(i))
        for i in (3, 1, 5, 2):
            await queue.record_delivered(Receipt("c", "bob", i))
        for _ in range(200):
            if await store.count() == 5 and await store.receipts_of("bob"):
                break
            await asyncio.sleep(0.005)
        assert await store.count() == 5
        assert await store.receipts_of("bob") == {"c": 5}
        assert queue.stats.max_depth >= 2
        await queue.close()
        store.close()

    arun(main())


def test_disk_durability_and_no_journal_modes(tmp_path) -> None:
    async def main():
        store = SqliteChatStore(tmp_path / "chat.sqlite3")
        disk = WriteBehindQueue(store, tmp_path / "j1", durability="disk", flush_interval=60)
        await disk.start()
        import asyncio

        await asyncio.gather(*(disk.put(m(i)) for i in range(1, 21)))  # one group fsync for many
        assert len(journal_lines(tmp_path / "j1")) == 20
        await disk.close()
        memory = WriteBehindQueue(store, None, flush_interval=60)
        await memory.start()
        await memory.put(m(30))
        await memory.close()
        assert await store.count() == 21
        with pytest.raises(ChatError, match="not running"):
            await memory.put(m(31))
        store.close()

    arun(main())


def test_bad_options_are_refused(tmp_path) -> None:
    with pytest.raises(UsageError):
        WriteBehindQueue(None, None, durability="maybe")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        WriteBehindQueue(None, None, batch_size=0)  # type: ignore[arg-type]
