"""Estimation drills: given a scenario, the user estimates each quantity in turn.

Each answer is graded by how far it is from the exact figure (`compare`: within 2x on target,
within 10x the right order of magnitude, else off) and answered with the worked solution.
A scenario comes from a problem card's preset or is drawn from a seed, so a drill can be
replayed exactly. UI-free: the CLI asks, this module grades.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from interview_coach.errors import UsageError
from interview_coach.estimation.calculator import (
    ON_TARGET,
    RIGHT_ORDER,
    RULES_BY_NAME,
    Estimate,
    EstimateInputs,
    ResultItem,
    calculate,
    compare,
    parse_inputs,
)
from interview_coach.estimation.units import parse_count, parse_size

# The quantities a drill asks for, in the order they build on each other. Results the
# scenario cannot give (no reads, no per-server capacity) are skipped.
DRILL_ORDER: tuple[str, ...] = (
    "daily_writes",
    "avg_write_qps",
    "peak_write_qps",
    "avg_read_qps",
    "storage_per_day_bytes",
    "storage_total_bytes",
    "avg_ingress_bytes_per_s",
    "peak_ingress_bytes_per_s",
    "concurrent_connections",
    "servers_for_peak_qps",
    "servers_for_connections",
    "cache_bytes",
)

POINTS = {ON_TARGET: 1.0, RIGHT_ORDER: 0.5}
SKIPPED = "skipped"

# Values a random scenario draws from: round numbers, as an interviewer would give them.
SCENARIO_CHOICES: dict[str, list[object]] = {
    "dau": ["1M", "5M", "10M", "20M", "50M", "100M", "200M", "500M", "1B"],
    "writes_per_user": [1, 2, 5, 10, 20, 50, 100],
    "reads_per_write": ["1:1", "5:1", "10:1", "100:1"],
    "item_size": ["100B", "200B", "500B", "1KB", "2KB", "10KB", "100KB"],
    "peak_factor": [2, 3, 5],
    "years": [1, 3, 5, 10],
    "replication": [1, 3],
    "online_fraction": ["5%", "10%", "20%"],
    "per_server_qps": ["1K", "5K", "10K", "20K"],
    "per_server_connections": ["10K", "50K", "100K"],
}

_SIZE_KINDS = {"size_day", "size_year", "size", "size_rate"}
_TRAILING_UNIT = re.compile(r"\s*(?:/\s*(?:s|sec|second|day|d|year|yr|y)|per\s+(?:second|day|year)|servers?|connections?|writes?|reads?|requests?)\s*$", re.I)


def scenario_from_seed(seed: int) -> dict[str, object]:
    """A random but reproducible scenario: the same seed gives the same inputs."""
    rng = random.Random(seed)
    return {name: rng.choice(choices) for name, choices in SCENARIO_CHOICES.items()}


@dataclass(frozen=True)
class DrillQuestion:
    name: str
    label: str
    unit: str
    kind: str
    example: str

    @property
    def is_size(self) -> bool:
        return self.kind in _SIZE_KINDS

    @property
    def prompt(self) -> str:
        return f"{self.label} ({self.unit})? e.g. {self.example}"


@dataclass(frozen=True)
class DrillAnswer:
    name: str
    given: float | None  # None when skipped
    exact: float
    factor: float | None
    grade: str
    points: float
    solution: ResultItem

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "given": self.given,
            "exact": self.exact,
            "factor": None if self.factor is None or math.isinf(self.factor) else round(self.factor, 4),
            "grade": self.grade,
            "points": self.points,
            "rounded": self.solution.rounded,
            "formula": self.solution.formula,
            "shortcut": self.solution.shortcut,
        }


# Example figures in each kind's format. The one a prompt shows is the first that is more than
# 10x away from the answer, so an example never gives the answer (or its order of magnitude) away.
_EXAMPLES: dict[str, tuple[tuple[str, float], ...]] = {
    "per_day": (("3B", 3e9), ("40M", 4e7), ("700K", 7e5)),
    "rate": (("3K", 3e3), ("400K", 4e5), ("70", 70.0)),
    "size_day": (("40GB", 4e10), ("7TB", 7e12), ("300MB", 3e8)),
    "size_year": (("20TB", 2e13), ("3PB", 3e15), ("80GB", 8e10)),
    "size": (("30TB", 3e13), ("4PB", 4e15), ("200GB", 2e11)),
    "size_rate": (("3MB", 3e6), ("400MB", 4e8), ("20KB", 2e4)),
    "connections": (("300K", 3e5), ("40M", 4e7), ("2K", 2e3)),
    "servers": (("3", 3.0), ("400", 400.0), ("40", 40.0)),
}


def _example(kind: str, exact: float | None = None) -> str:
    choices = _EXAMPLES[kind]
    for text, value in choices:
        if exact is None or exact <= 0 or max(value / exact, exact / value) > 10:
            return text + (" (per second)" if kind == "size_rate" else "")
    return choices[0][0]


def format_factor(factor: float) -> str:
    """How far off, as shown: 1.2x, 8.6x, 10.4x, 250x - never a rounding that hides a grade boundary."""
    if factor >= 100:
        return f"{factor:,.0f}x"
    shown = f"{factor:.1f}"
    if float(shown) in (2.0, 10.0) and factor not in (2.0, 10.0):
        shown = f"{factor:.3f}".rstrip("0")
    return shown + "x"


_BITS = re.compile(r"^\s*(?P<num>[0-9][0-9.,_]*(?:[eE][+-]?\d+)?)\s*(?P<prefix>[kKmMgGtT]?)\s*(?:bps|bit/s|bits/s)\s*$")
_BIT_PREFIX = {"": 0, "k": 3, "m": 6, "g": 9, "t": 12}


def parse_answer(name: str, value: object, kind: str, source: str = "") -> float:
    """A user's figure for result `name`: a count (60K) or, for sizes, bytes (500GB, 6 MB/s)."""
    text = value
    if isinstance(value, str) and kind == "size_rate":
        bits = _BITS.match(value)
        if bits:  # 48 Mbps: the calculator prints bit rates, so they are accepted as answers
            number = parse_count(bits.group("num"), name, source)
            return number * 10 ** _BIT_PREFIX[bits.group("prefix").lower()] / 8
    if isinstance(value, str):
        text = _TRAILING_UNIT.sub("", value.strip())
    try:
        if kind in _SIZE_KINDS:
            return parse_size(text, name, source)
        return parse_count(text, name, source, allow_zero=True)
    except UsageError as exc:
        raise UsageError(exc.message.replace(repr(text), repr(value)), f"try {_example(kind)}") from None


