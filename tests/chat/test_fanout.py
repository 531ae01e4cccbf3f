"""Group fan-out: one batched lookup, one bus message per server, push for the offline."""

from __future__ import annotations

import pytest

from interview_coach.chat.design.errors import ChatError
from interview_coach.errors import UsageError


def test_a_group_message_fans_out_with_one_lookup_and_one_envelope_per_server(with_cluster) -> None:
    async def body(chat):
        members = [f"u{i:04d}" for i in range(1000)]
        group = await chat.groups.create_group("big", members)
        clients = {}
        for i, user in enumerate(members[:800]):  # 200 stay offline
            clients[user] = await chat.client(user, "ABCD"[i % 4], sync=False)
        lookups = chat.registry.stats.lookup_calls
        ack = await clients["u0000"].send("hello all", channel_id=group.channel_id)
        await chat.settle()
        assert chat.registry.stats.lookup_calls - lookups == 1
        assert chat.bus.stats.published == 4
        assert sorted(chat.bus.stats.by_topic) == ["server:A", "server:B", "server:C", "server:D"]
        report = chat.fanout.reports[-1]
        assert report.bus_messages == 4 and report.pushed == 200 and sum(report.by_server.values()) == 799
        assert sorted(n.user_id for n in chat.push.notifications) == members[800:]
        assert chat.push.calls == 1  # one batched hand-off to the push service
        got = [u for u, c in clients.items() if c.live_frames.get((ack.channel_id, ack.message_id)) == 1]
        assert len(got) == 799 and "u0000" not in got

    with_cluster(body, servers=("A", "B", "C", "D"))


def test_group_messages_keep_their_order_with_many_workers(with_cluster) -> None:
    async def body(chat):
        groups = [await chat.groups.create_group(f"g{i}", ["alice", "bob", "carol"]) for i in range(5)]
        alice = await chat.client("alice", "A")
        bob = await chat.client("bob", "B")
        carol = await chat.client("carol", "A")
        sent = {g.channel_id: [] for g in groups}
        for i in range(40):
            for g in groups:
                sender = (alice, carol)[i % 2]
                sent[g.channel_id].append((await sender.send(f"{i}", channel_id=g.channel_id)).message_id)
        await chat.settle()
        for g in groups:
            arrived = [mid for ch, mid, via in bob.state.arrivals if ch == g.channel_id]
            assert arrived == sent[g.channel_id]  # live, in send order: one partition per channel

    with_cluster(body, fanout_workers=4)


def test_a_dead_server_in_the_registry_means_push(with_cluster) -> None:
    async def body(chat):
        group = await chat.groups.create_group("g", ["alice", "bob"])
        alice = await chat.client("alice", "A")
        await chat.registry.register("bob", "ghost")  # a server that died; its entry has not expired
        ack = await alice.send("anyone?", channel_id=group.channel_id)
        await chat.settle()
        assert [n.user_id for n in chat.push.notifications] == ["bob"]
        assert chat.fanout.reports[-1].by_server == {} and chat.bus.stats.dropped == 1
        assert ack.message_id

    with_cluster(body)


def test_group_service_rules(with_cluster) -> None:
    async def body(chat):
        with pytest.raises(ChatError, match="at least two"):
            await chat.groups.create_group("solo", ["alice"])
        with pytest.raises(ChatError, match="name"):
            await chat.groups.create_group("", ["alice", "bob"])
        g = await chat.groups.create_group("g", ["alice", "bob", "alice"], channel_id="group:g")
        assert await chat.groups.members("group:g") == ("alice", "bob")
        with pytest.raises(ChatError, match="exists"):
            await chat.groups.create_group("g", ["alice", "bob"], channel_id="group:g")
        await chat.groups.add_members(g.channel_id, ["carol"])
        await chat.groups.remove_member(g.channel_id, "alice")
        assert await chat.groups.members(g.channel_id) == ("bob", "carol")
        chat.groups.forget()
        assert await chat.groups.members(g.channel_id) == ("bob", "carol")  # re-read from the store
        dm = await chat.groups.ensure_direct("bob", "carol")
        with pytest.raises(ChatError, match="direct"):
            await chat.groups.add_members(dm, ["dave"])

    with_cluster(body)


def test_a_fanout_pool_needs_workers(with_cluster) -> None:
    with pytest.raises(UsageError):
        with_cluster(lambda chat: None, fanout_workers=0)
