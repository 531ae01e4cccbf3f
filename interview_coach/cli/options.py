"""Checks shared by the commands' flags, as typer callbacks or plain calls.

Each refuses a value with one line saying what was wrong and what would be right (UsageError,
exit 2): not a number, not finite (nan, inf, 1e400), negative where it cannot be, or so large
that it stops meaning anything (and would overflow SQLite's 64-bit integers or a float).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from interview_coach.errors import UsageError

MAX_SEED = 2**63 - 1  # what SQLite's INTEGER holds; seeds are stored with each run
MAX_LIMIT = 1_000_000
MAX_QUANTITY = 1e18  # no estimate in the chapter is within a billion times of this
MAX_SECONDS = 10 * 365 * 24 * 3600

_NUMBER = re.compile(r"[-+]?(?:\d[\d,_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def _flag(param: Any, default: str) -> str:
    opts = getattr(param, "opts", None) or []
    return max(opts, key=len) if opts else default


def seed(ctx: Any, param: Any, value: int | None) -> int | None:
    """--seed: a whole number from 0 to 2**63-1 (Python treats -n as n, so a negative seed would
    silently repeat a positive one)."""
    if value is not None and not 0 <= value <= MAX_SEED:
        raise UsageError(
            f"{_flag(param, '--seed')}: {_cut(value)} is out of range", f"give a whole number from 0 to {MAX_SEED}, e.g. --seed 7"
        )
    return value


def limit(ctx: Any, param: Any, value: int | None) -> int | None:
    """--limit/--count: a positive whole number of at most MAX_LIMIT."""
    name = _flag(param, "--limit")
    if value is not None and value < 1:
        raise UsageError(f"{name}: {_cut(value)} is not a positive number", f"try {name} 10")
    if value is not None and value > MAX_LIMIT:
        raise UsageError(f"{name}: {_cut(value)} is more than {MAX_LIMIT:,}", f"try {name} 10, or leave it out")
    return value


def seconds(ctx: Any, param: Any, value: float | None) -> float | None:
    """A duration in seconds: finite, positive, at most ten years."""
    if value is not None and not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
        name = _flag(param, "--seconds")
        raise UsageError(f"{name}: {value} is not a number of seconds between 0 and {MAX_SECONDS:,}", f"e.g. {name} 3600")
    return value


def check_quantities(flags: Mapping[str, str | None]) -> None:
    """Estimation flags ("50M", "2.5KB", "100:1", "10%"): every number in them finite and at most
    MAX_QUANTITY, so the arithmetic after them cannot overflow. The unit parser checks the rest."""
    for name, text in flags.items():
        if text is None:
            continue
        for match in _NUMBER.finditer(str(text)):
            raw = match.group().replace(",", "").replace("_", "")
            try:
                number = abs(float(raw))
            except ValueError:
                continue
            if not math.isfinite(number) or number > MAX_QUANTITY:
                flag = "--" + name.replace("_", "-")
                raise UsageError(
                    f"{flag}: {_cut(text)} is too large to estimate with", "give a number of at most 1e18 (a billion billion)"
                )


def content_dir(value: str | None, from_env: bool) -> Path | None:
    """--content-dir (or $INTERVIEW_COACH_CONTENT): an existing folder, or nothing."""
    if not value:
        return None
    path = Path(value).expanduser()
    source = "$INTERVIEW_COACH_CONTENT" if from_env else "--content-dir"
    try:
        if path.is_dir():
            return path
        exists = path.exists()
    except OSError as exc:
        raise UsageError(f"{source}: cannot open {_cut(value)}: {exc.strerror or exc}", "give a folder you can read") from None
    if exists:
        raise UsageError(
            f"{source}: {_cut(value)} is a file, not a folder", "give the folder holding problems/, quizzes/ or framework.yaml"
        )
    hint = "create it, fix the path, or unset INTERVIEW_COACH_CONTENT" if from_env else "create it or fix the path"
    raise UsageError(f"{source}: the folder {_cut(value)} does not exist", hint)


def _cut(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"
