"""The reference tables: every figure has a public source; derived columns are right."""

from __future__ import annotations

from interview_coach.estimation.numbers import SECTIONS, human_duration, load_reference_data, reference_tables


def test_every_table_has_a_title_source_and_url():
    data = load_reference_data()
    for key in SECTIONS:
        section = data[key]
        assert section["title"] and section["source"]
        assert section["url"].startswith("https://")
        assert section["items"]


def test_tables_in_order():
    tables = reference_tables()
    assert [t.key for t in tables] == list(SECTIONS)
    for t in tables:
        assert t.rows and all(len(row) == len(t.columns) for row in t.rows)


def _table(key):
    return next(t for t in reference_tables() if t.key == key)


def test_latency_numbers():
    rows = {row[0]: row for row in _table("latency").rows}
    assert rows["L1 cache reference"][1] == "0.5 ns"
    assert rows["Main memory reference"][1] == "100 ns"
    assert rows["Round trip within the same datacenter"][2] == "500 us"
    assert rows["Packet California -> Netherlands -> California"][2] == "150 ms"


def test_powers():
    two = {row[0]: row[1] for row in _table("powers_of_two").rows}
    assert two["2^10"] == "1,024"
    assert two["2^32"] == "4,294,967,296"
    ten = {row[0]: row[2] for row in _table("powers_of_ten").rows}
    assert ten["10^9"].startswith("billion")


def test_seconds_and_per_day_rates():
    values = _table("seconds").values
    by_name = {v.get("name"): v for v in values}
    assert by_name["day"]["seconds"] == 86_400
    assert by_name["month (30 days)"]["seconds"] == 2_592_000
    assert by_name["year (365 days)"]["seconds"] == 31_536_000
    rates = {v["per_day"]: v["per_second"] for v in values if "per_day" in v}
    assert round(rates[1_000_000_000]) == 11_574


def test_availability_downtime_per_year():
    rows = {row[0]: row for row in _table("availability").rows}
    assert rows["99%"][2] == "3.65 days"
    assert rows["99.9%"][2] == "8.76 hours"
    assert rows["99.99%"][2] == "52.6 minutes"
    assert rows["99.999%"][2] == "5.26 minutes"
    values = {v["percent"]: v for v in _table("availability").values}
    assert values[99.9]["downtime_per_year_s"] == 0.001 * 365 * 86_400


def test_human_duration():
    assert human_duration(0.5) == "0.5 ns"
    assert human_duration(10_000) == "10 us"
    assert human_duration(2e9) == "2 s"
