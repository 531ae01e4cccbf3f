"""Estimation presets: the `estimation:` section of a problem card.

A card's `estimation.inputs` are flag values fed to `parse_inputs`; `estimation.stated` are the
numbers its prose quotes, which must agree with the calculator (see `check_stated`).
All loading goes through `load_preset`, the one place that knows where cards live.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview_coach.errors import NotFoundError
from interview_coach.estimation.calculator import RESULT_NAMES, Estimate, EstimateInputs, base_name, calculate, parse_inputs

# How close a card's stated number must be to the calculator's (relative).
STATED_TOLERANCE = 0.01


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    path: Path | None
    inputs: dict[str, object]
    stated: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def parsed(self) -> EstimateInputs:
        """The inputs, parsed; errors name the card's file and the key."""
        return parse_inputs(self.inputs, source=str(self.path) if self.path else self.name)


def load_preset(name: str, content_dir: str | Path | None = None) -> Preset:
    """The estimation preset of problem card `name` (an id, alias or unique prefix).

    Raises NotFoundError for an unknown card (suggesting the closest names) and ContentError
    for a card that fails validation.
    """
    from interview_coach.content.loader import card_view, problem_path

    def preset_of(card: Any) -> Preset:
        estimation = card.estimation
        if not estimation.inputs:
            raise NotFoundError(f"problem {card.id!r} has no estimation inputs", "try interview-coach estimate chat")
        return Preset(
            name=card.id,
            title=card.title,
            path=problem_path(card.id, content_dir),
            inputs=dict(estimation.inputs),
            stated={k: float(v) for k, v in estimation.stated.items()},
            notes=list(estimation.notes),
        )

    # Cached beside the card, stamped with this file too (it defines Preset).
    return card_view("preset", name, preset_of, content_dir, depends=(Path(__file__),))


def preset_names(content_dir: str | Path | None = None) -> list[str]:
    """Ids of every problem card (each has an estimation section)."""
    from interview_coach.content.loader import problem_paths

    return sorted(problem_paths(content_dir))


def check_stated(stated: Mapping[str, object], estimate: Estimate, tolerance: float = STATED_TOLERANCE) -> list[str]:
    """Every stated number that the calculator disagrees with (by more than `tolerance`), as text."""
    problems = []
    for name, raw in stated.items():
        if base_name(name) not in RESULT_NAMES and name != "avg_item_size_bytes":
            problems.append(f"{name}: not a result name (use one of {', '.join(RESULT_NAMES)})")
            continue
        if name not in estimate.results:
            problems.append(f"{name}: the inputs do not give this result")
            continue
        exact = estimate.results[name].value
        value = float(raw)  # type: ignore[arg-type]
        if not math.isclose(value, exact, rel_tol=tolerance):
            problems.append(f"{name}: states {value:,.6g} but the inputs give {exact:,.6g}")
    return problems


def check_preset(preset: Preset) -> list[str]:
    return check_stated(preset.stated, calculate(preset.parsed()))
