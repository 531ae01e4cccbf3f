"""Routing a stored message to its recipients, and the fan-out queue that does it for groups.

`Router.route()` is the chapter's "local session routing optimisation", used for every message:
one batched registry lookup for all recipients, recipients grouped by the server that holds
them, and ONE bus envelope per server carrying the payload and that server's list of users —
never one per member. Recipients without a live session (and those on a server that no longer
listens) go to the push sink in one call.

For a group the chat server does not route inline: it acknowledges the sender once the message
is journaled and drops it on the fan-out queue (Kafka's place in the chapter). A pool of
workers takes jobs, reads the roster from the group service and routes. Jobs are partitioned
by channel, as Kafka partitions by key, so one channel's messages are routed in order while
different channels proceed in parallel.

The in-process queue lives in memory: a crash can lose a message's live delivery and its
push, never the message (it is journaled before the ack; members get it by sync).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from interview_coach.chat.design.bus import Bus, Envelope, server_topic
from interview_coach.chat.design.groups import GroupService
from interview_coach.chat.design.push import PushSink
from interview_coach.chat.design.registry import SessionRegistry
from interview_coach.chat.design.store import Message
from interview_coach.chat.design.tracing import Tracer
from interview_coach.errors import UsageError

log = logging.getLogger(__name__)


@dataclass
class RouteReport:
    message_id: int
    channel_id: str
    recipients: int
    registry_lookups: int
    by_server: dict[str, int] = field(default_factory=dict)  # server -> recipients it got
    bus_messages: int = 0
    pushed: int = 0
    seconds: float = 0.0


def server_label(server_id: str) -> str:
    return f"Chat server {server_id}"


class Router:
    def __init__(
        self,
        registry: SessionRegistry,
        bus: Bus,
        push: PushSink,
        *,
        tracer: Tracer | None = None,
        timer: Callable[[], float] | None = None,
    ) -> None:
        self.registry = registry
        self.bus = bus
        self.push = push
        self.tracer = tracer
        self._timer = timer

    async def route(self, message: Message, recipients: Sequence[str], *, origin: str, actor: str) -> RouteReport:
        started = self._timer() if self._timer else 0.0
        tracer = self.tracer
        if tracer is not None:
            who = recipients[0] if len(recipients) == 1 else f"{len(recipients):,} users"
            tracer.arrow(actor, "Session registry", f"lookup {who} (one batched call)")
        found = await self.registry.lookup_many(recipients)
        by_server: dict[str, list[str]] = {}
        offline: list[str] = []
        for user in recipients:
            server = found.get(user)
            if server is None:
                offline.append(user)
            else:
                by_server.setdefault(server, []).append(user)
        if tracer is not None:
            where = ", ".join(f"{len(u):,} on {s}" for s, u in by_server.items()) or "nobody online"
            tracer.arrow("Session registry", actor, where + (f"; {len(offline):,} offline" if offline else ""), reply=True)
        report = RouteReport(message.message_id, message.channel_id, len(recipients), registry_lookups=1)
        payload = message.to_dict()
        for server, users in by_server.items():
            if tracer is not None:
                who = users[0] if len(users) == 1 else f"{len(users):,} recipients"
                tracer.arrow(actor, "Bus", f"publish server:{server} (1 envelope for {who})")
            listeners = await self.bus.publish(server_topic(server), Envelope("message", payload, tuple(users), origin))
            report.bus_messages += 1
            if listeners:
                report.by_server[server] = len(users)
            else:  # the server died and its registry entries have not expired yet
                offline.extend(users)
        if offline:
            if tracer is not None:
                who = offline[0] if len(offline) == 1 else f"{len(offline):,} users"
                tracer.arrow(actor, "Push service", f"notify {who} (offline)")
            await self.push.notify(offline, message)
            report.pushed = len(offline)
        if self._timer:
            report.seconds = self._timer() - started
        return report


# ---------------------------------------------------------------------- the fan-out queue


class FanoutQueue(Protocol):
    async def submit(self, message: Message, origin: str = "") -> None:
        """Queue a group message (sent through server `origin`) for routing; returns at once."""
        ...

    async def join(self) -> None:
        """Wait until every submitted message has been routed."""
        ...


@dataclass
class FanoutStats:
    submitted: int = 0
    routed: int = 0
    errors: int = 0
    last_error: str | None = None


class InProcessFanout:
    def __init__(
        self,
        router: Router,
        groups: GroupService,
        *,
        workers: int = 4,
        tracer: Tracer | None = None,
        keep_reports: int = 100,
    ) -> None:
        if workers < 1:
            raise UsageError(f"a fan-out pool needs 1 or more workers, not {workers}")
        self.router = router
        self.groups = groups
        self.workers = workers
        self.tracer = tracer
        self.stats = FanoutStats()
        self.reports: deque[RouteReport] = deque(maxlen=keep_reports)
        self._queues: list[asyncio.Queue[tuple[Message, str]]] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._queues = [asyncio.Queue() for _ in range(self.workers)]
        self._tasks = [loop.create_task(self._work(i), name=f"fanout-worker-{i}") for i in range(self.workers)]

    def partition(self, channel_id: str) -> int:
        return zlib.crc32(channel_id.encode()) % self.workers

    async def submit(self, message: Message, origin: str = "") -> None:
        if not self._queues:
            raise UsageError("the fan-out pool is not started", "await start() first")
        self.stats.submitted += 1
        part = self.partition(message.channel_id)
        if self.tracer is not None:
            self.tracer.arrow(
                server_label(origin) if origin else "Chat server",
                "Fan-out queue",
                f"enqueue {message.message_id} (partition {part})",
            )
        self._queues[part].put_nowait((message, origin))

    async def _work(self, index: int) -> None:
        queue = self._queues[index]
        actor = f"Fan-out worker {index}"
        while True:
            message, origin = await queue.get()
            try:
                if self.tracer is not None:
                    self.tracer.arrow("Fan-out queue", actor, f"take {message.message_id}")
                    self.tracer.arrow(actor, "Group service", f"roster of {message.channel_id}")
                roster = await self.groups.members(message.channel_id)
                recipients = [m for m in roster if m != message.sender_id]
                report = await self.router.route(message, recipients, origin=origin, actor=actor)
                self.reports.append(report)
                self.stats.routed += 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bad job must not kill the worker; sync still has the message
                log.debug("fan-out of a message failed", exc_info=True)
                self.stats.errors += 1
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
            finally:
                queue.task_done()

    async def join(self) -> None:
        for queue in self._queues:
            await queue.join()

    def depth(self) -> int:
        return sum(q.qsize() for q in self._queues)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
