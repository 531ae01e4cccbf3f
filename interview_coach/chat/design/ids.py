"""Message ids: Snowflake ids made on each chat server, and per-channel counters as the alternative.

A Snowflake id is a 64-bit integer laid out as

    0 | 41 bits: milliseconds since EPOCH_MS | 10 bits: node id | 12 bits: sequence

so ids sort by time first, need no coordination between up to 1,024 nodes, and one node can
make 4,096 of them per millisecond. Two things can go wrong on a node and both are handled by
waiting on the injected `Clock` (a `FakeClock` fast-forwards, so tests run in microseconds):

* the clock moves backwards (an NTP step): the generator blocks until the clock is past the
  last id's millisecond again, and refuses with `ClockDriftError` when the step is larger than
  `max_drift_ms` (waiting minutes would look like an outage; a person should look at it);
* the 4,096 sequence numbers of a millisecond run out: it waits for the next millisecond.

Per-channel counters (`ChannelCounters`, INCR semantics) give every channel a gap-free 1, 2, 3…
— strict order within the channel, so a client can even spot a gap — at the price of one
shared, serialised counter per message (a network call to Redis in a fleet).

The chat server takes either through the async `IdSource` protocol. A generator is not shared
between threads: each chat server (one event loop) owns its own node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from interview_coach.chat.design.errors import ClockDriftError
from interview_coach.clock import Clock
from interview_coach.errors import UsageError

# 2020-01-01T00:00:00Z: a custom epoch keeps 41 bits of milliseconds good until 2089.
EPOCH_MS = 1_577_836_800_000
TIMESTAMP_BITS = 41
NODE_BITS = 10
SEQUENCE_BITS = 12
MAX_NODE = (1 << NODE_BITS) - 1  # 1023
MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1  # 4095
MAX_TIMESTAMP = (1 << TIMESTAMP_BITS) - 1
NODE_SHIFT = SEQUENCE_BITS
TIMESTAMP_SHIFT = SEQUENCE_BITS + NODE_BITS  # 22
IDS_PER_MS = MAX_SEQUENCE + 1  # the design ceiling: 4,096 per ms, 4,096,000 per second per node
DEFAULT_MAX_DRIFT_MS = 1_000

# Float seconds times 1000 can land a hair under a whole millisecond (1700000000.015 * 1000 is
# 1700000000014.9998); a nanosecond nudge keeps a fake clock's exact steps exact.
_NUDGE_MS = 1e-6


@dataclass(frozen=True)
class SnowflakeParts:
    timestamp_ms: int  # Unix milliseconds
    node: int
    sequence: int

    @property
    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, tz=UTC)


def compose(timestamp_ms: int, node: int, sequence: int, epoch_ms: int = EPOCH_MS) -> int:
    """The id of (Unix ms, node, sequence); the inverse of `decode`."""
    offset = timestamp_ms - epoch_ms
    if not 0 <= offset <= MAX_TIMESTAMP:
        raise UsageError(f"timestamp {timestamp_ms} ms is outside the 41-bit range of the epoch {epoch_ms}")
    if not 0 <= node <= MAX_NODE:
        raise UsageError(f"node id {node} is out of range; use 0..{MAX_NODE}")
    if not 0 <= sequence <= MAX_SEQUENCE:
        raise UsageError(f"sequence {sequence} is out of range; use 0..{MAX_SEQUENCE}")
    return (offset << TIMESTAMP_SHIFT) | (node << NODE_SHIFT) | sequence


def decode(snowflake_id: int, epoch_ms: int = EPOCH_MS) -> SnowflakeParts:
    """Split an id into its Unix-millisecond timestamp, node and sequence."""
    if not 0 <= snowflake_id < (1 << 63):
        raise UsageError(f"{snowflake_id} is not a Snowflake id; ids are positive 63-bit integers")
    return SnowflakeParts(
        timestamp_ms=(snowflake_id >> TIMESTAMP_SHIFT) + epoch_ms,
        node=(snowflake_id >> NODE_SHIFT) & MAX_NODE,
        sequence=snowflake_id & MAX_SEQUENCE,
    )


def ids_for_ms(milliseconds: int) -> int:
    """How far apart two ids made `milliseconds` apart are (for a look-back window in id units)."""
    return max(0, int(milliseconds)) << TIMESTAMP_SHIFT


@dataclass
class SnowflakeStats:
    backward_waits: int = 0  # times the clock was found behind the last id
    backward_waited_ms: float = 0.0  # time spent waiting for it (measured on the clock)
    exhausted_waits: int = 0  # times a millisecond's 4,096 sequence numbers ran out
    largest_backward_ms: int = 0


class Snowflake:
    """A Snowflake generator for one node. Ids from one generator strictly increase."""

    def __init__(
        self,
        node: int,
        clock: Clock,
        *,
        epoch_ms: int = EPOCH_MS,
        max_drift_ms: int = DEFAULT_MAX_DRIFT_MS,
    ) -> None:
        if not isinstance(node, int) or not 0 <= node <= MAX_NODE:
            raise UsageError(f"node id {node!r} is out of range; use an integer 0..{MAX_NODE} (10 bits)")
        if max_drift_ms < 0:
            raise UsageError(f"max_drift_ms {max_drift_ms} is negative; use 0 or more milliseconds")
        self.node = node
        self.epoch_ms = epoch_ms
        self.max_drift_ms = max_drift_ms
        self._clock = clock
        self._node_bits = node << NODE_SHIFT
        self._last_ms = -1
        self._seq = MAX_SEQUENCE
        self._base = 0  # the id of (last_ms, node, sequence 0), cached for the hot path
        self.stats = SnowflakeStats()

    # ------------------------------------------------------------------ the hot path

    def next_id(self) -> int:
        ms = int(self._clock.now() * 1000 + _NUDGE_MS)
        if ms == self._last_ms:
            seq = self._seq + 1
            if seq <= MAX_SEQUENCE:
                self._seq = seq
                return self._base | seq
        elif ms > self._last_ms:
            self._start_ms(ms)
            self._seq = 0
            return self._base
        return self._next_id_slow(ms)

    def next_ids(self, n: int) -> list[int]:
        """`n` ids at once: whole runs of a millisecond's sequence numbers, taken in one step each."""
        if n < 0:
            raise UsageError(f"cannot make {n} ids; ask for 0 or more")
        out: list[int] = []
        need = n
        while need:
            ms = self._usable_ms()
            if ms > self._last_ms:
                self._start_ms(ms)
                self._seq = -1
            take = min(need, MAX_SEQUENCE - self._seq)
            first = self._base | (self._seq + 1)
            out.extend(range(first, first + take))
            self._seq += take
            need -= take
        return out

    # ------------------------------------------------------------------ waiting

    def _next_id_slow(self, ms: int) -> int:
        ms = self._usable_ms(ms)
        if ms > self._last_ms:
            self._start_ms(ms)
            self._seq = 0
        else:
            self._seq += 1
        return self._base | self._seq

    def _usable_ms(self, ms: int | None = None) -> int:
        """A millisecond at or after the last one that still has a free sequence number."""
        clock = self._clock
        if ms is None:
            ms = int(clock.now() * 1000 + _NUDGE_MS)
        while True:
            if ms < self._last_ms:
                self._wait_for_clock(ms)
            elif ms == self._last_ms and self._seq >= MAX_SEQUENCE:
                self.stats.exhausted_waits += 1
                # Sleep to the next millisecond boundary; never zero, or a fake clock would spin.
                clock.sleep(max((self._last_ms + 1) / 1000 - clock.now(), 0.0001))
            else:
                return ms
            ms = int(clock.now() * 1000 + _NUDGE_MS)

    def _wait_for_clock(self, ms: int) -> None:
        behind = self._last_ms - ms
        self.stats.largest_backward_ms = max(self.stats.largest_backward_ms, behind)
        if behind > self.max_drift_ms:
            raise ClockDriftError(
                f"node {self.node}: the clock moved back {behind} ms, more than the "
                f"{self.max_drift_ms} ms this generator waits out",
                "check the node's time sync (NTP), or raise max_drift_ms if such steps are expected",
            )
        self.stats.backward_waits += 1
        started = self._clock.monotonic()
        self._clock.sleep(behind / 1000)
        self.stats.backward_waited_ms += (self._clock.monotonic() - started) * 1000

    def _start_ms(self, ms: int) -> None:
        offset = ms - self.epoch_ms
        if not 0 <= offset <= MAX_TIMESTAMP:
            raise ClockDriftError(
                f"the clock reads {ms} ms, outside the 41-bit range after the epoch {self.epoch_ms}",
                "set the clock right or pick an epoch within 69 years before now",
            )
        self._last_ms = ms
        self._base = (offset << TIMESTAMP_SHIFT) | self._node_bits

    def decode(self, snowflake_id: int) -> SnowflakeParts:
        return decode(snowflake_id, self.epoch_ms)


