"""The reference tables a candidate should know, built from `reference_numbers.yaml`.

The data file holds the raw figures and their sources; the derived columns (a latency in
familiar units, 2^n written out, downtime per year) are computed here so they cannot drift
from the figures they come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from interview_coach.errors import ContentError
from interview_coach.estimation.units import SECONDS_PER_DAY, format_count, format_number, interview_round

DATA_FILE = "reference_numbers.yaml"
SECTIONS = ("latency", "powers_of_two", "powers_of_ten", "seconds", "availability")


@dataclass(frozen=True)
class ReferenceTable:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    source: str
    url: str
    note: str | None = None
    values: list[dict[str, Any]] = field(default_factory=list)  # the numbers behind each row, for --json

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "note": self.note,
            "columns": self.columns,
            "rows": self.rows,
            "values": self.values,
        }


@lru_cache(maxsize=1)
def load_reference_data() -> dict[str, Any]:
    """The raw data file, shipped inside the package."""
    import yaml

    text = resources.files("interview_coach.estimation").joinpath(DATA_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    problems = [
        f"{DATA_FILE}: {key}: needs a title, a source and a url"
        for key in SECTIONS
        if not isinstance(data.get(key), dict) or not all(data[key].get(f) for f in ("title", "source", "url"))
    ]
    if problems:
        raise ContentError(problems)
    return data


def human_duration(ns: float) -> str:
    """A duration in the unit that keeps it readable: 0.5 ns, 10 us, 150 ms, 2 s."""
    for limit, unit, scale in ((1e3, "ns", 1.0), (1e6, "us", 1e3), (1e9, "ms", 1e6)):
        if ns < limit:
            return f"{format_number(ns / scale, 2)} {unit}"
    return f"{format_number(ns / 1e9, 2)} s"


def human_seconds(seconds: float) -> str:
    """Downtime in the largest unit that keeps it above 1: 36.5 days, 8.76 hours, 5.26 minutes."""
    for size, unit in ((86_400, "days"), (3_600, "hours"), (60, "minutes")):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} seconds"


def _latency(section: dict[str, Any]) -> ReferenceTable:
    items = section["items"]
    base = float(items[0]["ns"])
    rows, values = [], []
    for item in items:
        ns = float(item["ns"])
        rows.append([item["name"], f"{format_number(ns, 1)} ns", human_duration(ns), f"{format_number(ns / base)}x"])
        values.append({"name": item["name"], "ns": ns})
    return ReferenceTable("latency", section["title"], ["Operation", "Nanoseconds", "Readable", "vs L1"], rows,
                          section["source"], section["url"], _note(section), values)


def _powers_of_two(section: dict[str, Any]) -> ReferenceTable:
    rows, values = [], []
    for item in section["items"]:
        value = 2 ** int(item["power"])
        rows.append([f"2^{item['power']}", f"{value:,}", item["name"], str(item["example"])])
        values.append({"power": int(item["power"]), "value": value, "name": item["name"]})
    return ReferenceTable("powers_of_two", section["title"], ["Power", "Exactly", "Name", "Think of it as"], rows,
                          section["source"], section["url"], _note(section), values)


def _powers_of_ten(section: dict[str, Any]) -> ReferenceTable:
    rows, values = [], []
    for item in section["items"]:
        value = 10 ** int(item["power"])
        rows.append([f"10^{item['power']}", f"{value:,}", item["name"], f"{item['prefix']} ({item['symbol']})"])
        values.append({"power": int(item["power"]), "value": value, "name": item["name"], "prefix": item["prefix"]})
    return ReferenceTable("powers_of_ten", section["title"], ["Power", "Exactly", "Name", "Prefix"], rows,
                          section["source"], section["url"], _note(section), values)


def _seconds(section: dict[str, Any]) -> ReferenceTable:
    rows, values = [], []
    for item in section["items"]:
        seconds = int(item["seconds"])
        rows.append([item["name"], f"{seconds:,} s", str(item["say"])])
        values.append({"name": item["name"], "seconds": seconds})
    for per_day in section.get("per_day_examples", []):
        per_second = per_day / SECONDS_PER_DAY
        rows.append([
            f"{format_count(per_day)} per day",
            f"{format_number(per_second)} per second",
            f"about {format_count(interview_round(per_second))}/s",
        ])
        values.append({"per_day": per_day, "per_second": per_second})
    return ReferenceTable("seconds", section["title"], ["Period", "Exactly", "Say"], rows,
                          section["source"], section["url"], _note(section), values)


def _availability(section: dict[str, Any]) -> ReferenceTable:
    year = float(section["days_per_year"]) * SECONDS_PER_DAY
    month = float(section["days_per_month"]) * SECONDS_PER_DAY
    rows, values = [], []
    for item in section["items"]:
        percent = Decimal(str(item["percent"]))
        down = float((Decimal(100) - percent) / Decimal(100))
        downtimes = (down * year, down * month, down * SECONDS_PER_DAY)
        rows.append([f"{percent}%", item["name"], *(human_seconds(d) for d in downtimes)])
        values.append({"percent": float(percent), "downtime_per_year_s": down * year, "downtime_per_month_s": down * month,
                       "downtime_per_day_s": down * SECONDS_PER_DAY})
    return ReferenceTable("availability", section["title"], ["Availability", "Called", "Down per year", "per month", "per day"],
                          rows, section["source"], section["url"], _note(section), values)


def _note(section: dict[str, Any]) -> str | None:
    note = section.get("note")
    if section.get("see_also"):
        note = f"{note} Newer figures: {section['see_also']}" if note else f"Newer figures: {section['see_also']}"
    return " ".join(note.split()) if note else None


_BUILDERS = {
    "latency": _latency,
    "powers_of_two": _powers_of_two,
    "powers_of_ten": _powers_of_ten,
    "seconds": _seconds,
    "availability": _availability,
}


def reference_tables() -> list[ReferenceTable]:
    """Every reference table, in the order a candidate would read them."""
    data = load_reference_data()
    tables = []
    for key in SECTIONS:
        section = dict(data[key])
        section["source"] = " ".join(str(section["source"]).split())
        tables.append(_BUILDERS[key](section))
    return tables
