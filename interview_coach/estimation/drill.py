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


def _example(kind: str) -> str:
    return {
        "per_day": "5B",
        "rate": "60K",
        "size_day": "500GB",
        "size_year": "180TB",
        "size": "900TB",
        "size_rate": "6MB (per second)",
        "connections": "5M",
        "servers": "20",
    }[kind]


def parse_answer(name: str, value: object, kind: str, source: str = "") -> float:
    """A user's figure for result `name`: a count (60K) or, for sizes, bytes (500GB, 6 MB/s)."""
    text = value
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
                      _example(RULES_BY_NAME[name].kind))
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
