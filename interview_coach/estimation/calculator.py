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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from interview_coach.errors import UsageError
from interview_coach.estimation.units import (
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
    parse_ratio,
    parse_size,
)

# ---------------------------------------------------------------- inputs


def _count(value: object, flag: str, source: str) -> float:
    return parse_count(value, flag, source)


_PARSERS: dict[str, Callable[[object, str, str], float]] = {
    "dau": _count,
    "writes_per_user": _count,
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

# Inputs with a sensible default: one copy of the data, and the usual 80/20 rule for caches.
DEFAULTS: dict[str, float] = {"replication": 1.0, "cache_hot_fraction": 0.2}

INPUT_NAMES: tuple[str, ...] = tuple(_PARSERS)


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
    source: str = field(default="", compare=False)

    def given(self) -> dict[str, float]:
        """Only the inputs that were given."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in _PARSERS and getattr(self, f.name) is not None}

    def effective(self) -> dict[str, float]:
        """The inputs the calculation uses: those given, plus the defaults, in flag order."""
        merged = {**DEFAULTS, **self.given()}
        return {name: merged[name] for name in _PARSERS if name in merged}

    def override(self, other: EstimateInputs) -> EstimateInputs:
        """These inputs with every input given in `other` taking precedence (flags over a preset)."""
        return replace(self, **other.given())


def _flag_label(name: str, source: str) -> str:
    return f"{source}: {name}" if source else "--" + name.replace("_", "-")


def parse_inputs(mapping: Mapping[str, object], source: str = "") -> EstimateInputs:
    """Parse flag values (keys are flag names with underscores) into EstimateInputs.

    `source` names where the values came from (a problem card's file) for error messages;
    without it errors name the command-line flag. None values count as not given.
    """
    values: dict[str, float] = {}
    for raw_key, raw in mapping.items():
        key = str(raw_key).replace("-", "_")
        if key not in _PARSERS:
            known = ", ".join(INPUT_NAMES)
            raise UsageError(f"{_flag_label(key, source)}: unknown input", f"use one of {known}")
        if raw is None:
            continue
        values[key] = _PARSERS[key](raw, key, source)
    return EstimateInputs(**values, source=source)


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
        return {
            "inputs": {k: _json_number(v) for k, v in self.inputs.effective().items()},
            "results": {name: item.to_json() for name, item in self.results.items()},
        }


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


RULES: tuple[_Rule, ...] = (
    _Rule("daily_writes", "Daily writes", "writes/day", "per_day", ("dau", "writes_per_user"),
          lambda v: v["dau"] * v["writes_per_user"],
          lambda v, s: f"{s.n(v['dau'])} users x {s.n(v['writes_per_user'])} writes/day", "writes"),
    _Rule("avg_write_qps", "Average write QPS", "writes/s", "rate", ("daily_writes",),
          lambda v: v["daily_writes"] / SECONDS_PER_DAY,
          lambda v, s: f"{s.n(v['daily_writes'])} writes / {SECONDS_PER_DAY:,} s", "writes"),
    _Rule("peak_write_qps", "Peak write QPS", "writes/s", "rate", ("avg_write_qps", "peak_factor"),
          lambda v: v["avg_write_qps"] * v["peak_factor"],
          lambda v, s: f"{s.n(v['avg_write_qps'])} writes/s x {s.x(v['peak_factor'])} (peak factor)", "writes"),
    _Rule("daily_reads", "Daily reads", "reads/day", "per_day", ("daily_writes", "reads_per_write"),
          lambda v: v["daily_writes"] * v["reads_per_write"],
          lambda v, s: f"{s.n(v['daily_writes'])} writes/day x {s.x(v['reads_per_write'])} {'read' if v['reads_per_write'] == 1 else 'reads'} per write", "reads"),
    _Rule("avg_read_qps", "Average read QPS", "reads/s", "rate", ("daily_reads",),
          lambda v: v["daily_reads"] / SECONDS_PER_DAY,
          lambda v, s: f"{s.n(v['daily_reads'])} reads / {SECONDS_PER_DAY:,} s", "reads"),
    _Rule("peak_read_qps", "Peak read QPS", "reads/s", "rate", ("avg_read_qps", "peak_factor"),
          lambda v: v["avg_read_qps"] * v["peak_factor"],
          lambda v, s: f"{s.n(v['avg_read_qps'])} reads/s x {s.x(v['peak_factor'])} (peak factor)", "reads"),
    _Rule("storage_per_day_bytes", "Storage per day", "bytes/day", "size_day", ("daily_writes", "item_size"),
          lambda v: v["daily_writes"] * v["item_size"] * v.get("replication", 1.0),
          lambda v, s: f"{s.n(v['daily_writes'])} writes/day x {s.size(v['item_size'])}{_replicas(v, s)}"),
    _Rule("storage_per_year_bytes", "Storage per year", "bytes/year", "size_year", ("storage_per_day_bytes",),
          lambda v: v["storage_per_day_bytes"] * DAYS_PER_YEAR,
          lambda v, s: f"{s.size(v['storage_per_day_bytes'])}/day x {DAYS_PER_YEAR} days"),
    _Rule("storage_total_bytes", "Storage over the retention", "bytes", "size", ("storage_per_day_bytes", "years"),
          lambda v: v["storage_per_day_bytes"] * DAYS_PER_YEAR * v["years"],
          lambda v, s: f"{s.size(v['storage_per_day_bytes'])}/day x {DAYS_PER_YEAR} days x {s.x(v['years'])} years"),
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

RESULT_NAMES: tuple[str, ...] = tuple(r.name for r in RULES)
RULES_BY_NAME: dict[str, _Rule] = {r.name: r for r in RULES}


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
    if kind == "size_day":
        return f"{about}{format_size(r)}/day"
    if kind == "size_year":
        return f"{about}{format_size(r)}/year"
    if kind == "size":
        return f"{about}{format_size(r)}"
    if kind == "size_rate":
        bits = interview_round(value * 8)
        bits_about = "~" if is_about(value * 8, bits) else ""
        return f"{about}{format_size(r)}/s ({bits_about}{format_bits(bits / 8, None)})"
    raise ValueError(f"unknown kind {kind!r}")


def calculate(inputs: EstimateInputs) -> Estimate:
    """Every result the inputs allow, in a fixed order, each showing its work."""
    exact: dict[str, float] = dict(inputs.effective())
    aloud: dict[str, float] = dict(exact)  # upstream results rounded as said in an interview
    results: dict[str, ResultItem] = {}
    derived: set[str] = set()
    for rule in RULES:
        if not all(need in exact for need in rule.needs):
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
        results[rule.name] = ResultItem(
            name=rule.name,
            label=rule.label,
            value=value,
            unit=rule.unit,
            rounded=rounded_text(rule.kind, value),
            formula=formula,
            shortcut=shortcut,
        )
    return Estimate(inputs=inputs, results=results)


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
        if name in ("dau", "writes_per_user", "per_server_qps", "per_server_connections"):
            text = format_count(value)
        elif name == "item_size":
            text = format_size(value)
        elif name in ("online_fraction", "cache_hot_fraction"):
            text = format_fraction(value)
        else:
            text = format_number(value, 4)
        shown.append((name, text))
    return shown


__all__ = [
    "DEFAULTS",
    "EXAMPLES",
    "INPUT_NAMES",
    "RESULT_NAMES",
    "Estimate",
    "EstimateInputs",
    "ResultItem",
    "calculate",
    "compare",
    "describe_inputs",
    "parse_inputs",
    "require_results",
    "rounded_text",
]
