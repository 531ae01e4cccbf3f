"""Parsing and writing numbers with units: examples, refusals, and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interview_coach.errors import UsageError
from interview_coach.estimation.units import (
    format_bits,
    format_count,
    format_fraction,
    format_number,
    format_size,
    interview_round,
    parse_count,
    parse_factor,
    parse_fraction,
    parse_ratio,
    parse_size,
)


@pytest.mark.parametrize(
    "text, value",
    [
        ("50M", 50_000_000),
        ("1.2B", 1_200_000_000),
        ("500K", 500_000),
        ("50000000", 50_000_000),
        ("50,000,000", 50_000_000),
        ("5 million", 5_000_000),
        ("2.5k", 2_500),
        ("1e6", 1_000_000),
        ("3T", 3e12),
        (50_000_000, 50_000_000),
        (0.5, 0.5),
    ],
)
def test_counts(text, value):
    assert parse_count(text, "dau") == value


@pytest.mark.parametrize(
    "text, value",
    [
        ("100B", 100),
        ("1KB", 1_000),
        ("1kB", 1_000),
        ("2.5MB", 2_500_000),
        ("1KiB", 1_024),
        ("1.5GiB", 1.5 * 2**30),
        ("4 TB", 4e12),
        ("100 bytes", 100),
        ("100", 100),
        (512, 512),
    ],
)
def test_sizes_decimal_by_default_binary_with_i(text, value):
    assert parse_size(text, "item_size") == value


@pytest.mark.parametrize("text, value", [("10%", 0.1), ("0.1", 0.1), ("100%", 1.0), (0.25, 0.25), ("12.5%", 0.125)])
def test_fractions(text, value):
    assert parse_fraction(text, "online_fraction") == value


@pytest.mark.parametrize("text, value", [("100", 100), ("100:1", 100), ("1:1", 1), ("1:10", 0.1), ("10x", 10), ("0", 0), (5, 5)])
def test_ratios(text, value):
    assert parse_ratio(text, "reads_per_write") == value


def test_factor_with_x_and_minimum():
    assert parse_factor("2x", "peak_factor", minimum=1) == 2
    with pytest.raises(UsageError, match="less than 1"):
        parse_factor("0.5", "peak_factor", minimum=1)


@pytest.mark.parametrize(
    "parser, text, expected",
    [
        (parse_count, "50X", "--dau: '50X' is not a count; try 50M or 50000000"),
        (parse_count, "-5", "--dau: '-5' is negative; a count can't be; try 50M or 50000000"),
        (parse_count, "0", "--dau: '0' must be more than 0; try 50M or 50000000"),
        (parse_count, "100KB", "--dau: '100KB' is a size, not a count; try 50M or 50000000"),
        (parse_count, "", "--dau: '' is not a count; try 50M or 50000000"),
        (parse_count, True, "--dau: True is not a count; try 50M or 50000000"),
    ],
)
def test_count_refusals_name_the_flag_and_an_example(parser, text, expected):
    with pytest.raises(UsageError) as info:
        parser(text, "dau")
    assert str(info.value) == expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("100Mb", "in bits"),
        ("50M", "no byte unit"),
        ("1iB", "not a size"),
        ("-1KB", "negative"),
        ("abc", "not a size"),
    ],
)
def test_size_refusals(text, fragment):
    with pytest.raises(UsageError) as info:
        parse_size(text, "item_size")
    assert str(info.value).startswith("--item-size: ")
    assert fragment in str(info.value)
    assert str(info.value).endswith("try 100B, 1KB or 1KiB")


@pytest.mark.parametrize("text, fragment", [("150%", "more than 1 (100%)"), ("10", "more than 1"), ("0%", "more than 0"), ("-10%", "negative")])
def test_fraction_refusals(text, fragment):
    with pytest.raises(UsageError) as info:
        parse_fraction(text, "online_fraction")
    assert fragment in str(info.value)
    assert "try 10% or 0.1" in str(info.value)


def test_source_names_the_file_instead_of_the_flag():
    with pytest.raises(UsageError) as info:
        parse_count("lots", "dau", "problems/x.yaml")
    assert str(info.value).startswith("problems/x.yaml: dau: 'lots' is not a count")


@pytest.mark.parametrize(
    "value, rounded",
    [
        (57_870.37, 60_000),  # the chapter's average write QPS
        (115_740.74, 120_000),  # its peak: two figures, because it starts with 1
        (912.5e12, 900e12),
        (5_787_037.04, 6_000_000),
        (11_574_074.07, 12_000_000),
        (46_296_296, 46_000_000),
        (5e9, 5e9),
        (99_999, 100_000),
        (0.0, 0.0),
        (25, 25),
        (14.9, 15),
    ],
)
def test_interview_round(value, rounded):
    assert interview_round(value) == pytest.approx(rounded)


def test_formatting_examples():
    assert format_count(5e9) == "5B"
    assert format_count(57_870.37, 4) == "57.87K"
    assert format_count(120_000) == "120K"
    assert format_count(999) == "999"
    assert format_size(500e9) == "500 GB"
    assert format_size(912.5e12) == "912.5 TB"
    assert format_size(1024, binary=True) == "1 KiB"
    assert format_size(999_960, 4) == "1 MB"  # rounds up into the next unit
    assert format_bits(6e6) == "48 Mbps"
    assert format_fraction(0.1) == "10%"
    assert format_number(57_870.37037) == "57,870.37"
    assert format_number(5e9) == "5,000,000,000"


finite = st.floats(min_value=0, max_value=1e21, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-6, max_value=1e21, allow_nan=False, allow_infinity=False)


@given(finite)
def test_count_format_then_parse_gives_the_value_back(value):
    assert parse_count(format_count(value), "dau", allow_zero=True) == value


@given(positive)
def test_decimal_size_format_then_parse_gives_the_value_back(value):
    assert parse_size(format_size(value), "item_size") == value


@given(positive)
def test_binary_size_format_then_parse_gives_the_value_back(value):
    assert parse_size(format_size(value, binary=True), "item_size") == value


@given(st.floats(min_value=1e-9, max_value=1.0, allow_nan=False))
def test_fraction_format_then_parse_gives_the_value_back(value):
    assert parse_fraction(format_fraction(value), "online_fraction") == value


@given(st.integers(min_value=1, max_value=10**15))
def test_integers_survive_every_count_spelling(n):
    assert parse_count(str(n), "dau") == n
    assert parse_count(f"{n:,}", "dau") == n
    assert parse_count(format_count(n), "dau") == n


@given(positive)
def test_interview_round_stays_within_25_percent(value):
    r = interview_round(value)
    assert abs(r - value) <= 0.25 * value + 1e-12
