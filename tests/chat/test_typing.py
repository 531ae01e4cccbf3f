"""Typing indicators: throttle, fade, room filters — and never stored or queued."""

from __future__ import annotations

from interview_coach.chat.design.typing_indicators import RoomPresence, TypingThrottle, TypingView
from interview_coach.clock import FakeClock


def test_the_sender_is_throttled_to_one_per_5_seconds() -> None:
    clock = FakeClock()
    throttle = TypingThrottle(clock)
    sent = []
    for step in range(30):  # a keystroke every 0.5 s for 15 s
        if throttle.allow("alice", "room"):
            sent.append(step * 0.5)
        clock.advance(0.5)
    assert sent == [0.0, 5.0, 10.0]
    assert throttle.throttled == 27
    assert throttle.allow("alice", "other-room")  # per room
    assert throttle.allow("bob", "room")  # per user


def test_the_receivers_indicator_fades_6_seconds_after_the_last_refresh() -> None:
    clock = FakeClock()
    view = TypingView(clock)
    view.on_typing("room", "alice")
    clock.advance(5.9)
    assert view.typing("room") == ["alice"]
    view.on_typing("room", "alice")  # refreshed at 5.9 s
    clock.advance(5.9)
    assert view.is_typing("room", "alice")
    clock.advance(0.2)  # 6.1 s after the refresh
    assert view.typing("room") == []
    view.on_typing("room", "bob")
    view.on_message("room", "bob")  # the message itself arrived: the dots go at once
    assert view.typing("room") == []


def test_room_presence_tracks_first_and_last_viewer() -> None:
    rooms = RoomPresence()
    assert rooms.enter("bob", "r") is True
    assert rooms.enter("carol", "r") is False
    assert rooms.leave("bob", "r") is False
    assert rooms.leave("bob", "r") is False  # not in it any more
    rooms.enter("carol", "s")
    assert sorted(rooms.leave_all("carol")) == ["r", "s"]
    assert rooms.viewers("r") == frozenset() and rooms.rooms_of("carol") == frozenset()


def test_only_users_with_the_room_open_get_indicators_and_nothing_is_stored(with_cluster) -> None:
    async def body(chat):
        members = ["alice", "bob", "carol", "dave", "erin"]
        room = (await chat.groups.create_group("room", members)).channel_id
        clients = {u: await chat.client(u, "AB"[i % 2], sync=False) for i, u in enumerate(members)}
        for user in ("alice", "bob", "carol"):
            await clients[user].enter_room(room)
        puts, rows = chat.persist.stats.puts, await chat.store.count()
        for _ in range(10):  # ten keystrokes in the same instant: one indicator
            await clients["alice"].typing(room)
        await chat.settle()
        got = {u: c.typing_view.received for u, c in clients.items()}
        assert got == {"alice": 0, "bob": 1, "carol": 1, "dave": 0, "erin": 0}
        assert clients["bob"].typing_view.typing(room) == ["alice"]
        assert chat.persist.stats.puts == puts and await chat.store.count() == rows
        assert chat.server("A").stats.typing_throttled == 9
        # carol closes the room: the next indicator (5 s later) skips her
        await clients["carol"].leave_room(room)
        chat.clock.advance(5)
        assert await clients["alice"].typing(room)
        await chat.settle()
        assert clients["carol"].typing_view.received == 1 and clients["bob"].typing_view.received == 2
        # a server with no viewer left unsubscribes from the room's topic (bob was B's only one)
        topic = f"room:{room}:typing"
        assert chat.bus.subscribers(topic) == 2
        await clients["bob"].disconnect()
        assert chat.bus.subscribers(topic) == 1

    with_cluster(body)
