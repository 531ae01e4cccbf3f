"""A clock whose wall time a demo can step, the way an NTP correction steps a server's clock."""

from __future__ import annotations

from interview_coach.clock import Clock


class OffsetClock:
    """`base` plus an offset that `step()` moves; monotonic time and sleeping are the base's."""

    def __init__(self, base: Clock, offset_s: float = 0.0) -> None:
        self.base = base
        self.offset_s = offset_s

    def now(self) -> float:
        return self.base.now() + self.offset_s

    def monotonic(self) -> float:
        return self.base.monotonic()

    def sleep(self, seconds: float) -> None:
        self.base.sleep(seconds)

    def step(self, seconds: float) -> None:
        """Move the wall clock by `seconds` (negative: back)."""
        self.offset_s += seconds
