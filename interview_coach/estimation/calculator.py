"""Back-of-the-envelope calculators that show their work.

`parse_inputs` turns flag values ("50M", "100B", "10%") into an `EstimateInputs`; `calculate`
derives every result those inputs allow. Each result carries its exact value in base units
(counts per day, per-second rates, bytes, bytes per second), the figure an interviewer
expects to hear ("about 60K/s"), the formula with the numbers put in, and - where an upstream
figure was rounded - the same step done the way it is said aloud in an interview, from the
rounded figures (the chapter's "60,000 messages/s x 100 bytes = 6 MB/s (48 Mbps)").

Results whose inputs are missing are left out, never reported as zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from interview_coach.errors import UsageError
from interview_coach.estimation.units import (
    DAYS_PER,
    DAYS_PER_YEAR,
    EXAMPLES,
    SECONDS_PER_DAY,
    format_bits,
    format_count,
    format_fraction,
    format_number,
    format_size,
    interview_round,
    is_about,
    parse_count,
    parse_factor,
    parse_fraction,
    parse_rate,
    parse_ratio,
    parse_size,
)

# ---------------------------------------------------------------- inputs


def _count(value: object, flag: str, source: str) -> float:
    return parse_count(value, flag, source)


def _per_day(value: object, flag: str, source: str) -> float:
    return parse_rate(value, flag, source)[0]


_PARSERS: dict[str, Callable[[object, str, str], float]] = {
    "dau": _count,
    "mau": _count,
    "active_fraction": parse_fraction,
    "writes": _per_day,
    "writes_per_user": _per_day,
    "reads_per_write": parse_ratio,
    "item_size": parse_size,
    "peak_factor": lambda v, f, s: parse_factor(v, f, s, minimum=1.0),
    "years": parse_factor,
    "replication": lambda v, f, s: parse_factor(v, f, s, minimum=1.0),
    "online_fraction": parse_fraction,
    "per_server_qps": _count,
    "per_server_connections": _count,
    "cache_hot_fraction": parse_fraction,
}

# Inputs with a sensible default: one copy of the data, the usual 80/20 rule for caches, and a
# peak of twice the average (the chapter's and most interviewers' rule of thumb; the working
# says when it was assumed).
DEFAULTS: dict[str, float] = {"replication": 1.0, "cache_hot_fraction": 0.2, "peak_factor": 2.0}

# Inputs that are lists rather than one number: several kinds of item, several read streams.
LIST_INPUTS: tuple[str, ...] = ("items", "read_streams")
INPUT_NAMES: tuple[str, ...] = (*_PARSERS, *LIST_INPUTS)


@dataclass(frozen=True)
class ItemKind:
    """One kind of thing written, with its share of writes: `media:1MB@10%`."""

    name: str
    size: float
    share: float
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "size": _json_number(self.size), "share": self.share}


@dataclass(frozen=True)
class ReadStream:
    """A named stream of reads: `timeline:100x` (per write) or `search:5M/day` (a rate of its own)."""

    name: str
    per_write: float | None
    per_day: float | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "per_write": self.per_write, "per_day": self.per_day, "given": self.text}


_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def _named(text: object, flag: str, source: str, example: str) -> tuple[str, str]:
    raw = str(text).strip()
    name, sep, rest = raw.partition(":")
    name = name.strip().lower()
    if not sep or not _NAME_RE.match(name) or not rest.strip():
        raise UsageError(f"{_flag_label(flag, source)}: {_short(raw)} is not NAME:VALUE", f"try {example}")
    return name, rest.strip()


def parse_item(text: object, flag: str = "items", source: str = "") -> ItemKind:
    """`text:100B` (every write) or `media:1MB@10%` (a share of writes)."""
    name, rest = _named(text, flag, source, "--item text:100B --item media:1MB@10%")
    size_text, _, share_text = rest.partition("@")
    size = parse_size(size_text.strip(), f"{flag} {name}", source)
    share = parse_fraction(share_text.strip(), f"{flag} {name}", source) if share_text.strip() else 1.0
    return ItemKind(name, size, share, str(text).strip())


def parse_read_stream(text: object, flag: str = "read_streams", source: str = "") -> ReadStream:
    """`timeline:100x` or `timeline:100:1` (reads per write), or `search:5M/day` (its own rate)."""
    name, rest = _named(text, flag, source, "--read-stream timeline:100x or --read-stream search:5M/day")
    label = f"{flag} {name}"
    if rest.lower().endswith("x") or ":" in rest:
        return ReadStream(name, parse_ratio(rest, label, source), None, str(text).strip())
    return ReadStream(name, None, parse_rate(rest, label, source)[0], str(text).strip())


def _short(text: str, limit: int = 60) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")


@dataclass(frozen=True)
class EstimateInputs:
    """What the user (or a problem card) gave; None means not given."""

    dau: float | None = None
    writes_per_user: float | None = None
    reads_per_write: float | None = None
    item_size: float | None = None
    peak_factor: float | None = None
    years: float | None = None
    replication: float | None = None
    online_fraction: float | None = None
    per_server_qps: float | None = None
    per_server_connections: float | None = None
    cache_hot_fraction: float | None = None
    mau: float | None = None
    active_fraction: float | None = None
    writes: float | None = None  # total writes per day, when given as a rate rather than per user
    items: tuple[ItemKind, ...] = ()
    read_streams: tuple[ReadStream, ...] = ()
    source: str = field(default="", compare=False)
    # How rate inputs were written ("10M/month"), for the working; per-day values above.
    as_given: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def given(self) -> dict[str, float]:
        """Only the inputs that were given."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in _PARSERS and getattr(self, f.name) is not None}

    def effective(self) -> dict[str, float]:
        """The inputs the calculation uses: those given, plus the defaults, in flag order."""
        merged = {**DEFAULTS, **self.given()}
        return {name: merged[name] for name in _PARSERS if name in merged}

    def override(self, other: EstimateInputs) -> EstimateInputs:
        """These inputs with every input given in `other` taking precedence (flags over a preset)."""
        lists = {name: getattr(other, name) for name in LIST_INPUTS if getattr(other, name)}
        given = other.given()
        # A total write rate and a per-user one describe the same thing: the later one wins.
        cleared: dict[str, Any] = {}
        if "writes" in given:
            cleared.update(dau=None, writes_per_user=None, mau=None, active_fraction=None)
        elif given.keys() & {"dau", "writes_per_user", "mau"}:
            cleared["writes"] = None
        if "item_size" in given:
            cleared["items"] = ()
        if lists.get("items"):
            cleared["item_size"] = None
        merged = dict(self.as_given)
        merged.update(other.as_given)
        return replace(self, **{**cleared, **given, **lists}, as_given=tuple(merged.items()))

    def given_text(self, name: str) -> str | None:
        return dict(self.as_given).get(name)


