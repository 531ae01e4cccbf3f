"""The reference design of a problem card, as the context of `reference.*.j2`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interview_coach.summary import parts


def reference_context(card: Any, framework: Any, source: str = "") -> dict[str, Any]:
    """Everything the reference templates show, as plain data (see docs/summaries.md)."""
    return {
        "document": "reference",
        "command": f"interview-coach summary --reference {card.id}",
        "problem": parts.problem(card),
        "framework": {"title": framework.title, "steps": parts.steps(framework)},
        "clarifying": parts.clarifying(card),
        "requirements": parts.requirements(card),
        "estimates": parts.reference_estimates(card, source),
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
    from interview_coach.content.loader import load_framework, load_problem, problem_paths

    card = load_problem(name, content_dir)
    path = problem_paths(content_dir).get(card.id)
    return reference_context(card, load_framework(content_dir), str(path) if path else card.id)


def render_reference(name: str, fmt: str = "md", content_dir: str | Path | None = None) -> str:
    """The reference design of problem `name` (an id, alias or unique prefix) as Markdown or HTML."""
    from interview_coach.summary.render import check_format, render

    check_format(fmt)
    return render("reference", fmt, load_reference(name, content_dir), content_dir)
