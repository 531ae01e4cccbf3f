"""The chat server: routing, acks, idempotent retries, offline push, receipts, drain."""

from __future__ import annotations

import pytest

from interview_coach.chat.design.errors import ChatError, NotMemberError, UnknownChannelError


def test_a_message_crosses_servers_and_is_acknowledged(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        bob = await chat.client("bob", "B")
        ack = await alice.send("hi bob", to="bob")
        assert ack.channel_id == "dm:alice:bob" and not ack.duplicate
        await chat.settle()
        assert [m.text for m in bob.state.timeline(ack.channel_id)] == ["hi bob"]
        assert chat.bus.stats.by_topic == {"server:B": 1}
        assert chat.server("B").stats.delivered_live == 1
        assert chat.push.notifications == []
        # bob acknowledged; after a flush the receipt and the status are in the store
        assert chat.server("B").unacked("bob") == {}
        await chat.persist.flush()
        assert await chat.store.receipts_of("bob") == {ack.channel_id: ack.message_id}
        page = await chat.store.page(ack.channel_id, limit=5)
        assert page.messages[0].status == "delivered"

    with_cluster(body)


def test_same_server_delivery_and_both_directions(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        bob = await chat.client("bob", "A")
        a = await alice.send("one", to="bob")
        b = await bob.send("two", to="alice")
        await chat.settle()
        assert a.channel_id == b.channel_id
        for client in (alice, bob):
            assert [m.text for m in client.state.timeline(a.channel_id)] == ["one", "two"]

    with_cluster(body)


def test_a_retry_gets_the_first_ack_and_is_not_delivered_again(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        bob = await chat.client("bob", "B")
        first = await alice.send("pay 5 euros", to="bob", client_msg_id="tx-1")
        again = await alice.send("pay 5 euros", to="bob", client_msg_id="tx-1")
        assert again.duplicate and again.message_id == first.message_id
        await chat.persist.flush()
        # After the flush the store answers; through the other server too.
        third = await chat.server("B").send("alice", text="pay 5 euros", client_msg_id="tx-1", to="bob")
        assert third.duplicate and third.message_id == first.message_id
        await chat.settle()
        assert bob.live_frames[(first.channel_id, first.message_id)] == 1
        assert await chat.store.count() == 1
        assert chat.server("A").stats.duplicates == 1 and chat.server("B").stats.duplicates == 1

    with_cluster(body)


def test_an_offline_recipient_is_pushed_and_catches_up_by_sync(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        bob = await chat.client("bob", "B")
        await bob.disconnect()
        acks = [await alice.send(f"m{i}", to="bob") for i in range(3)]
        await chat.settle()
        assert [n.message_id for n in chat.push.for_user("bob")] == [a.message_id for a in acks]
        assert chat.bus.stats.published == 0  # server B was bypassed entirely
        await bob.connect(chat.server("A"))  # any server will do
        assert [m.text for m in bob.state.timeline(acks[0].channel_id)] == ["m0", "m1", "m2"]

    with_cluster(body)


def test_a_recipient_gone_before_the_envelope_arrives_is_pushed(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        bob = await chat.client("bob", "B")
        ack = await alice.send("racing", to="bob")  # routed to B; the envelope is on the bus
        await chat.server("B").disconnect("bob")
        await chat.settle()
        assert chat.server("B").stats.pushed_stale == 1
        assert chat.push.for_user("bob")[0].message_id == ack.message_id
        bob.server = None
        await bob.connect(chat.server("B"))
        assert bob.state.has(ack.channel_id, ack.message_id)

    with_cluster(body)


def test_unacknowledged_messages_come_back_through_sync(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        await chat.client("bob", "B", auto_ack=False)
        acked = await alice.send("one", to="bob")
        await chat.settle()
        await chat.server("B").delivered("bob", acked.message_id)  # bob acks the first only
        missed = await alice.send("two", to="bob")
        await chat.settle()
        assert chat.server("B").unacked("bob") == {missed.message_id: missed.channel_id}
        await chat.persist.flush()
        # bob's phone is replaced: no local state, so it syncs from the server's receipts
        result = await chat.sync.sync("bob", None)
        assert [m.message_id for m in result.channels[missed.channel_id].messages] == [missed.message_id]

    with_cluster(body)


def test_bad_sends_are_refused_with_clear_errors(with_cluster) -> None:
    async def body(chat):
        server = chat.server("A")
        group = await chat.groups.create_group("g", ["alice", "bob"])
        cases = [
            (dict(text="", client_msg_id="1", to="bob"), "non-empty"),
            (dict(text="x" * 10_001, client_msg_id="1", to="bob"), "too long"),
            (dict(text="hi", client_msg_id="", to="bob"), "client_msg_id"),
            (dict(text="hi", client_msg_id="1"), "exactly one"),
            (dict(text="hi", client_msg_id="1", to="bob", channel_id=group.channel_id), "exactly one"),
            (dict(text="hi", client_msg_id="1", to="alice"), "themselves"),
            (dict(text="hi", client_msg_id="1", to="bob", kind="video"), "kind"),
        ]
        for kwargs, words in cases:
            with pytest.raises(ChatError, match=words):
                await server.send("alice", **kwargs)
        with pytest.raises(NotMemberError):
            await server.send("mallory", text="hi", client_msg_id="1", channel_id=group.channel_id)
        with pytest.raises(UnknownChannelError):
            await server.send("alice", text="hi", client_msg_id="1", channel_id="group:nope")
        assert await chat.store.count() == 0 and chat.persist.depth == 0

    with_cluster(body)


def test_stop_drains_the_server(with_cluster) -> None:
    async def body(chat):
        alice = await chat.client("alice", "A")
        users = await chat.server("A").stop()
        assert users == ["alice"] and alice.reconnect_requests == 1
        assert await chat.registry.lookup("alice") is None
        with pytest.raises(ChatError, match="not accepting"):
            await chat.server("A").connect("carol", alice)
        await chat.server("A").start()  # so the cluster can close it again

    with_cluster(body)


def test_heartbeats_keep_sessions_alive_and_metrics_report(with_cluster) -> None:
    async def body(chat):
        await chat.client("alice", "A")
        await chat.pass_time(120)  # four TTLs, heartbeating as a live server does
        assert await chat.registry.lookup("alice") == "A"
        chat.clock.advance(31)  # a server that stops heartbeating loses its sessions
        assert await chat.registry.lookup("alice") is None
        metrics = chat.metrics()
        assert metrics["servers"][0]["connections"] == 1 and "write_behind_depth" in metrics

    with_cluster(body)
