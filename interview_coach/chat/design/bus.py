"""Server-to-server routing: publish an envelope to a topic, every subscriber gets it, in order.

The chapter routes with Redis Pub/Sub: each chat server subscribes to its own channel
(`server:<id>`, so a message is addressed to a server, not to a user) and, for typing
indicators, to a room's channel (`room:<id>:typing`) while one of its users has the room
open. Like Pub/Sub, the bus is fire-and-forget: nothing is stored, a server that is not
subscribed misses the envelope, and that is fine because the message store is the truth and
sync fills any gap.

`InProcessBus` is the embedded engine's: one asyncio queue and one consumer task per
subscription, so `publish` returns at once (as a Pub/Sub PUBLISH does) and a subscriber sees
envelopes in publish order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


def server_topic(server_id: str) -> str:
    return f"server:{server_id}"


def room_typing_topic(channel_id: str) -> str:
    return f"room:{channel_id}:typing"


@dataclass(frozen=True, slots=True)
class Envelope:
    kind: str  # "message" or "typing"
    payload: dict[str, Any]
    recipients: tuple[str, ...] = ()  # users the receiving server should hand it to
    origin: str = ""  # the server that published it

    def to_json(self) -> str:
        return json.dumps(
            {"kind": self.kind, "payload": self.payload, "recipients": list(self.recipients), "origin": self.origin},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Envelope:
        data = json.loads(raw)
        return cls(data["kind"], data["payload"], tuple(data.get("recipients", ())), data.get("origin", ""))


Handler = Callable[[Envelope], Awaitable[None]]


class Bus(Protocol):
    async def subscribe(self, topic: str, handler: Handler) -> None: ...

    async def unsubscribe(self, topic: str, handler: Handler) -> None: ...

    async def publish(self, topic: str, envelope: Envelope) -> int:
        """Hand the envelope to every subscriber of `topic`; return how many there were."""
        ...


@dataclass
class BusStats:
    published: int = 0  # publish calls (one per addressed server)
    delivered: int = 0  # envelopes handed to subscribers
    dropped: int = 0  # published to a topic nobody listened on
    handler_errors: int = 0
    last_error: str | None = None
    by_topic: dict[str, int] = field(default_factory=dict)


class Subscription:
    """One subscriber of a topic: its own queue and consumer task (both buses use it).

    A slow handler delays only its own subscription, and it sees envelopes in publish order.
    """

    __slots__ = ("handler", "queue", "task", "topic")

    def __init__(self, topic: str, handler: Handler, stats: BusStats, task_name: str) -> None:
        self.topic = topic
        self.handler = handler
        self.queue: asyncio.Queue[Envelope] = asyncio.Queue()
        self.task: asyncio.Task[None] = asyncio.get_running_loop().create_task(self._consume(stats), name=task_name)

    async def _consume(self, stats: BusStats) -> None:
        queue, handler = self.queue, self.handler
        while True:
            envelope = await queue.get()
            try:
                stats.delivered += 1
                await handler(envelope)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one bad envelope must not stop the server's routing
                log.debug("bus handler failed on topic %s", self.topic, exc_info=True)
                stats.handler_errors += 1
                stats.last_error = f"{type(exc).__name__}: {exc}"
            finally:
                queue.task_done()


class InProcessBus:
    def __init__(self) -> None:
        self._topics: dict[str, list[Subscription]] = {}
        self.stats = BusStats()

    async def subscribe(self, topic: str, handler: Handler) -> None:
        sub = Subscription(topic, handler, self.stats, f"bus:{topic}")
        self._topics.setdefault(topic, []).append(sub)

    async def unsubscribe(self, topic: str, handler: Handler) -> None:
        subs = self._topics.get(topic, [])
        for sub in [s for s in subs if s.handler == handler]:
            subs.remove(sub)
            await self._stop(sub)
        if not subs:
            self._topics.pop(topic, None)

    async def publish(self, topic: str, envelope: Envelope) -> int:
        self.stats.published += 1
        self.stats.by_topic[topic] = self.stats.by_topic.get(topic, 0) + 1
        subs = self._topics.get(topic)
        if not subs:
            self.stats.dropped += 1
            return 0
        for sub in subs:
            sub.queue.put_nowait(envelope)
        return len(subs)

    async def drain(self) -> None:
        """Wait until every subscriber has handled everything published so far (tests, demos)."""
        while True:
            published = self.stats.published
            for subs in list(self._topics.values()):
                for sub in list(subs):
                    await sub.queue.join()
            if self.stats.published == published:  # nothing new was published meanwhile
                return

    def subscribers(self, topic: str) -> int:
        return len(self._topics.get(topic, ()))

    def depth(self) -> int:
        return sum(s.queue.qsize() for subs in self._topics.values() for s in subs)

    async def _stop(self, sub: Subscription) -> None:
        sub.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sub.task

    async def close(self) -> None:
        for subs in list(self._topics.values()):
            for sub in subs:
                await self._stop(sub)
        self._topics.clear()