def _flag_label(name: str, source: str) -> str:
    return f"{source}: {name}" if source else "--" + name.replace("_", "-")


def parse_inputs(mapping: Mapping[str, object], source: str = "") -> EstimateInputs:
    """Parse flag values (keys are flag names with underscores) into EstimateInputs.

    `source` names where the values came from (a problem card's file) for error messages;
    without it errors name the command-line flag. None values count as not given.
    """
    values: dict[str, Any] = {}
    as_given: dict[str, str] = {}
    for raw_key, raw in mapping.items():
        key = str(raw_key).replace("-", "_")
        key = {"item": "items", "read_stream": "read_streams"}.get(key, key)
        if key not in _PARSERS and key not in LIST_INPUTS:
            known = ", ".join(INPUT_NAMES)
            raise UsageError(f"{_flag_label(key, source)}: unknown input", f"use one of {known}")
        if raw is None or (key in LIST_INPUTS and raw in ((), [])):
            continue
        if key in LIST_INPUTS:
            entries = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else [raw]
            parse = parse_item if key == "items" else parse_read_stream
            parsed = [parse(entry, key, source) for entry in entries]
            names = [p.name for p in parsed]
            if len(set(names)) != len(names):
                raise UsageError(f"{_flag_label(key, source)}: a name is used twice ({', '.join(names)})", "give each kind its own name")
            values[key] = tuple(parsed)
            continue
        values[key] = _PARSERS[key](raw, key, source)
        if key in ("writes", "writes_per_user") and isinstance(raw, str) and any(s in raw for s in ("/", " per ", " a ")):
            as_given[key] = str(raw).strip()
    if "writes" in values and ({"dau", "writes_per_user"} & values.keys()):
        raise UsageError(
            f"{_flag_label('writes', source)}: give either a total write rate or --dau with --writes-per-user, not both",
            "e.g. --writes 10M/month, or --dau 50M --writes-per-user 100",
        )
    if "items" in values and "item_size" in values:
        raise UsageError(f"{_flag_label('item_size', source)}: give either --item-size or --item kinds, not both",
                         "e.g. --item text:100B --item media:1MB@10%")
    return EstimateInputs(**values, source=source, as_given=tuple(as_given.items()))


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class ResultItem:
    name: str
    label: str
    value: float  # exact, in base units
    unit: str
    rounded: str  # what you would say: "about 60K/s"
    formula: str  # the working with the numbers put in
    shortcut: str | None = None  # the same step from rounded upstream figures, when they differ

    def to_json(self) -> dict[str, Any]:
        return {"value": _json_number(self.value), "unit": self.unit, "rounded": self.rounded, "formula": self.formula, "shortcut": self.shortcut}


