"""Server-to-server routing: publish an envelope to a topic, every subscriber gets it, in order.

The chapter routes with Redis Pub/Sub: each chat server subscribes to its own channel
(`server:<id>`, so a message is addressed to a server, not to a user) and, for typing
indicators, to a room's channel (`room:<id>:typing`) while one of its users has the room
open. Like Pub/Sub, the bus is fire-and-forget: nothing is stored, a server that is not
subscribed misses the envelope, and that is fine because the message store is the truth and
sync fills any gap.

`InProcessBus` is the embedded engine's: one asyncio queue and one consumer task per
subscription, so `publish` returns at once (as a Pub/Sub PUBLISH does) and a subscriber sees
envelopes in publish order. The service's (`inline=True`) skips the queue when a subscription
is idle and runs its handler in the publisher's call (see `InlineSubscription`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from interview_coach.chat.design.eager import resume, step

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


class InlineSubscription(Subscription):
    """A subscription whose handler runs inside `publish` when nothing of the topic is pending.

    Handing an envelope to a consumer task costs a queue put, a task wake-up and a loop turn; a
    chat server's handler mostly just queues a frame on a socket and never suspends. So an
    envelope that finds the subscription idle is handled at once, in the publisher's call; if
    the handler does suspend, a task finishes it, and envelopes published meanwhile queue behind
    it for the consumer, which waits for it first: the subscriber still sees publish order.
    """

    __slots__ = ("consuming", "finishing")

    def __init__(self, topic: str, handler: Handler, stats: BusStats, task_name: str) -> None:
        self.consuming = False  # the consumer holds an envelope (from get() until its handler is done)
        self.finishing: asyncio.Task[None] | None = None  # an inline handler that suspended
        super().__init__(topic, handler, stats, task_name)

    def offer(self, envelope: Envelope, stats: BusStats) -> None:
        if self.consuming or self.finishing is not None or not self.queue.empty():
            self.queue.put_nowait(envelope)
            return
        stats.delivered += 1
        coro = self.handler(envelope)
        try:
            done, yielded = step(coro)  # type: ignore[arg-type]
            if done:
                return  # handled, never suspended: the common case
        except Exception as exc:  # noqa: BLE001 - one bad envelope must not stop the publisher or the routing (logged)
            self._failed(exc, stats)
            return
        self.finishing = asyncio.get_running_loop().create_task(self._finish(coro, yielded, stats))  # type: ignore[arg-type]

    async def _finish(self, coro: Coroutine[Any, Any, None], yielded: Any, stats: BusStats) -> None:
        try:
            await resume(coro, yielded)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - as in offer()
            self._failed(exc, stats)
        finally:
            self.finishing = None

    def _failed(self, exc: Exception, stats: BusStats) -> None:
        log.debug("bus handler failed on topic %s", self.topic, exc_info=exc)
        stats.handler_errors += 1
        stats.last_error = f"{type(exc).__name__}: {exc}"

    async def _consume(self, stats: BusStats) -> None:
        queue, handler = self.queue, self.handler
        while True:
            envelope = await queue.get()
            self.consuming = True
            try:
                while self.finishing is not None:  # an inline handler that suspended goes first
                    await asyncio.shield(self.finishing)
                stats.delivered += 1
                await handler(envelope)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - as in offer()
                self._failed(exc, stats)
            finally:
                self.consuming = False
                queue.task_done()

    async def idle(self) -> None:
        """Wait until everything offered so far is handled."""
        while True:
            if self.finishing is not None:
                await asyncio.shield(self.finishing)
            await self.queue.join()
            if self.finishing is None and self.queue.empty():
                return


class InProcessBus:
    """`inline=True` (the service's): handlers run inside publish when their subscription is idle
    (`InlineSubscription`); by default each envelope goes through the subscriber's queue."""

    def __init__(self, *, inline: bool = False) -> None:
        self._topics: dict[str, list[Subscription]] = {}
        self.stats = BusStats()
        self.inline = inline

    async def subscribe(self, topic: str, handler: Handler) -> None:
        kind = InlineSubscription if self.inline else Subscription
        sub = kind(topic, handler, self.stats, f"bus:{topic}")
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
        if not self.inline:
            for sub in subs:
                sub.queue.put_nowait(envelope)
            return len(subs)
        count = len(subs)
        for sub in tuple(subs):  # a handler may unsubscribe (a connection that failed) as it runs
            sub.offer(envelope, self.stats)  # type: ignore[attr-defined]
        return count

    async def drain(self) -> None:
        """Wait until every subscriber has handled everything published so far (tests, demos)."""
        while True:
            published = self.stats.published
            for subs in list(self._topics.values()):
                for sub in list(subs):
                    if isinstance(sub, InlineSubscription):
                        await sub.idle()
                    else:
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
