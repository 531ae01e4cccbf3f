"""How long a mock interview runs: checked before anything heavier is loaded."""

from __future__ import annotations

import math

from interview_coach.errors import UsageError

MIN_MINUTES = 30
MAX_MINUTES = 90
DEFAULT_MINUTES = 45


def check_minutes(minutes: int | float | str | None) -> int:
    """The interview length in whole minutes, refusing anything outside 30-90."""
    if minutes is None:
        return DEFAULT_MINUTES
    try:
        value = float(str(minutes).strip().rstrip("m"))
    except ValueError:
        raise UsageError(f"--minutes: {minutes!r} is not a number of minutes", f"try {DEFAULT_MINUTES}") from None
    if not math.isfinite(value) or value != int(value) or not MIN_MINUTES <= value <= MAX_MINUTES:
        raise UsageError(
            f"--minutes: {minutes} is outside {MIN_MINUTES}-{MAX_MINUTES}",
            f"a system design interview runs 45-60 minutes; try {DEFAULT_MINUTES}",
        )
    return int(value)