@dataclass(frozen=True)
class Estimate:
    inputs: EstimateInputs
    results: dict[str, ResultItem]

    def to_json(self) -> dict[str, Any]:
        inputs: dict[str, Any] = {k: _json_number(v) for k, v in self.inputs.effective().items()}
        for name in LIST_INPUTS:
            if getattr(self.inputs, name):
                inputs[name] = [entry.to_json() for entry in getattr(self.inputs, name)]
        return {"inputs": inputs, "results": {name: item.to_json() for name, item in self.results.items()}}


def _json_number(value: float) -> int | float:
    # 5e9 reads better as 5000000000 than 5000000000.0, and is the same number.
    if math.isfinite(value) and value == int(value) and abs(value) < 2**63:
        return int(value)
    return value


class _Show:
    """How numbers are written in a working: exact (grouped digits) or as said aloud (60K)."""

    def __init__(self, aloud: bool) -> None:
        self.aloud = aloud

    def n(self, value: float) -> str:
        return format_count(value, 4) if self.aloud else format_number(value)

    def size(self, value: float) -> str:
        return format_size(value, 4)

    def bits(self, bytes_per_s: float) -> str:
        return format_bits(bytes_per_s, 3)

    def pct(self, value: float) -> str:
        return format_fraction(value)

    def x(self, value: float) -> str:
        return format_number(value)


@dataclass(frozen=True)
class _Rule:
    name: str
    label: str
    unit: str
    kind: str  # how the value is written: per_day, rate, size_day, size_year, size, size_rate, connections, servers
    needs: tuple[str, ...]
    compute: Callable[[Mapping[str, float]], float]
    working: Callable[[Mapping[str, float], _Show], str]
    noun: str = ""


def _ceil(value: float) -> float:
    # Whole servers; the tolerance keeps 100.0000000001 (float noise) from becoming 101.
    return float(math.ceil(value - 1e-9))


def _qps_total(v: Mapping[str, float]) -> float:
    return v["peak_write_qps"] + v.get("peak_read_qps", 0.0)


def _qps_working(v: Mapping[str, float], s: _Show) -> str:
    if "peak_read_qps" in v:
        return f"({s.n(v['peak_write_qps'])} + {s.n(v['peak_read_qps'])}) requests/s / {s.n(v['per_server_qps'])} per server"
    return f"{s.n(v['peak_write_qps'])} requests/s / {s.n(v['per_server_qps'])} per server"


def _replicas(v: Mapping[str, float], s: _Show) -> str:
    return f" x {s.x(v['replication'])} replicas" if v.get("replication", 1.0) != 1.0 else ""


def _writes_working(v: Mapping[str, float], s: _Show) -> str:
    count, period = _GIVEN.get("writes", (v["writes"], "day"))
    return f"{s.n(count)} writes/{period}{_to_daily(period)}"


def _per_user_working(v: Mapping[str, float], s: _Show) -> str:
    count, period = _GIVEN.get("writes_per_user", (v["writes_per_user"], "day"))
    return f"{s.n(v['dau'])} users x {s.n(count)} writes/{period}{_to_daily(period)}"


def _to_daily(period: str) -> str:
    """The step that turns a rate per `period` into one per day, as written in the working."""
    if period == "day":
        return ""
    if period == "s":
        return f" x {SECONDS_PER_DAY:,} s/day"
    return f" / {format_number(DAYS_PER[period])} days"


def _peak(v: Mapping[str, float], s: _Show) -> str:
    assumed = ", assumed: --peak-factor sets it" if v.get("peak_assumed") else ""
    return f"{s.x(v['peak_factor'])} (peak factor{assumed})"


