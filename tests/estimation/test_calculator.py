"""The calculator against the chapter's chat numbers, and its invariants."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview_coach.errors import UsageError
from interview_coach.estimation.calculator import (
    INPUT_NAMES,
    RESULT_NAMES,
    EstimateInputs,
    calculate,
    compare,
    parse_inputs,
)

CHAT = {
    "dau": "50M",
    "writes_per_user": 100,
    "reads_per_write": 1,
    "item_size": "100B",
    "peak_factor": 2,
    "years": 5,
    "online_fraction": "10%",
}


@pytest.fixture(scope="module")
def chat():
    return calculate(parse_inputs(CHAT)).results


def test_daily_messages(chat):
    item = chat["daily_writes"]
    assert item.value == 5_000_000_000
    assert item.unit == "writes/day"
    assert item.rounded == "5B/day"
    assert item.formula == "50,000,000 users x 100 writes/day = 5,000,000,000 writes/day"


def test_average_write_qps_uses_86400_seconds(chat):
    item = chat["avg_write_qps"]
    assert item.value == pytest.approx(5e9 / 86_400)
    assert round(item.value) == 57_870
    assert item.rounded == "about 60K/s"
    assert item.formula == "5,000,000,000 writes / 86,400 s = 57,870.37 writes/s"


def test_peak_is_twice_the_exact_average_and_the_shortcut_twice_the_rounded(chat):
    item = chat["peak_write_qps"]
    assert round(item.value) == 115_741
    assert item.rounded == "about 120K/s"
    assert item.shortcut == "60K writes/s x 2 (peak factor) = 120K writes/s"


def test_storage(chat):
    assert chat["storage_per_day_bytes"].value == 500e9
    assert chat["storage_per_day_bytes"].rounded == "500 GB/day"
    assert chat["storage_per_year_bytes"].value == 182.5e12
    total = chat["storage_total_bytes"]
    assert total.value == 912.5e12
    assert total.rounded == "about 900 TB"
    assert total.formula == "500 GB/day x 365 days x 5 years = 912.5 TB"


def test_ingress_exact_rounded_and_the_chapters_48_mbps(chat):
    avg = chat["avg_ingress_bytes_per_s"]
    assert avg.value == pytest.approx(5_787_037.037)
    assert avg.unit == "bytes/s"
    assert avg.rounded == "about 6 MB/s (48 Mbps)"  # the chapter's own words
    assert "5.787 MB/s (46.3 Mbps)" in avg.formula
    # The chapter rounds the QPS first: 60K x 100 B = 6 MB/s = 48 Mbps.
    assert avg.shortcut == "60K writes/s x 100 B = 6 MB/s (48 Mbps)"
    peak = chat["peak_ingress_bytes_per_s"]
    assert peak.rounded.startswith("about 12 MB/s")
    assert peak.shortcut == "120K writes/s x 100 B = 12 MB/s (96 Mbps)"


def test_one_to_one_chat_egress_equals_ingress(chat):
    assert chat["avg_egress_bytes_per_s"].value == chat["avg_ingress_bytes_per_s"].value
    assert chat["peak_egress_bytes_per_s"].value == chat["peak_ingress_bytes_per_s"].value
    assert chat["daily_reads"].value == chat["daily_writes"].value


def test_concurrent_connections(chat):
    item = chat["concurrent_connections"]
    assert item.value == 5_000_000
    assert item.rounded == "5M connections"
    assert item.formula == "50,000,000 users x 10% online = 5,000,000 connections"


def test_cache_is_the_hot_fraction_of_a_days_data_defaulting_to_20_percent(chat):
    assert chat["cache_bytes"].value == pytest.approx(100e9)
    assert "20% hot" in chat["cache_bytes"].formula


def test_results_without_their_inputs_are_left_out(chat):
    assert "servers_for_peak_qps" not in chat
    assert "servers_for_connections" not in chat
    only_writes = calculate(parse_inputs({"dau": "1M", "writes_per_user": 10})).results
    # The peak is there too, with the usual 2x assumed and the working saying so.
    assert set(only_writes) == {"daily_writes", "avg_write_qps", "peak_write_qps"}
    assert "assumed" in only_writes["peak_write_qps"].formula
    assert calculate(EstimateInputs()).results == {}


def test_servers_round_up():
    results = calculate(
        parse_inputs({**CHAT, "per_server_qps": "10K", "per_server_connections": "50K"})
    ).results
    # (115,741 + 115,741) / 10,000 = 23.15 -> 24 servers
    assert results["servers_for_peak_qps"].value == 24
    assert "23.15 -> 24 servers" in results["servers_for_peak_qps"].formula
    assert results["servers_for_connections"].value == 100
    assert results["servers_for_connections"].rounded == "100 servers"


def test_replication_multiplies_storage_not_bandwidth_or_cache():
    one = calculate(parse_inputs(CHAT)).results
    three = calculate(parse_inputs({**CHAT, "replication": 3})).results
    assert three["storage_total_bytes"].value == 3 * one["storage_total_bytes"].value
    assert "x 3 replicas" in three["storage_per_day_bytes"].formula
    assert three["avg_ingress_bytes_per_s"].value == one["avg_ingress_bytes_per_s"].value
    assert three["cache_bytes"].value == one["cache_bytes"].value


def test_read_heavy_ratio():
    results = calculate(parse_inputs({"dau": "100M", "writes_per_user": 1, "reads_per_write": "100:1", "peak_factor": 3})).results
    assert results["daily_reads"].value == 10e9
    assert results["peak_read_qps"].value == pytest.approx(10e9 / 86_400 * 3)


def test_json_shape():
    data = calculate(parse_inputs(CHAT)).to_json()
    assert set(data) == {"inputs", "results"}
    assert data["inputs"]["dau"] == 50_000_000
    assert data["inputs"]["replication"] == 1  # defaults are shown
    assert data["inputs"]["cache_hot_fraction"] == 0.2
    for name, item in data["results"].items():
        assert name in RESULT_NAMES
        assert {"value", "unit", "rounded", "formula"} <= set(item)
        assert isinstance(item["value"], (int, float)) and isinstance(item["formula"], str)
    assert data["results"]["daily_writes"]["value"] == 5_000_000_000
    assert isinstance(data["results"]["daily_writes"]["value"], int)


def test_flags_override_a_preset():
    preset = parse_inputs(CHAT, source="chat.yaml")
    flags = parse_inputs({"dau": "100M", "years": None})
    merged = preset.override(flags)
    assert merged.dau == 100e6 and merged.years == 5
    assert calculate(merged).results["daily_writes"].value == 10e9


def test_parse_inputs_refuses_unknown_keys_and_bad_values():
    with pytest.raises(UsageError, match="--bogus: unknown input"):
        parse_inputs({"bogus": 1})
    with pytest.raises(UsageError) as info:
        parse_inputs({"dau": "50X"})
    assert str(info.value) == "--dau: '50X' is not a count; try 50M or 50000000"
    with pytest.raises(UsageError) as info:
        parse_inputs({"online_fraction": "150%"}, source="cards/chat.yaml")
    assert str(info.value).startswith("cards/chat.yaml: online_fraction: '150%' is more than 1")
    assert parse_inputs({"writes-per-user": "5"}).writes_per_user == 5  # dashes as on the command line


@pytest.mark.parametrize(
    "candidate, exact, grade",
    [
        (60_000, 57_870, "on target"),
        (28_935, 57_870, "on target"),  # exactly 2x low
        (115_740, 57_870, "on target"),
        (200_000, 57_870, "right order of magnitude"),
        (6_000, 57_870, "right order of magnitude"),
        (1_000_000, 57_870, "off"),
        (0, 57_870, "off"),
        (0, 0, "on target"),
    ],
)
def test_compare_grades_by_factor(candidate, exact, grade):
    factor, got = compare(candidate, exact)
    assert got == grade
    assert factor >= 1


def test_compare_factor_is_symmetric():
    assert compare(50, 100)[0] == compare(200, 100)[0] == 2.0
    assert compare(-1, 5) == (math.inf, "off")


# ---------------------------------------------------------------- invariants

GROWING = ["dau", "writes_per_user", "reads_per_write", "item_size", "peak_factor", "years", "replication", "online_fraction", "cache_hot_fraction"]
CAPACITY = ["per_server_qps", "per_server_connections"]


def _inputs(draw_values):
    return EstimateInputs(**draw_values)


values = st.fixed_dictionaries(
    {
        "dau": st.floats(1, 1e10),
        "writes_per_user": st.floats(0.01, 1e4),
        "reads_per_write": st.floats(0, 1e3),
        "item_size": st.floats(1, 1e9),
        "peak_factor": st.floats(1, 20),
        "years": st.floats(0.1, 20),
        "replication": st.floats(1, 5),
        "online_fraction": st.floats(0.001, 0.5),
        "per_server_qps": st.floats(10, 1e6),
        "per_server_connections": st.floats(10, 1e6),
        "cache_hot_fraction": st.floats(0.01, 0.5),
    }
)


@settings(max_examples=60, deadline=None)
@given(values, st.sampled_from(GROWING + CAPACITY), st.floats(1.0, 2.0))
def test_results_grow_with_their_inputs(base, name, factor):
    before = calculate(_inputs(base)).results
    bigger = dict(base)
    bigger[name] = min(base[name] * factor, 1.0) if name.endswith("fraction") else base[name] * factor
    after = calculate(_inputs(bigger)).results
    # Everything but the DAU derived from monthly actives, which these inputs give directly.
    assert set(after) == set(before) == set(RESULT_NAMES) - {"daily_active_users"}
    for result in set(RESULT_NAMES) - {"daily_active_users"}:
        if name in CAPACITY:  # more capacity per server never needs more servers
            assert after[result].value <= before[result].value * (1 + 1e-12)
        else:
            assert after[result].value >= before[result].value * (1 - 1e-12), result


@settings(max_examples=40, deadline=None)
@given(values)
def test_every_result_is_finite_nonnegative_and_shows_its_work(base):
    for item in calculate(_inputs(base)).results.values():
        assert math.isfinite(item.value) and item.value >= 0
        assert " = " in item.formula and item.rounded


def test_input_names_match_the_issue():
    assert INPUT_NAMES == (
        "dau", "mau", "active_fraction", "writes", "writes_per_user", "reads_per_write", "item_size", "peak_factor",
        "years", "replication", "online_fraction", "per_server_qps", "per_server_connections", "cache_hot_fraction",
        "items", "read_streams",
    )
