"""Sequence traces: the components say who sent what to whom, a recorder keeps it in order.

Every chat component takes an optional `Tracer`; with none (the default) tracing costs one
`is None` test. The demo hands them a `TraceRecorder`, which stamps each arrow with the time
since the recording started and passes it on to a listener as it happens (so a terminal can
print the trace live), and keeps the list for a Mermaid diagram afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol


class Tracer(Protocol):
    def arrow(self, source: str, target: str, label: str, *, reply: bool = False) -> None: ...

    def note(self, actor: str, text: str) -> None: ...


@dataclass(frozen=True)
class TraceEvent:
    t_ms: float  # since the recording started
    source: str
    target: str  # the same as source for a note
    label: str
    reply: bool = False
    note: bool = False


class TraceRecorder:
    """Records arrows and notes; `clock_ms` gives the time in milliseconds (monotonic)."""

    def __init__(self, clock_ms: Callable[[], float], listener: Callable[[TraceEvent], None] | None = None) -> None:
        self._clock_ms = clock_ms
        self._start = clock_ms()
        self.listener = listener
        self.events: list[TraceEvent] = []
        self._paused = 0

    def _add(self, event: TraceEvent) -> None:
        self.events.append(event)
        if self.listener is not None:
            self.listener(event)

    def arrow(self, source: str, target: str, label: str, *, reply: bool = False) -> None:
        if not self._paused:
            self._add(TraceEvent(self._clock_ms() - self._start, source, target, label, reply=reply))

    def note(self, actor: str, text: str) -> None:
        if not self._paused:
            self._add(TraceEvent(self._clock_ms() - self._start, actor, actor, text, note=True))

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Bulk work (a thousand messages for a throughput figure) stays out of the trace."""
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1

    def actors(self) -> list[str]:
        seen: dict[str, None] = {}
        for e in self.events:
            seen.setdefault(e.source)
            seen.setdefault(e.target)
        return list(seen)
