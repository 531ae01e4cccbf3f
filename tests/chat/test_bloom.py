"""The growing Bloom filter: never a false "not seen", across growth; rarely a false "maybe"."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from interview_coach.chat.design.bloom import GrowingBloomFilter


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=3000), st.integers(min_value=1, max_value=2048))
def test_every_key_added_is_found_whatever_the_growth(keys, capacity):
    seen = GrowingBloomFilter(capacity=capacity)
    for key in keys:
        seen.add(key)
    assert all(key in seen for key in keys)
    assert len(seen) == len(keys)


def test_keys_never_added_are_mostly_told_apart():
    seen = GrowingBloomFilter(capacity=1024)
    for i in range(20_000):  # grows through several layers
        seen.add(f"dm:a:b\x00a\x00sent-{i}")
    false = sum(f"dm:a:b\x00a\x00never-{i}" in seen for i in range(20_000))
    assert false < 20_000 * 0.02  # each layer ~0.24 %; a handful of layers stays far below 2 %
