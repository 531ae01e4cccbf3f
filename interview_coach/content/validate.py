"""Validation of any content file: problem cards, frameworks and quiz banks alike, as `file:line` lines.

Kept apart from the loader because it needs every kind of content, the quiz bank among them,
while the quiz bank needs the loader: here both are imported, so neither imports the other back.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from interview_coach.content.loader import parse_model
from interview_coach.content.models import Framework, ProblemCard
from interview_coach.content.yamlsrc import Located, load_located
from interview_coach.errors import CoachError, ContentError
from interview_coach.paths import data_dir
from interview_coach.quiz.bank import validate_bank


def detect_kind(data: Any) -> str:
    if isinstance(data, dict):
        if "steps" in data and "competencies" in data:
            return "framework"
        if "questions" in data:
            return "quiz"
    return "problem"


def validate_file(path: Path) -> list[str]:
    """Every problem in one content file, as `file:line: message` lines (empty when valid)."""
    try:
        located = load_located(path)
        kind = detect_kind(located.data)
        if kind == "framework":
            parse_model(located, Framework)
        elif kind == "quiz":
            validate_bank(located)
        else:
            card = parse_model(located, ProblemCard)
            extra = _check_card(card, located)
            if extra:
                return extra
    except ContentError as exc:
        return exc.problems
    return []


def _check_card(card: ProblemCard, located: Located) -> list[str]:
    """Checks that need more than one field: estimation inputs parse, ids are unique."""
    problems = []
    groups: tuple[tuple[str, Sequence[Any]], ...] = (
        ("clarifying_questions", card.clarifying_questions),
        ("deep_dives", card.deep_dives),
        ("tradeoffs", card.tradeoffs),
    )
    for field, items in groups:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(f"{located.where((field, i, 'id'))}: duplicate id {item.id!r}")
            seen.add(item.id)
    try:
        from interview_coach.estimation.calculator import parse_inputs
    except ImportError:  # the estimation feature is not installed in this checkout yet
        return problems
    try:
        parse_inputs(dict(card.estimation.inputs), source="estimation.inputs")
    except CoachError as exc:  # a UsageError from the unit parser
        problems.append(f"{located.where(('estimation', 'inputs'))}: {exc}")
    return problems


def validate_paths(paths: list[Path]) -> list[str]:
    """Validate files and folders (recursively, *.yaml/*.yml)."""
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            files = sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
            if not files:
                problems.append(f"{path}:1: no .yaml files in this folder")
            for f in files:
                problems.extend(validate_file(f))
        elif path.exists():
            problems.extend(validate_file(path))
        else:
            problems.append(f"{path}:1: no such file")
    return problems


def builtin_content_paths() -> list[Path]:
    return [data_dir("frameworks"), data_dir("quizzes")]