# How rate inputs were written, for the working of the calculation in progress. Set and cleared
# by `calculate`; a module global because rules are plain functions of the numbers.
_GIVEN: dict[str, tuple[float, str]] = {}


RULES: tuple[_Rule, ...] = (
    _Rule("daily_active_users", "Daily active users", "users", "users", ("mau", "active_fraction"),
          lambda v: v["mau"] * v["active_fraction"],
          lambda v, s: f"{s.n(v['mau'])} monthly actives x {s.pct(v['active_fraction'])} active on a day", "users"),
    _Rule("daily_writes", "Daily writes", "writes/day", "per_day", ("writes",),
          lambda v: v["writes"], _writes_working, "writes"),
    _Rule("daily_writes", "Daily writes", "writes/day", "per_day", ("dau", "writes_per_user"),
          lambda v: v["dau"] * v["writes_per_user"], _per_user_working, "writes"),
    _Rule("avg_write_qps", "Average write QPS", "writes/s", "rate", ("daily_writes",),
          lambda v: v["daily_writes"] / SECONDS_PER_DAY,
          lambda v, s: f"{s.n(v['daily_writes'])} writes / {SECONDS_PER_DAY:,} s", "writes"),
    _Rule("peak_write_qps", "Peak write QPS", "writes/s", "rate", ("avg_write_qps", "peak_factor"),
          lambda v: v["avg_write_qps"] * v["peak_factor"],
          lambda v, s: f"{s.n(v['avg_write_qps'])} writes/s x {_peak(v, s)}", "writes"),
    _Rule("daily_reads", "Daily reads", "reads/day", "per_day", ("daily_writes", "reads_per_write"),
          lambda v: v["daily_writes"] * v["reads_per_write"],
          lambda v, s: f"{s.n(v['daily_writes'])} writes/day x {s.x(v['reads_per_write'])} {'read' if v['reads_per_write'] == 1 else 'reads'} per write", "reads"),
    _Rule("avg_read_qps", "Average read QPS", "reads/s", "rate", ("daily_reads",),
          lambda v: v["daily_reads"] / SECONDS_PER_DAY,
          lambda v, s: f"{s.n(v['daily_reads'])} reads / {SECONDS_PER_DAY:,} s", "reads"),
    _Rule("peak_read_qps", "Peak read QPS", "reads/s", "rate", ("avg_read_qps", "peak_factor"),
          lambda v: v["avg_read_qps"] * v["peak_factor"],
          lambda v, s: f"{s.n(v['avg_read_qps'])} reads/s x {_peak(v, s)}", "reads"),
    _Rule("storage_per_day_bytes", "Storage per day", "bytes/day", "size_day", ("daily_writes", "item_size"),
          lambda v: v["daily_writes"] * v["item_size"] * v.get("replication", 1.0),
          lambda v, s: f"{s.n(v['daily_writes'])} writes/day x {s.size(v['item_size'])}{_replicas(v, s)}"),
    _Rule("storage_per_year_bytes", "Storage per year", "bytes/year", "size_year", ("storage_per_day_bytes",),
          lambda v: v["storage_per_day_bytes"] * DAYS_PER_YEAR,
          lambda v, s: f"{s.size(v['storage_per_day_bytes'])}/day x {DAYS_PER_YEAR} days"),
    _Rule("storage_total_bytes", "Storage over the retention", "bytes", "size", ("storage_per_day_bytes", "years"),
          lambda v: v["storage_per_day_bytes"] * DAYS_PER_YEAR * v["years"],
          lambda v, s: f"{s.size(v['storage_per_day_bytes'])}/day x {DAYS_PER_YEAR} days x {s.x(v['years'])} years"),
    _Rule("total_records", "Records over the retention", "records", "records", ("daily_writes", "years"),
          lambda v: v["daily_writes"] * DAYS_PER_YEAR * v["years"],
          lambda v, s: f"{s.n(v['daily_writes'])} writes/day x {DAYS_PER_YEAR} days x {s.x(v['years'])} years", "records"),
    _Rule("avg_ingress_bytes_per_s", "Ingress, average", "bytes/s", "size_rate", ("avg_write_qps", "item_size"),
          lambda v: v["avg_write_qps"] * v["item_size"],
          lambda v, s: f"{s.n(v['avg_write_qps'])} writes/s x {s.size(v['item_size'])}"),
    _Rule("peak_ingress_bytes_per_s", "Ingress, peak", "bytes/s", "size_rate", ("peak_write_qps", "item_size"),
          lambda v: v["peak_write_qps"] * v["item_size"],
          lambda v, s: f"{s.n(v['peak_write_qps'])} writes/s x {s.size(v['item_size'])}"),
    _Rule("avg_egress_bytes_per_s", "Egress, average", "bytes/s", "size_rate", ("avg_read_qps", "item_size"),
          lambda v: v["avg_read_qps"] * v["item_size"],
          lambda v, s: f"{s.n(v['avg_read_qps'])} reads/s x {s.size(v['item_size'])}"),
    _Rule("peak_egress_bytes_per_s", "Egress, peak", "bytes/s", "size_rate", ("peak_read_qps", "item_size"),
          lambda v: v["peak_read_qps"] * v["item_size"],
          lambda v, s: f"{s.n(v['peak_read_qps'])} reads/s x {s.size(v['item_size'])}"),
    _Rule("concurrent_connections", "Concurrent connections", "connections", "connections", ("dau", "online_fraction"),
          lambda v: v["dau"] * v["online_fraction"],
          lambda v, s: f"{s.n(v['dau'])} users x {s.pct(v['online_fraction'])} online"),
    _Rule("servers_for_peak_qps", "Servers for the peak QPS", "servers", "servers", ("peak_write_qps", "per_server_qps"),
          lambda v: _ceil(_qps_total(v) / v["per_server_qps"]),
          _qps_working),
    _Rule("servers_for_connections", "Servers for the connections", "servers", "servers",
          ("concurrent_connections", "per_server_connections"),
          lambda v: _ceil(v["concurrent_connections"] / v["per_server_connections"]),
          lambda v, s: f"{s.n(v['concurrent_connections'])} connections / {s.n(v['per_server_connections'])} per server"),
    _Rule("cache_bytes", "Cache for the hot data", "bytes", "size", ("daily_writes", "item_size", "cache_hot_fraction"),
          lambda v: v["daily_writes"] * v["item_size"] * v["cache_hot_fraction"],
          lambda v, s: f"{s.n(v['daily_writes'])} writes/day x {s.size(v['item_size'])} x {s.pct(v['cache_hot_fraction'])} hot"),
)

