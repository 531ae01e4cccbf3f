"""Snowflake ids and per-channel counters."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview_coach.chat.design.errors import ClockDriftError
from interview_coach.chat.design.ids import (
    EPOCH_MS,
    IDS_PER_MS,
    MAX_NODE,
    MAX_SEQUENCE,
    ChannelCounters,
    CounterIds,
    Snowflake,
    SnowflakeIds,
    compose,
    decode,
    ids_for_ms,
)
from interview_coach.clock import FakeClock
from interview_coach.errors import UsageError

from .conftest import arun


@given(
    ms=st.integers(EPOCH_MS, EPOCH_MS + (1 << 41) - 1),
    node=st.integers(0, MAX_NODE),
    seq=st.integers(0, MAX_SEQUENCE),
)
def test_compose_and_decode_are_inverse(ms: int, node: int, seq: int) -> None:
    parts = decode(compose(ms, node, seq))
    assert (parts.timestamp_ms, parts.node, parts.sequence) == (ms, node, seq)


def test_layout_is_41_10_12_bits() -> None:
    the_id = compose(EPOCH_MS + 1, 1, 1)
    assert the_id == (1 << 22) | (1 << 12) | 1
    assert compose(EPOCH_MS + (1 << 41) - 1, MAX_NODE, MAX_SEQUENCE) == (1 << 63) - 1


def test_ids_sort_by_time_first() -> None:
    assert compose(EPOCH_MS + 2, 0, 0) > compose(EPOCH_MS + 1, MAX_NODE, MAX_SEQUENCE)


def test_decode_of_a_generated_id() -> None:
    clock = FakeClock(start=1_700_000_000.123)
    the_id = Snowflake(42, clock).next_id()
    parts = decode(the_id)
    assert parts.timestamp_ms == 1_700_000_000_123
    assert parts.node == 42 and parts.sequence == 0
    assert parts.datetime.year == 2023


# Operations on a node: make one id, make a batch, or move the clock (back at most the drift).
_ops = st.lists(
    st.one_of(
        st.tuples(st.just("one"), st.just(0)),
        st.tuples(st.just("many"), st.integers(0, 9_000)),
        st.tuples(st.just("jump"), st.integers(-200, 200)),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(ops=_ops, node=st.integers(0, MAX_NODE))
def test_ids_from_one_node_strictly_increase_under_clock_jumps_and_bursts(ops, node) -> None:
    clock = FakeClock()
    gen = Snowflake(node, clock, max_drift_ms=200)
    made: list[int] = []
    for op, value in ops:
        if op == "jump":
            clock.advance(value / 1000)
            continue
        try:
            if op == "one":
                made.append(gen.next_id())
            else:
                made.extend(gen.next_ids(value))
        except ClockDriftError:
            # Refused only when the clock is really more than 200 ms behind the last id.
            behind_ms = decode(made[-1]).timestamp_ms - clock.now() * 1000
            assert behind_ms > 200 - 1e-3
            clock.advance(behind_ms / 1000)  # an operator fixes the clock
    assert all(a < b for a, b in itertools.pairwise(made))
    assert all(decode(i).node == node for i in made)


@settings(max_examples=60, deadline=None)
@given(
    nodes=st.lists(st.integers(0, MAX_NODE), min_size=2, max_size=5, unique=True),
    bursts=st.lists(st.tuples(st.integers(0, 4), st.integers(1, 5_000), st.integers(-5, 5)), min_size=1, max_size=12),
)
def test_ids_from_different_nodes_never_collide(nodes, bursts) -> None:
    clock = FakeClock()  # one shared clock: the worst case, every node in the same millisecond
    gens = [Snowflake(n, clock, max_drift_ms=100) for n in nodes]
    seen: set[int] = set()
    total = 0
    for which, count, jump in bursts:
        ids = gens[which % len(gens)].next_ids(count)
        total += len(ids)
        seen.update(ids)
        clock.advance(jump / 1000)
    assert len(seen) == total


def test_clock_going_back_is_waited_out_on_the_injected_clock() -> None:
    clock = FakeClock()
    gen = Snowflake(3, clock)
    first = gen.next_id()
    clock.advance(-0.015)
    second = gen.next_id()
    assert second > first
    assert gen.stats.backward_waits == 1
    assert gen.stats.backward_waited_ms == pytest.approx(15, abs=0.01)
    assert clock.slept == pytest.approx(0.015)


def test_clock_going_back_past_the_limit_raises_a_clear_error() -> None:
    clock = FakeClock()
    gen = Snowflake(9, clock, max_drift_ms=50)
    gen.next_id()
    clock.advance(-0.051)
    with pytest.raises(ClockDriftError) as caught:
        gen.next_id()
    assert "moved back 51 ms" in str(caught.value) and "50 ms" in str(caught.value)
    assert "NTP" in str(caught.value)
    assert clock.slept == 0  # it refused instead of waiting


def test_batch_refuses_past_the_limit_too() -> None:
    clock = FakeClock()
    gen = Snowflake(9, clock, max_drift_ms=10)
    gen.next_ids(5)
    clock.advance(-1)
    with pytest.raises(ClockDriftError):
        gen.next_ids(5)


def test_sequence_exhaustion_waits_for_the_next_millisecond() -> None:
    clock = FakeClock()
    gen = Snowflake(1, clock)
    ids = [gen.next_id() for _ in range(IDS_PER_MS + 1)]
    assert gen.stats.exhausted_waits == 1
    assert decode(ids[-1]).timestamp_ms == decode(ids[0]).timestamp_ms + 1
    assert decode(ids[-1]).sequence == 0
    assert decode(ids[-2]).sequence == MAX_SEQUENCE


def test_batch_takes_whole_runs_and_spans_milliseconds() -> None:
    clock = FakeClock()
    gen = Snowflake(1, clock)
    ids = gen.next_ids(10_000)
    assert len(ids) == len(set(ids)) == 10_000
    assert ids == sorted(ids)
    assert {decode(i).timestamp_ms for i in ids} == {1_700_000_000_000 + k for k in range(3)}
    assert gen.next_id() > ids[-1]
    assert gen.next_ids(0) == []


def test_bad_node_and_bad_arguments_are_usage_errors() -> None:
    clock = FakeClock()
    for node in (-1, 1024, "1"):
        with pytest.raises(UsageError, match="node id"):
            Snowflake(node, clock)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        Snowflake(0, clock).next_ids(-1)
    with pytest.raises(UsageError):
        decode(-5)


def test_a_clock_before_the_epoch_is_refused() -> None:
    with pytest.raises(ClockDriftError, match="41-bit range"):
        Snowflake(0, FakeClock(start=1_000_000_000.0)).next_id()


def test_channel_counters_have_incr_semantics_per_channel() -> None:
    counters = ChannelCounters()
    assert [counters.incr("a") for _ in range(3)] == [1, 2, 3]
    assert counters.incr("b") == 1
    assert counters.incr("a", 5) == 8
    assert counters.current("a") == 8 and counters.current("zzz") == 0
    with pytest.raises(UsageError):
        counters.incr("a", 0)


def test_channel_counters_start_above_what_is_stored() -> None:
    counters = ChannelCounters(floor=lambda channel: {"old": 41}.get(channel, 0))
    assert counters.incr("old") == 42
    assert counters.incr("new") == 1


def test_id_sources() -> None:
    clock = FakeClock()
    snow = SnowflakeIds(Snowflake(2, clock))
    a = arun(snow.next_message_id("x"))
    b = arun(snow.next_message_id("y"))
    assert b > a and snow.time_ordered and snow.lookback_ids(1) == ids_for_ms(1) == 1 << 22
    counter = CounterIds(ChannelCounters())
    assert [arun(counter.next_message_id("c")) for _ in range(3)] == [1, 2, 3]
    assert counter.lookback_ids(1000) == 0 and not counter.time_ordered
