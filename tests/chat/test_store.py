"""The SQLite message store: keyset pages, cursor ranges, idempotency, channels, receipts."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview_coach.chat.design.errors import ChatError
from interview_coach.chat.design.store import Message, Receipt, SqliteChatStore, direct_channel_id

from .conftest import arun


def msg(channel: str, mid: int, sender: str = "alice", cmid: str | None = None) -> Message:
    return Message(channel, mid, sender, f"text {mid}", cmid if cmid is not None else f"c{channel}-{mid}", "text", mid)


@pytest.fixture
def store(tmp_path):
    s = SqliteChatStore(tmp_path / "chat.sqlite3")
    yield s
    s.close()


def test_the_table_mirrors_the_chapter_schema(store) -> None:
    db = sqlite3.connect(store.path)
    pk = [row[1] for row in sorted(db.execute("PRAGMA table_info(messages)"), key=lambda r: r[5]) if row[5]]
    assert pk == ["channel_id", "message_id"]
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'messages'").fetchone()[0]
    assert "message_id DESC" in sql and "WITHOUT ROWID" in sql
    plan = " ".join(r[3] for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM messages WHERE channel_id = 'x' AND message_id > 5 ORDER BY message_id"
    ))
    assert "PRIMARY KEY" in plan  # a range scan of the key, no sort, no OFFSET


def test_pages_are_newest_first_and_keyset(store) -> None:
    async def main():
        await store.append_many([msg("c", i) for i in range(1, 11)] + [msg("other", 5)])
        first = await store.page("c", limit=4)
        assert [m.message_id for m in first.messages] == [10, 9, 8, 7]
        assert first.has_more and first.next_before == 7
        second = await store.page("c", before=first.next_before, limit=4)
        assert [m.message_id for m in second.messages] == [6, 5, 4, 3]
        last = await store.page("c", before=second.next_before, limit=4)
        assert [m.message_id for m in last.messages] == [2, 1] and not last.has_more
        newer = await store.page("c", after=3, limit=3)
        assert [m.message_id for m in newer.messages] == [6, 5, 4] and newer.has_more and newer.next_after == 6
        empty = await store.page("nobody", limit=5)
        assert empty.messages == [] and not empty.has_more

    arun(main())


def test_range_after_a_cursor_is_ascending_and_bounded(store) -> None:
    async def main():
        await store.append_many([msg("c", i) for i in (3, 1, 7, 5, 9)])
        assert [m.message_id for m in await store.range_after("c", 3, 10)] == [5, 7, 9]
        assert [m.message_id for m in await store.range_after("c", 0, 2)] == [1, 3]
        assert await store.range_after("c", 9, 10) == []

    arun(main())


@settings(max_examples=40, deadline=None)
@given(ids=st.sets(st.integers(1, 10**12), min_size=0, max_size=120), limit=st.integers(1, 17))
def test_paging_back_through_a_channel_sees_every_message_once(tmp_path_factory, ids, limit) -> None:
    store = SqliteChatStore(tmp_path_factory.mktemp("pages") / "chat.sqlite3")

    async def main():
        await store.append_many([msg("c", i) for i in ids])
        seen: list[int] = []
        before = None
        while True:
            page = await store.page("c", before=before, limit=limit)
            seen += [m.message_id for m in page.messages]
            if not page.has_more:
                break
            before = page.next_before
        assert seen == sorted(ids, reverse=True)
        forward: list[int] = []
        after = 0
        while True:
            batch = await store.range_after("c", after, limit)
            if not batch:
                break
            forward += [m.message_id for m in batch]
            after = batch[-1].message_id
        assert forward == sorted(ids)

    try:
        arun(main())
    finally:
        store.close()


def test_a_retried_send_is_stored_once(store) -> None:
    async def main():
        first = msg("c", 1, cmid="abc")
        retry = Message("c", 2, "alice", "text 1", "abc", "text", 2)  # same client id, a new server id
        assert await store.append_many([first]) == 1
        assert await store.append_many([retry, first]) == 0
        assert await store.count("c") == 1
        found = await store.find_client_message("c", "alice", "abc")
        assert found is not None and found.message_id == 1
        # Another sender may use the same client id.
        assert await store.append_many([Message("c", 3, "bob", "hi", "abc", "text", 3)]) == 1
        assert store.stats.duplicates_ignored == 2

    arun(main())


def test_pages_and_limits_are_checked(store) -> None:
    async def main():
        for bad in (0, 501, -3):
            with pytest.raises(ChatError, match="limit"):
                await store.page("c", limit=bad)
        with pytest.raises(ChatError, match="either before or after"):
            await store.page("c", before=5, after=1)
        with pytest.raises(ChatError, match="cursor"):
            await store.conversations("bob", cursor="garbage")

    arun(main())


def test_channels_members_and_conversation_pages(store) -> None:
    async def main():
        for i in range(5):
            await store.create_channel(f"ch{i}", "group", f"Group {i}", ["bob", f"u{i}"], 0)
        assert not await store.create_channel("ch0", "group", "again", ["zed"], 0)
        assert await store.members("ch0") == ["bob", "u0"]
        await store.add_members("ch0", ["zed"])
        await store.remove_member("ch0", "u0")
        assert await store.members("ch0") == ["bob", "zed"]
        assert await store.channels_of("bob") == [f"ch{i}" for i in range(5)]
        # Activity: ch3 newest, then ch1, then the silent ones.
        await store.append_many([msg("ch1", 10), msg("ch3", 20), msg("ch1", 5)])
        page = await store.conversations("bob", limit=2)
        assert [c.channel_id for c in page.conversations] == ["ch3", "ch1"] and page.has_more
        assert page.conversations[0].last_message_id == 20
        rest = await store.conversations("bob", limit=2, cursor=page.next_cursor)
        tail = await store.conversations("bob", limit=2, cursor=rest.next_cursor)
        assert [c.channel_id for c in rest.conversations + tail.conversations] == ["ch4", "ch2", "ch0"]
        assert tail.next_cursor is None and not tail.has_more
        assert (await store.channel("ch3")).kind == "group" and await store.channel("nope") is None

    arun(main())


def test_receipts_keep_the_highest_and_mark_messages_delivered(store) -> None:
    async def main():
        await store.create_channel("dm", "direct", "a & b", ["alice", "bob"], 0)
        await store.append_many([msg("dm", i, "alice") for i in (1, 2, 3)] + [msg("dm", 4, "bob")])
        await store.append_many([], [Receipt("dm", "bob", 2)])
        await store.append_many([], [Receipt("dm", "bob", 1)])  # older: ignored
        assert await store.receipts_of("bob") == {"dm": 2}
        page = await store.page("dm", limit=10)
        status = {m.message_id: m.status for m in page.messages}
        assert status == {1: "delivered", 2: "delivered", 3: "sent", 4: "sent"}

    arun(main())


@given(a=st.text(min_size=1, max_size=8), b=st.text(min_size=1, max_size=8), c=st.text(min_size=1, max_size=8))
def test_direct_channel_ids_are_stable_and_never_collide(a, b, c) -> None:
    if a == b:
        with pytest.raises(ChatError):
            direct_channel_id(a, b)
        return
    assert direct_channel_id(a, b) == direct_channel_id(b, a)
    if c not in (a, b):
        assert direct_channel_id(a, c) != direct_channel_id(a, b)


def test_a_closed_store_refuses_writes(tmp_path) -> None:
    store = SqliteChatStore(tmp_path / "x.sqlite3")
    store.close()
    store.close()  # twice is fine
    with pytest.raises(ChatError, match="closed"):
        arun(store.append_many([msg("c", 1)]))