RESULT_NAMES: tuple[str, ...] = tuple(dict.fromkeys(r.name for r in RULES))
RULES_BY_NAME: dict[str, _Rule] = {r.name: r for r in reversed(RULES)}  # the first rule of a name


def base_name(name: str) -> str:
    """`storage_per_day_bytes.media` -> `storage_per_day_bytes` (results per item kind or read stream)."""
    return name.partition(".")[0]


def rule_for(name: str) -> _Rule:
    return RULES_BY_NAME[base_name(name)]


def _servers_ratio(rule: _Rule, v: Mapping[str, float]) -> float:
    if rule.name == "servers_for_peak_qps":
        return _qps_total(v) / v["per_server_qps"]
    return v["concurrent_connections"] / v["per_server_connections"]


def _right_side(rule: _Rule, value: float, v: Mapping[str, float], s: _Show) -> str:
    """The '= ...' end of a working, in the result's own unit."""
    if rule.kind == "per_day":
        return f"{s.n(value)} {rule.noun}/day"
    if rule.kind == "rate":
        return f"{s.n(value)} {rule.noun}/s"
    if rule.kind == "size_day":
        return f"{s.size(value)}/day"
    if rule.kind == "size_year":
        return f"{s.size(value)}/year"
    if rule.kind == "size":
        return s.size(value)
    if rule.kind == "size_rate":
        return f"{s.size(value)}/s ({s.bits(value)})"
    if rule.kind == "connections":
        return f"{s.n(value)} connections"
    if rule.kind in ("records", "users"):
        return f"{s.n(value)} {rule.kind}"
    ratio = _servers_ratio(rule, v)
    if math.isclose(ratio, value):
        return f"{format_number(value)} servers"
    return f"{format_number(ratio)} -> {format_number(value)} servers"


