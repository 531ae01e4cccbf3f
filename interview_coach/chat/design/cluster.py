"""A whole chat deployment wired from its parts: the embedded engine, in one process.

`ChatCluster.embedded()` builds what the chapter draws — several chat servers, a session
registry, a bus between them, a write-behind queue in front of a message store, a group
service with a fan-out worker pool, a push sink and a sync service — from the in-process
implementations: SQLite files and a journal in one folder, nothing to start. Demos, tests and
benchmarks use it; a fleet engine (Redis registry/bus/counters, a shared store) builds a
`ChatCluster` from its own parts with the same constructor, since everything above the parts
only sees their protocols.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview_coach.chat.design.bus import InProcessBus
from interview_coach.chat.design.client import LocalClient
from interview_coach.chat.design.errors import ChatError
from interview_coach.chat.design.fanout import InProcessFanout, Router
from interview_coach.chat.design.groups import GroupService
from interview_coach.chat.design.ids import DEFAULT_MAX_DRIFT_MS, ChannelCounters, CounterIds, IdSource, Snowflake, SnowflakeIds
from interview_coach.chat.design.push import RecordingPushSink
from interview_coach.chat.design.registry import InMemoryRegistry
from interview_coach.chat.design.server import ChatServer
from interview_coach.chat.design.store import SqliteChatStore
from interview_coach.chat.design.sync import SyncService
from interview_coach.chat.design.tracing import Tracer
from interview_coach.chat.design.writebehind import WriteBehindQueue
from interview_coach.clock import Clock, FakeClock, SystemClock
from interview_coach.errors import UsageError

DEFAULT_SYNC_LOOKBACK_MS = 50  # the clock skew between nodes that sync tolerates


@dataclass
class ChatCluster:
    clock: Clock
    store: SqliteChatStore
    registry: InMemoryRegistry
    bus: InProcessBus
    persist: WriteBehindQueue
    groups: GroupService
    push: RecordingPushSink
    fanout: InProcessFanout
    sync: SyncService
    servers: dict[str, ChatServer] = field(default_factory=dict)
    id_sources: dict[str, IdSource] = field(default_factory=dict)
    tracer: Tracer | None = None
    _closed: bool = False

    @classmethod
    async def embedded(
        cls,
        folder: str | Path,
        *,
        servers: Sequence[str] = ("A", "B"),
        clock: Clock | None = None,
        server_clocks: Mapping[str, Clock] | None = None,
        ids: str = "snowflake",
        tracer: Tracer | None = None,
        journal: bool = True,
        durability: str = "process",
        batch_size: int = 512,
        flush_interval: float = 0.02,
        fanout_workers: int = 4,
        registry_ttl: float = 30.0,
        max_drift_ms: int = DEFAULT_MAX_DRIFT_MS,
        sync_lookback_ms: int = DEFAULT_SYNC_LOOKBACK_MS,
        timer: Callable[[], float] | None = None,
        inline_bus: bool = False,
    ) -> ChatCluster:
        if not servers:
            raise UsageError("a cluster needs at least one chat server")
        if len(set(servers)) != len(servers):
            raise UsageError("chat server ids must be unique")
        if ids not in ("snowflake", "counter"):
            raise UsageError(f"id scheme {ids!r} is unknown; use 'snowflake' or 'counter'")
        folder = Path(folder)
        clock = clock or SystemClock()
        store = SqliteChatStore(folder / "chat.sqlite3", synchronous="FULL" if durability == "disk" else "NORMAL")
        registry = InMemoryRegistry(clock, ttl=registry_ttl)
        bus = InProcessBus(inline=inline_bus)
        persist = WriteBehindQueue(
            store,
            folder / "journal" if journal else None,
            batch_size=batch_size,
            flush_interval=flush_interval,
            durability=durability,
            tracer=tracer,
        )
        await persist.start()
        groups = GroupService(store, clock)
        push = RecordingPushSink()
        router = Router(registry, bus, push, tracer=tracer, timer=timer)
        fanout = InProcessFanout(router, groups, workers=fanout_workers, tracer=tracer)
        await fanout.start()
        counters = ChannelCounters(floor=lambda ch: max(store.max_message_id_now(ch), persist.pending_max(ch)))
        sources: dict[str, IdSource] = {}
        for node, server_id in enumerate(servers):
            if ids == "counter":
                sources[server_id] = CounterIds(counters)  # one shared counter, as one Redis would be
            else:
                node_clock = (server_clocks or {}).get(server_id, clock)
                sources[server_id] = SnowflakeIds(Snowflake(node, node_clock, max_drift_ms=max_drift_ms))
        any_source = next(iter(sources.values()))
        sync = SyncService(store, store, persist, lookback_ids=any_source.lookback_ids(sync_lookback_ms), tracer=tracer)
        cluster = cls(clock, store, registry, bus, persist, groups, push, fanout, sync, tracer=tracer, id_sources=sources)
        for server_id in servers:
            server = ChatServer(
                server_id,
                ids=sources[server_id],
                registry=registry,
                bus=bus,
                persist=persist,
                store=store,
                groups=groups,
                push=push,
                fanout=fanout,
                clock=clock,
                tracer=tracer,
                timer=timer,
            )
            await server.start()
            cluster.servers[server_id] = server
        return cluster

    def server(self, server_id: str) -> ChatServer:
        try:
            return self.servers[server_id]
        except KeyError:
            raise ChatError(f"no chat server '{server_id}'", f"use one of: {', '.join(self.servers)}") from None

    async def client(
        self,
        user_id: str,
        server_id: str | None,
        *,
        auto_ack: bool = True,
        sync: bool = True,
        timer: Callable[[], float] | None = None,
    ) -> LocalClient:
        """A client for `user_id`, connected to `server_id` (None: created offline)."""
        client = LocalClient(user_id, self.sync, self.clock, auto_ack=auto_ack, timer=timer)
        if server_id is not None:
            await client.connect(self.server(server_id), sync=sync)
        return client

    async def settle(self) -> None:
        """Wait until every queued fan-out job and bus envelope has been handled."""
        while True:
            await self.fanout.join()
            await self.bus.drain()
            if self.fanout.depth() == 0 and self.bus.depth() == 0:
                return

    async def heartbeat(self) -> None:
        for server in self.servers.values():
            await server.heartbeat()

    async def pass_time(self, seconds: float) -> None:
        """Move a `FakeClock` forward, heartbeating as live servers would (every ttl/3)."""
        if not isinstance(self.clock, FakeClock):
            raise UsageError("pass_time needs a FakeClock; a real clock passes time by itself")
        step = self.registry.ttl / 3
        remaining = seconds
        while remaining > 0:
            moved = min(step, remaining)
            self.clock.advance(moved)
            remaining -= moved
            await self.heartbeat()

    def metrics(self) -> dict[str, Any]:
        return {
            "servers": [s.metrics() for s in self.servers.values()],
            "registry_online": self.registry.online_count(),
            "bus_depth": self.bus.depth(),
            "fanout_depth": self.fanout.depth(),
            "write_behind_depth": self.persist.depth,
        }

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self.settle()
            for server in self.servers.values():
                server.tracer = server.router.tracer = None  # shutting down is not part of any story
                await server.stop(notify=False)
            await self.fanout.close()
            await self.persist.close()
            await self.bus.close()
        finally:
            self.store.close()

    async def __aenter__(self) -> ChatCluster:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
