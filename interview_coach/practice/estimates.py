"""Step 1's estimates: which figures to ask for, reading the candidate's, grading them.

The exact figures come from the estimation calculator run on the problem card's preset; the
candidate's figure is read the way people write it in an interview ("60K", "~120K/s",
"500 GB/day", "48 Mbps") and graded by the calculator's `compare`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interview_coach.content.models import ProblemCard
from interview_coach.errors import UsageError
from interview_coach.estimation.calculator import Estimate, calculate, compare, parse_inputs
from interview_coach.estimation.units import COUNT_SCALES, parse_count, parse_size

# Asked for when a card does not say which of its figures matter (`estimation.stated`).
CORE_FIGURES = (
    "daily_writes",
    "avg_write_qps",
    "peak_write_qps",
    "peak_read_qps",
    "storage_per_day_bytes",
    "storage_total_bytes",
    "peak_ingress_bytes_per_s",
    "concurrent_connections",
)

_FIGURE = re.compile(r"(?P<num>\d[\d,_]*(?:\.\d+)?(?:e[+-]?\d+)?)\s*(?P<suffix>[a-z]+)?", re.IGNORECASE)
_BITS = re.compile(r"^(?P<prefix>[kmgtp]?)bps$", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    unit: str
    value: float
    rounded: str
    formula: str


def card_estimate(card: ProblemCard) -> Estimate:
    return calculate(parse_inputs(dict(card.estimation.inputs), source=f"{card.id}: estimation.inputs"))


def figures_to_ask(card: ProblemCard) -> list[Figure]:
    """The figures the candidate is asked for, in the calculator's order."""
    estimate = card_estimate(card)
    wanted = set(card.estimation.stated) or set(CORE_FIGURES)
    return [
        Figure(r.name, r.label, r.unit, r.value, r.rounded, r.formula)
        for r in estimate.results.values()
        if r.name in wanted
    ]


def read_figure(text: str, unit: str) -> float | None:
    """The candidate's figure as a number in the calculator's base unit, or None if unreadable.

    Sizes: 500GB, 500 GB/day, 1.2 TiB, 6 MB/s, 48 Mbps (bits, divided by 8); a bare number is
    bytes. Counts and rates: 60K, 60k/s, 5 billion, 5,000,000,000, 1.2e5.
    """
    match = _FIGURE.search(text.replace("~", " "))
    if match is None:
        return None
    num, suffix = match.group("num"), (match.group("suffix") or "")
    try:
        if unit.startswith("bytes"):
            bits = _BITS.match(suffix)
            if bits:
                return parse_size(f"{num}{bits.group('prefix').upper()}B") / 8
            if suffix.lower() in ("b", "byte", "bytes"):
                return parse_size(num)
            size = re.fullmatch(r"(?P<p>[kmgtpe])(?P<i>i?)b(?:ytes?)?", suffix, re.IGNORECASE)
            if size:
                # Written by hand, "500gb" and "6mb" mean bytes; the unit parser insists on B.
                return parse_size(f"{num}{size.group('p').upper()}{size.group('i').lower()}B")
            if suffix:  # "60K" for a size: a count where bytes were asked; not guessed
                return None
            return parse_size(num)
        if suffix.lower() in COUNT_SCALES:
            return parse_count(num + suffix)
        return parse_count(num)
    except UsageError:
        return None


def grade(text: str, figure: Figure) -> tuple[float | None, float | None, str | None]:
    """(candidate value, factor, grade) of a typed figure; Nones when it cannot be read."""
    value = read_figure(text, figure.unit)
    if value is None:
        return None, None, None
    factor, verdict = compare(value, figure.value)
    return value, factor, verdict