def rounded_text(kind: str, value: float) -> str:
    """The figure to say aloud, with 'about' when it is not exact: 'about 60K/s', '500 GB/day'."""
    if kind == "servers":
        return f"{format_number(value)} servers"
    r = interview_round(value)
    about = "about " if is_about(value, r) else ""
    if kind == "per_day":
        return f"{about}{format_count(r)}/day"
    if kind == "rate":
        return f"{about}{format_count(r)}/s"
    if kind == "connections":
        return f"{about}{format_count(r)} connections"
    if kind in ("records", "users"):
        return f"{about}{format_count(r)} {kind}"
    if kind == "size_day":
        return f"{about}{format_size(r)}/day"
    if kind == "size_year":
        return f"{about}{format_size(r)}/year"
    if kind == "size":
        return f"{about}{format_size(r)}"
    if kind == "size_rate":
        # The bits from the rounded bytes, as the chapter says it: "6 MB/s (48 Mbps)".
        return f"{about}{format_size(r)}/s ({format_bits(r, None)})"
    raise ValueError(f"unknown kind {kind!r}")


def calculate(inputs: EstimateInputs) -> Estimate:
    """Every result the inputs allow, in a fixed order, each showing its work."""
    exact: dict[str, float] = dict(inputs.effective())
    if "peak_factor" not in inputs.given():
        exact["peak_assumed"] = 1.0
    if "dau" in exact or "writes" in exact:
        exact.pop("mau", None)  # DAU given outright: monthly actives add nothing
    aloud: dict[str, float] = dict(exact)  # upstream results rounded as said in an interview
    results: dict[str, ResultItem] = {}
    derived: set[str] = set()
    _GIVEN.clear()
    for name in ("writes", "writes_per_user"):
        text = inputs.given_text(name)
        if text:
            _, count, period = parse_rate(text, name, inputs.source)
            _GIVEN[name] = (count, period)

    def add(rule: _Rule, value: float, formula: str, shortcut: str | None, name: str | None = None) -> None:
        key = name or rule.name
        results[key] = ResultItem(key, rule.label if name is None else f"{rule.label}, {name.partition('.')[2]}",
                                  value, rule.unit, rounded_text(rule.kind, value), formula, shortcut)

    try:
        if inputs.items:
            item_size = sum(item.size * item.share for item in inputs.items)
            parts = " + ".join(f"{format_size(i.size, 4)} x {format_fraction(i.share)} {i.name}" for i in inputs.items)
            results["avg_item_size_bytes"] = ResultItem(
                "avg_item_size_bytes", "Average item size", item_size, "bytes",
                rounded_text("size", item_size), f"{parts} = {format_size(item_size, 4)}", None)
            exact["item_size"] = aloud["item_size"] = item_size
        for rule in RULES:
            if rule.name in exact or not all(need in exact for need in rule.needs):
                continue
            value = rule.compute(exact)
            exact[rule.name] = value
            formula = f"{rule.working(exact, _Show(False))} = {_right_side(rule, value, exact, _Show(False))}"
            shortcut = None
            if any(n in derived and is_about(exact[n], aloud[n]) for n in rule.needs):
                quick = rule.compute(aloud)
                shortcut = f"{rule.working(aloud, _Show(True))} = {_right_side(rule, quick, aloud, _Show(True))}"
            aloud[rule.name] = value if rule.kind == "servers" else interview_round(value)
            derived.add(rule.name)
            add(rule, value, formula, shortcut)
            if rule.name == "daily_active_users":
                exact["dau"], aloud["dau"] = value, aloud[rule.name]
        _per_item(inputs, exact, add)
        _per_stream(inputs, exact, add)
    finally:
        _GIVEN.clear()
    if "avg_item_size_bytes" in results:  # show it where it is used, just before the storage
        order = [n for n in results if n != "avg_item_size_bytes"]
        at = next((i for i, n in enumerate(order) if n.startswith("storage_")), len(order))
        order.insert(at, "avg_item_size_bytes")
        results = {n: results[n] for n in order}
    return Estimate(inputs=inputs, results=results)


def _per_item(inputs: EstimateInputs, exact: Mapping[str, float], add: Callable[..., None]) -> None:
    """Storage of each item kind, when there are several: "media: 30 TB/day"."""
    if len(inputs.items) < 1 or "storage_per_day_bytes" not in exact:
        return
    show = _Show(False)
    day_rule, total_rule = RULES_BY_NAME["storage_per_day_bytes"], RULES_BY_NAME["storage_total_bytes"]
    for item in inputs.items:
        per_day = exact["daily_writes"] * item.share * item.size * exact.get("replication", 1.0)
        share = f" x {show.pct(item.share)}" if item.share != 1 else ""
        working = f"{show.n(exact['daily_writes'])} writes/day{share} x {show.size(item.size)}{_replicas(exact, show)}"
        add(day_rule, per_day, f"{working} = {show.size(per_day)}/day", None, f"storage_per_day_bytes.{item.name}")
        if "years" in exact:
            total = per_day * DAYS_PER_YEAR * exact["years"]
            add(total_rule, total, f"{show.size(per_day)}/day x {DAYS_PER_YEAR} days x {show.x(exact['years'])} years = {show.size(total)}",
                None, f"storage_total_bytes.{item.name}")


