"""The session registry: which chat server holds each connected user.

The chapter keeps this in Redis (`user → server` keys with a TTL). A server registers a user
when the socket opens, refreshes all its users with one batched heartbeat, and removes them on
close; a server that dies simply stops heartbeating and its entries expire after `ttl`
seconds, so routing stops sending to it. `lookup_many` is the one pipelined read a group
fan-out makes for thousands of members instead of thousands of round trips.

Async protocol (Redis is a network call); `InMemoryRegistry` is the embedded engine's,
timed by the injected clock's monotonic seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from interview_coach.clock import Clock
from interview_coach.errors import UsageError

DEFAULT_TTL_S = 30.0  # a server heartbeats every ttl/3


class SessionRegistry(Protocol):
    async def register(self, user_id: str, server_id: str) -> None: ...

    async def unregister(self, user_id: str, server_id: str) -> None:
        """Remove the entry only if it still points at `server_id` (a newer login elsewhere wins)."""
        ...

    async def heartbeat(self, server_id: str, user_ids: Iterable[str]) -> None:
        """Refresh the TTL of every user this server holds, in one batch."""
        ...

    async def lookup(self, user_id: str) -> str | None: ...

    async def lookup_many(self, user_ids: Iterable[str]) -> dict[str, str]:
        """One batched read: the server of each user that is online (offline users are absent)."""
        ...


@dataclass
class RegistryStats:
    lookup_calls: int = 0  # single or batched: each is one round trip
    keys_looked_up: int = 0
    heartbeats: int = 0
    expired: int = 0


class InMemoryRegistry:
    def __init__(self, clock: Clock, ttl: float = DEFAULT_TTL_S) -> None:
        if ttl <= 0:
            raise UsageError(f"registry ttl {ttl} s must be positive")
        self._clock = clock
        self.ttl = ttl
        self._entries: dict[str, tuple[str, float]] = {}  # user -> (server, expires at, monotonic)
        self.stats = RegistryStats()

    async def register(self, user_id: str, server_id: str) -> None:
        self._entries[user_id] = (server_id, self._clock.monotonic() + self.ttl)

    async def unregister(self, user_id: str, server_id: str) -> None:
        entry = self._entries.get(user_id)
        if entry is not None and entry[0] == server_id:
            del self._entries[user_id]

    async def heartbeat(self, server_id: str, user_ids: Iterable[str]) -> None:
        expires = self._clock.monotonic() + self.ttl
        entries = self._entries
        for user_id in user_ids:
            entry = entries.get(user_id)
            # Like SET … XX on Redis: refresh our own entries, never steal one another server took.
            if entry is None or entry[0] == server_id:
                entries[user_id] = (server_id, expires)
        self.stats.heartbeats += 1

    async def lookup(self, user_id: str) -> str | None:
        self.stats.lookup_calls += 1
        self.stats.keys_looked_up += 1
        return self._live(user_id, self._clock.monotonic())

    async def lookup_many(self, user_ids: Iterable[str]) -> dict[str, str]:
        now = self._clock.monotonic()
        found: dict[str, str] = {}
        count = 0
        entries = self._entries
        for user_id in user_ids:
            count += 1
            entry = entries.get(user_id)
            if entry is None:
                continue
            if entry[1] <= now:
                del entries[user_id]
                self.stats.expired += 1
                continue
            found[user_id] = entry[0]
        self.stats.lookup_calls += 1
        self.stats.keys_looked_up += count
        return found

    def _live(self, user_id: str, now: float) -> str | None:
        entry = self._entries.get(user_id)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._entries[user_id]
            self.stats.expired += 1
            return None
        return entry[0]

    def online_count(self) -> int:
        now = self._clock.monotonic()
        return sum(1 for _, expires in self._entries.values() if expires > now)
