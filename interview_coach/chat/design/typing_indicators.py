"""Typing indicators: ephemeral, throttled at the sender, faded at the receiver.

(Named `typing_indicators` so it never shadows the standard library's `typing`.)

Following the chapter, an indicator is never stored and never queued: the chat server
publishes it straight to the room's Pub/Sub topic and forgets it. Three small pieces keep a
10,000-member room from drowning in them:

* `RoomPresence` (per server): which local users have the room open (`enter_room` /
  `leave_room`). A server subscribes to a room's typing topic only while one of its users has
  the room open, and hands an indicator only to those users — idle members never see it.
* `TypingThrottle` (sender side, enforced by the server too): at most one indicator per user
  and room every 5 s, however fast the keys go.
* `TypingView` (receiver side): shows "X is typing" and lets it fade 6 s after the last
  refresh, so a lost "stopped typing" can never leave the dots on forever.

All three take the injected clock, so the 5 s and 6 s are tested with a fake clock.
"""

from __future__ import annotations

from interview_coach.clock import Clock
from interview_coach.errors import UsageError

THROTTLE_S = 5.0
EXPIRY_S = 6.0


class TypingThrottle:
    def __init__(self, clock: Clock, interval: float = THROTTLE_S) -> None:
        if interval < 0:
            raise UsageError(f"throttle interval {interval} s must not be negative")
        self._clock = clock
        self.interval = interval
        self._last: dict[tuple[str, str], float] = {}
        self.allowed = 0
        self.throttled = 0

    def allow(self, user_id: str, channel_id: str) -> bool:
        now = self._clock.monotonic()
        key = (user_id, channel_id)
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            self.throttled += 1
            return False
        self._last[key] = now
        self.allowed += 1
        if len(self._last) > 10_000:  # forget senders idle past the window
            self._last = {k: t for k, t in self._last.items() if now - t < self.interval}
        return True


class TypingView:
    def __init__(self, clock: Clock, expiry: float = EXPIRY_S) -> None:
        if expiry <= 0:
            raise UsageError(f"typing expiry {expiry} s must be positive")
        self._clock = clock
        self.expiry = expiry
        self._until: dict[str, dict[str, float]] = {}  # channel -> user -> shown until
        self.received = 0

    def on_typing(self, channel_id: str, user_id: str) -> None:
        self.received += 1
        self._until.setdefault(channel_id, {})[user_id] = self._clock.monotonic() + self.expiry

    def on_message(self, channel_id: str, sender_id: str) -> None:
        """Their message arrived: the dots go at once."""
        self._until.get(channel_id, {}).pop(sender_id, None)

    def typing(self, channel_id: str) -> list[str]:
        now = self._clock.monotonic()
        room = self._until.get(channel_id)
        if not room:
            return []
        for user in [u for u, until in room.items() if until <= now]:
            del room[user]
        return sorted(room)

    def is_typing(self, channel_id: str, user_id: str) -> bool:
        return user_id in self.typing(channel_id)


class RoomPresence:
    def __init__(self) -> None:
        self._viewers: dict[str, set[str]] = {}
        self._rooms: dict[str, set[str]] = {}

    def enter(self, user_id: str, channel_id: str) -> bool:
        """Mark the room open for the user; True when they are the server's first viewer of it."""
        viewers = self._viewers.setdefault(channel_id, set())
        first = not viewers
        viewers.add(user_id)
        self._rooms.setdefault(user_id, set()).add(channel_id)
        return first

    def leave(self, user_id: str, channel_id: str) -> bool:
        """Mark the room closed for the user; True when nobody on this server has it open now."""
        viewers = self._viewers.get(channel_id)
        if not viewers or user_id not in viewers:
            return False
        viewers.discard(user_id)
        rooms = self._rooms.get(user_id)
        if rooms is not None:
            rooms.discard(channel_id)
            if not rooms:
                del self._rooms[user_id]
        if not viewers:
            del self._viewers[channel_id]
            return True
        return False

    def leave_all(self, user_id: str) -> list[str]:
        """The user disconnected: close every room; return the rooms now without viewers."""
        return [c for c in list(self._rooms.get(user_id, ())) if self.leave(user_id, c)]

    def viewers(self, channel_id: str) -> frozenset[str]:
        return frozenset(self._viewers.get(channel_id, ()))

    def rooms_of(self, user_id: str) -> frozenset[str]:
        return frozenset(self._rooms.get(user_id, ()))