def _per_stream(inputs: EstimateInputs, exact: Mapping[str, float], add: Callable[..., None]) -> None:
    """Daily, average and peak reads of each named read stream."""
    show = _Show(False)
    for stream in inputs.read_streams:
        if stream.per_write is not None:
            if "daily_writes" not in exact:
                continue
            daily = exact["daily_writes"] * stream.per_write
            working = f"{show.n(exact['daily_writes'])} writes/day x {show.x(stream.per_write)} {stream.name} reads per write"
        else:
            daily = stream.per_day or 0.0
            working = f"{stream.text.partition(':')[2]} {stream.name} reads"
        avg = daily / SECONDS_PER_DAY
        peak = avg * exact["peak_factor"]
        add(RULES_BY_NAME["daily_reads"], daily, f"{working} = {show.n(daily)} reads/day", None, f"daily_reads.{stream.name}")
        add(RULES_BY_NAME["avg_read_qps"], avg, f"{show.n(daily)} reads / {SECONDS_PER_DAY:,} s = {show.n(avg)} reads/s", None,
            f"avg_read_qps.{stream.name}")
        add(RULES_BY_NAME["peak_read_qps"], peak, f"{show.n(avg)} reads/s x {_peak(exact, show)} = {show.n(peak)} reads/s", None,
            f"peak_read_qps.{stream.name}")


def require_results(estimate: Estimate) -> Estimate:
    """Refuse an estimate with nothing in it, saying which inputs would start one."""
    if not estimate.results:
        raise UsageError(
            "nothing to estimate from these inputs",
            "give a preset (interview-coach estimate chat) or at least --dau 50M --writes-per-user 100",
        )
    return estimate


# ---------------------------------------------------------------- grading a candidate's figure

ON_TARGET = "on target"
RIGHT_ORDER = "right order of magnitude"
OFF = "off"


def compare(candidate_value: float, exact_value: float) -> tuple[float, str]:
    """How far a candidate's figure is from the exact one, as a factor >= 1, and its grade.

    Within 2x is on target (the rounding any interviewer accepts); within 10x is the right
    order of magnitude; anything further is off. A zero or negative figure against a positive
    one is infinitely far.
    """
    c, e = float(candidate_value), float(exact_value)
    if not (math.isfinite(c) and math.isfinite(e)):
        return math.inf, OFF
    if c == e:
        return 1.0, ON_TARGET
    if c <= 0 or e <= 0:
        return math.inf, OFF
    factor = max(c / e, e / c)
    if factor <= 2.0 + 1e-12:
        return factor, ON_TARGET
    if factor <= 10.0 + 1e-12:
        return factor, RIGHT_ORDER
    return factor, OFF


def describe_inputs(inputs: EstimateInputs) -> list[tuple[str, str]]:
    """(name, value as written) for each input in use, for a header above the results."""
    shown = []
    for name, value in inputs.effective().items():
        if inputs.given_text(name):
            text = str(inputs.given_text(name))
        elif name in ("dau", "mau", "writes", "writes_per_user", "per_server_qps", "per_server_connections"):
            text = format_count(value)
        elif name == "item_size":
            text = format_size(value)
        elif name in ("online_fraction", "cache_hot_fraction", "active_fraction"):
            text = format_fraction(value)
        else:
            text = format_number(value, 4)
        shown.append((name, text))
    for item in inputs.items:
        shown.append((f"item {item.name}", item.text.partition(":")[2]))
    for stream in inputs.read_streams:
        shown.append((f"read stream {stream.name}", stream.text.partition(":")[2]))
    return shown


__all__ = [
    "DEFAULTS",
    "EXAMPLES",
    "INPUT_NAMES",
    "RESULT_NAMES",
    "Estimate",
    "EstimateInputs",
    "ItemKind",
    "ReadStream",
    "ResultItem",
    "base_name",
    "calculate",
    "compare",
    "describe_inputs",
    "parse_inputs",
    "parse_item",
    "parse_read_stream",
    "require_results",
    "rounded_text",
    "rule_for",
]