# ---------------------------------------------------------------------- per-channel counters


class ChannelCounters:
    """Per-channel sequence numbers with Redis INCR semantics: `incr` returns the new value.

    A counter starts at `floor(channel)` the first time a channel is seen (the highest id
    already stored), so a restarted process never hands out a number twice.
    """

    def __init__(self, floor: Callable[[str], int] | None = None) -> None:
        self._values: dict[str, int] = {}
        self._floor = floor
        self.calls = 0

    def incr(self, channel_id: str, amount: int = 1) -> int:
        if amount < 1:
            raise UsageError(f"a counter moves forward only; incr by 1 or more, not {amount}")
        self.calls += 1
        value = self._values.get(channel_id)
        if value is None:
            value = self._floor(channel_id) if self._floor else 0
        value += amount
        self._values[channel_id] = value
        return value

    def current(self, channel_id: str) -> int:
        value = self._values.get(channel_id)
        if value is None:
            return self._floor(channel_id) if self._floor else 0
        return value


# ---------------------------------------------------------------------- what the server uses


class IdSource(Protocol):
    """Numbers a channel's messages. Async so a fleet can back it with Redis INCR."""

    time_ordered: bool  # ids carry time (Snowflake): a sync look-back in ms makes sense

    async def next_message_id(self, channel_id: str) -> int: ...

    def lookback_ids(self, milliseconds: int) -> int:
        """The id distance covering `milliseconds` of clock skew (0 for counters)."""
        ...


class SnowflakeIds:
    """`IdSource` over a node's Snowflake generator (the channel does not matter)."""

    time_ordered = True

    def __init__(self, generator: Snowflake) -> None:
        self.generator = generator

    async def next_message_id(self, channel_id: str) -> int:
        # No await inside: in one event loop an id and its enqueue happen without a switch.
        return self.generator.next_id()

    def lookback_ids(self, milliseconds: int) -> int:
        return ids_for_ms(milliseconds)


class CounterIds:
    """`IdSource` over per-channel counters: gap-free 1, 2, 3 … in every channel."""

    time_ordered = False

    def __init__(self, counters: ChannelCounters) -> None:
        self.counters = counters

    async def next_message_id(self, channel_id: str) -> int:
        return self.counters.incr(channel_id)

    def lookback_ids(self, milliseconds: int) -> int:
        return 0
