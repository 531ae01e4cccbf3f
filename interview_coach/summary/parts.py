"""Pieces both documents share, as plain data for the templates.

Templates are files a user may override, so what they receive is plain dicts, lists and
strings (no model objects whose methods a template would come to depend on). Every Mermaid
source in here is built by `mermaid.py` and is safe to put in a fenced block or a <pre>.
"""

from __future__ import annotations

import re
from typing import Any

from interview_coach.summary import mermaid

CATEGORY_TITLES = {
    "functional": "Functional",
    "non_functional": "Non-functional",
    "scale": "Scale",
    "out_of_scope": "Out of scope",
}


def problem(card: Any) -> dict[str, Any]:
    return {"id": card.id, "title": card.title, "prompt": card.prompt.strip(), "summary": card.summary.strip()}


def clarifying(card: Any) -> list[dict[str, str]]:
    return [
        {
            "category": q.category,
            "category_title": CATEGORY_TITLES.get(q.category, q.category),
            "question": q.question,
            "answer": q.answer.strip(),
        }
        for q in card.clarifying_questions
    ]


def requirements(card: Any) -> dict[str, list[str]]:
    r = card.requirements
    return {
        "functional": list(r.functional),
        "non_functional": list(r.non_functional),
        "scale": list(card.scale),
        "out_of_scope": list(r.out_of_scope),
    }


def apis(card: Any) -> list[dict[str, str]]:
    return [{"method": a.method, "path": a.path, "purpose": a.purpose} for a in card.apis]


def architecture(card: Any) -> dict[str, Any]:
    names = {c.id: c.name for c in card.components}
    return {
        "mermaid": mermaid.architecture(card.components, card.flows),
        "components": [
            {
                "id": c.id,
                "name": c.name,
                "kind": c.kind,
                "description": c.description.strip(),
                "connects_to": [names[t] for t in c.connects_to],
            }
            for c in card.components
        ],
    }


def flows(card: Any) -> list[dict[str, str]]:
    return [{"id": f.id, "title": f.title, "mermaid": mermaid.card_flow(f, card.components)} for f in card.flows]


def schema(card: Any) -> dict[str, Any] | None:
    s = card.schema_
    if s is None:
        return None
    # GitHub has no CQL highlighter; SQL's colours fit CQL well enough.
    fence_lang = {"cql": "sql", "sql": "sql"}.get(s.language, "")
    return {
        "title": s.title,
        "language": s.language,
        "language_title": {"cql": "CQL", "sql": "SQL"}.get(s.language, "Text"),
        "fence_lang": fence_lang,
        "definition": s.definition.strip("\n"),
        "notes": list(s.notes),
    }


def tradeoffs(card: Any) -> list[dict[str, str]]:
    return [{"id": t.id, "title": t.title, "choice": t.choice, "benefit": t.benefit, "cost": t.cost} for t in card.tradeoffs]


def key_points(card: Any, framework: Any) -> list[dict[str, Any]]:
    """The card's reference points per step (scope, high level, wrap-up), in step order."""
    out = []
    for step in framework.steps:
        points = card.key_points.get(step.id, [])
        if points:
            out.append({"step_id": step.id, "number": step.number, "title": step.title, "points": [p.text for p in points]})
    return out


def deep_dives(card: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": d.id,
            "title": d.title,
            "question": d.question,
            "points": [{"id": p.id, "text": p.text, "section": p.section} for p in d.key_points],
            "follow_ups": list(d.follow_ups),
            "section": d.section,
        }
        for d in card.deep_dives
    ]


def steps(framework: Any) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "number": s.number, "title": s.title, "min_minutes": s.min_minutes, "max_minutes": s.max_minutes}
        for s in framework.steps
    ]


# ---------------------------------------------------------------- estimates


def figure(value: float, unit: str) -> str:
    """A figure in the unit the calculator reports it in, written the way people say it."""
    from interview_coach.estimation.units import format_bits, format_count, format_number, format_size

    if unit.startswith("bytes"):
        per = unit[len("bytes") :]  # "", "/day", "/year", "/s"
        text = format_size(value, 3) + per
        return f"{text} ({format_bits(value, 3)})" if per == "/s" else text
    if unit == "servers":
        return f"{format_number(value)} servers"
    if "/" in unit:  # writes/day, reads/s
        return f"{format_count(value, 3)} {unit}"
    return f"{format_count(value, 3)} {unit}".strip()


def reference_estimates(card: Any, source: str = "") -> dict[str, Any]:
    """The calculator's figures for the card's estimation inputs, each with its working."""
    from interview_coach.estimation.calculator import calculate, describe_inputs, parse_inputs

    inputs = parse_inputs(dict(card.estimation.inputs), source=source or card.id)
    estimate = calculate(inputs)
    rows = []
    for name, item in estimate.results.items():
        rows.append(
            {
                "name": name,
                "label": item.label,
                "figure": item.rounded,
                "exact": figure(item.value, item.unit),
                "working": item.formula,
            }
        )
    return {
        "inputs": [{"name": n, "value": v} for n, v in describe_inputs(inputs)],
        "rows": rows,
        "notes": list(card.estimation.notes),
    }


# ---------------------------------------------------------------- a candidate's APIs

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "WS", "WSS", "RPC", "HEAD", "OPTIONS", "GRPC")
_API_RE = re.compile(
    r"^\s*(?:[-*•]|\d+[.)])?\s*(?P<method>[A-Za-z]+)\s+(?P<path>\S+)\s*(?:(?P<sep>-{1,2}|—|–|:|\(|=>|->)\s*(?P<purpose>.*?))?\s*$"
)


def parse_apis(answer: str) -> tuple[list[dict[str, str]], list[str]]:
    """Rows (method, path, purpose) from a candidate's API answer, and the lines that were not APIs."""
    rows: list[dict[str, str]] = []
    rest: list[str] = []
    for line in answer.splitlines():
        if not line.strip():
            continue
        m = _API_RE.match(line)
        if m and m.group("method").upper() in _METHODS:
            purpose = (m.group("purpose") or "").strip()
            if m.group("sep") == "(" and purpose.endswith(")"):  # "GET /x (list things)"
                purpose = purpose[:-1].strip()
            rows.append({"method": m.group("method").upper(), "path": m.group("path"), "purpose": purpose})
        else:
            rest.append(line.strip())
    return rows, rest