@dataclass
class Drill:
    problem: str  # the preset's name, or "random"
    seed: int | None
    inputs: EstimateInputs
    estimate: Estimate
    questions: list[DrillQuestion]
    answers: dict[str, DrillAnswer] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def score(self) -> float:
        return sum(a.points for a in self.answers.values())

    @property
    def finished(self) -> bool:
        return len(self.answers) == len(self.questions)

    def question(self, name: str) -> DrillQuestion:
        for q in self.questions:
            if q.name == name:
                return q
        raise UsageError(f"{name!r} is not a question in this drill", f"answer one of {', '.join(q.name for q in self.questions)}")

    def answer(self, name: str, value: float | None) -> DrillAnswer:
        """Grade the user's figure for `name` (None: skipped) and record it."""
        self.question(name)
        item = self.estimate.results[name]
        if value is None:
            graded = DrillAnswer(name, None, item.value, None, SKIPPED, 0.0, item)
        else:
            factor, grade = compare(value, item.value)
            graded = DrillAnswer(name, float(value), item.value, factor, grade, POINTS.get(grade, 0.0), item)
        self.answers[name] = graded
        return graded

    def to_json(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "seed": self.seed,
            "inputs": self.estimate.to_json()["inputs"],
            "score": self.score,
            "total": self.total,
            "answers": [self.answers[q.name].to_json() for q in self.questions if q.name in self.answers],
        }


def build_drill(inputs: EstimateInputs, problem: str, seed: int | None = None) -> Drill:
    """A drill over every drillable result these inputs give."""
    estimate = calculate(inputs)
    questions = [
        DrillQuestion(name, RULES_BY_NAME[name].label, RULES_BY_NAME[name].unit, RULES_BY_NAME[name].kind,
                      _example(RULES_BY_NAME[name].kind, estimate.results[name].value))
        for name in DRILL_ORDER
        if name in estimate.results
    ]
    if not questions:
        raise UsageError("this scenario gives nothing to estimate", "try interview-coach estimate drill chat")
    return Drill(problem=problem, seed=seed, inputs=inputs, estimate=estimate, questions=questions)


def random_drill(seed: int) -> Drill:
    return build_drill(parse_inputs(scenario_from_seed(seed), source=f"seed {seed}"), "random", seed)


def parse_answer_file(data: object, drill: Drill, source: str) -> dict[str, float | None]:
    """A mapping of result name to the user's figure, checked against the drill's questions."""
    if not isinstance(data, Mapping):
        raise UsageError(f"{source}: expected a mapping of result name to your number", "e.g. avg_write_qps: 60K")
    names = {q.name: q for q in drill.questions}
    answers: dict[str, float | None] = {}
    for key, value in data.items():
        name = str(key)
        if name not in names:
            raise UsageError(f"{source}: {name!r} is not a question in this drill", f"use {', '.join(names)}")
        answers[name] = None if value is None or value == "" else parse_answer(name, value, names[name].kind, source)
    return answers
