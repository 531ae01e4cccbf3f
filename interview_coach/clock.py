"""Clocks. The core never reads the wall clock itself: it is handed a Clock.

`now()` is wall-clock seconds since the epoch (for timestamps a person reads and for
Snowflake ids); `monotonic()` is for measuring durations. `sleep()` lets code that must wait
(a Snowflake generator whose clock went backwards) do so in a way a fake clock can fast-forward.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that moves only when told to; `sleep` advances it instantly."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = float(start)
        self._mono = 0.0
        self.slept = 0.0

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        """Move both clocks forward (a negative value moves the wall clock back only)."""
        self._now += seconds
        if seconds > 0:
            self._mono += seconds

    def set_wall(self, when: float) -> None:
        self._now = float(when)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.slept += seconds
            self.advance(seconds)


def clock_text(seconds: float) -> str:
    """m:ss (or h:mm:ss), with a minus sign for time over."""
    sign = "-" if seconds < 0 else ""
    s = int(abs(seconds) + 0.5) if seconds >= 0 else int(abs(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{sign}{h}:{m:02d}:{sec:02d}" if h else f"{sign}{m}:{sec:02d}"
