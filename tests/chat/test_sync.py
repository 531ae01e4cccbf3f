"""Sync: per-channel cursors in, only missed messages out, in order; conversation pages."""

from __future__ import annotations

import pytest

from interview_coach.chat.design.errors import ChatError, NotMemberError
from interview_coach.chat.design.sync import parse_cursors


def test_only_the_missed_messages_of_each_channel_come_back_in_order(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        carol = await chat.client("carol", "A")
        bob = await chat.client("bob", "B")
        team = await chat.groups.create_group("team", ["alice", "bob", "carol"])
        await alice.send("seen 1", to="bob")
        await carol.send("seen 2", to="bob")
        await alice.send("seen 3", channel_id=team.channel_id)
        await chat.settle()
        cursors = bob.state.cursors()
        await bob.disconnect()
        await chat.pass_time(600)
        missed = {
            "a": [(await alice.send(f"a{i}", to="bob")).message_id for i in range(3)],
            "c": [(await carol.send(f"c{i}", to="bob")).message_id for i in range(2)],
            "t": [(await alice.send(f"t{i}", channel_id=team.channel_id)).message_id for i in range(4)],
        }
        await chat.settle()
        result = await chat.sync.sync("bob", cursors)
        by_channel = {c: [m.message_id for m in d.messages] for c, d in result.channels.items()}
        assert sorted(by_channel.values()) == sorted(missed.values())
        assert result.total == 9 and not result.has_more
        assert all(not d.new for d in result.channels.values())
        assert result.cursors == {c: max(ids) for c, ids in by_channel.items()}

    with_cluster(body)


def test_unflushed_messages_are_not_skipped(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        ack = await alice.send("just now", to="bob")
        assert await chat.store.count() == 0  # still in the write-behind queue
        result = await chat.sync.sync("bob", {})
        assert [m.message_id for m in result.channels[ack.channel_id].messages] == [ack.message_id]
        assert result.channels[ack.channel_id].new

    with_cluster(body, flush_interval=60)


def test_the_look_back_catches_a_late_smaller_id_and_the_client_drops_repeats(with_cluster) -> None:
    async def body(chat):
        # Two servers in the same millisecond: B's id beats A's, but A's becomes visible later.
        bob = await chat.client("bob", "A")
        group = await chat.groups.create_group("g", ["alice", "bob", "carol"])
        carol = await chat.client("carol", "B")
        late = await chat.client("alice", "A")
        first = await carol.send("from B", channel_id=group.channel_id)
        await chat.settle()
        await bob.disconnect()
        second = await late.send("from A, same ms", channel_id=group.channel_id)
        assert second.message_id < first.message_id  # node 0 < node 1 within one millisecond
        await chat.settle()
        await bob.connect(chat.server("A"))
        ids = [m.message_id for m in bob.state.timeline(group.channel_id)]
        assert ids == sorted([first.message_id, second.message_id])
        assert bob.state.duplicates_dropped == 0

    with_cluster(body)


def test_paging_through_a_long_absence(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        acks = [await alice.send(f"m{i}", to="bob") for i in range(25)]
        await chat.persist.flush()
        channel = acks[0].channel_id
        first = await chat.sync.sync("bob", {}, limit=10)
        assert len(first.channels[channel].messages) == 10 and first.has_more
        second = await chat.sync.sync("bob", first.cursors, limit=10)
        third = await chat.sync.sync("bob", second.cursors, limit=10)
        assert not third.has_more
        # All 25 share one (fake) millisecond, so each page also repeats the look-back window
        # below its cursor; paging still moves on, and the ids seen are exactly the 25.
        got = {m.message_id for r in (first, second, third) for m in r.channels[channel].messages}
        assert got == {a.message_id for a in acks}
        assert [first.cursors[channel], second.cursors[channel], third.cursors[channel]] == [
            acks[9].message_id, acks[19].message_id, acks[24].message_id
        ]
        bob = await chat.client("bob", "B")  # the client loops by itself
        assert len(bob.state.timeline(channel)) == 25

    with_cluster(body)


def test_sync_refuses_channels_that_are_not_yours_and_bad_cursors(with_cluster) -> None:
    async def body(chat):
        group = await chat.groups.create_group("private", ["alice", "carol"])
        with pytest.raises(NotMemberError):
            await chat.sync.sync("bob", {group.channel_id: 0})
        with pytest.raises(ChatError, match="limit"):
            await chat.sync.sync("alice", {}, limit=0)

    with_cluster(body)


@pytest.mark.parametrize(
    "raw",
    [[1, 2], {"c": -1}, {"c": "12"}, {"c": True}, {"": 3}, {f"c{i}": 0 for i in range(1001)}],
)
def test_bad_cursor_maps_are_refused(raw) -> None:
    with pytest.raises(ChatError):
        parse_cursors(raw)


def test_conversations_are_keyset_pages_newest_first(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        for friend in ["b", "c", "d", "e", "f"]:
            await alice.send("hi", to=friend)
        await alice.send("again", to="c")
        await chat.persist.flush()
        page = await chat.sync.conversations("alice", limit=2)
        names = [c.channel_id for c in page.conversations]
        assert names == ["dm:alice:c", "dm:alice:f"]
        seen = names
        while page.next_cursor:
            page = await chat.sync.conversations("alice", limit=2, cursor=page.next_cursor)
            seen += [c.channel_id for c in page.conversations]
        assert seen == ["dm:alice:c", "dm:alice:f", "dm:alice:e", "dm:alice:d", "dm:alice:b"]

    with_cluster(body)
