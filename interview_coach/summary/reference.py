"""The reference design of a problem card, as the context of `reference.*.j2`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interview_coach.summary import parts

# The code that works out a card's estimates: a change to any of it is a miss for the cached figures.
_ESTIMATE_CODE = (
    Path(parts.__file__),
    Path(__file__).parents[1] / "estimation" / "calculator.py",
    Path(__file__).parents[1] / "estimation" / "units.py",
)


def reference_context(card: Any, framework: Any, source: str = "", estimates: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the reference templates show, as plain data (see docs/summaries.md)."""
    return {
        "document": "reference",
        "command": f"interview-coach summary --reference {card.id}",
        "problem": parts.problem(card),
        "framework": {"title": framework.title, "steps": parts.steps(framework)},
        "clarifying": parts.clarifying(card),
        "requirements": parts.requirements(card),
        "estimates": estimates if estimates is not None else parts.reference_estimates(card, source),
        "apis": parts.apis(card),
        "architecture": parts.architecture(card),
        "flows": parts.flows(card),
        "schema": parts.schema(card),
        "key_points": parts.key_points(card, framework),
        "deep_dives": parts.deep_dives(card),
        "tradeoffs": parts.tradeoffs(card),
    }


def load_reference(name: str, content_dir: str | Path | None = None) -> dict[str, Any]:
    """The context of problem `name`'s reference design (an id, alias or unique prefix)."""
    from interview_coach.content.loader import card_view, load_framework, load_problem, problem_paths

    card = load_problem(name, content_dir)
    path = problem_paths(content_dir).get(card.id)
    source = str(path) if path else card.id
    # The calculator's figures for the card are kept beside it in the content cache, stamped with
    # the code that works them out: a write-up reads them rather than loading the calculator.
    estimates = card_view("reference-estimates", card.id, lambda c: parts.reference_estimates(c, source), content_dir,
                          depends=_ESTIMATE_CODE)
    return reference_context(card, load_framework(content_dir), source, estimates)


def render_reference(name: str, fmt: str = "md", content_dir: str | Path | None = None) -> str:
    """The reference design of problem `name` (an id, alias or unique prefix) as Markdown or HTML."""
    from interview_coach.summary.render import check_format, render

    check_format(fmt)
    return render("reference", fmt, load_reference(name, content_dir), content_dir)
