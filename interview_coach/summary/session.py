"""The write-up of one mock interview, as the context of `session.*.j2`.

Laid out along the four steps, each with what the candidate gave beside the reference answer:
requirements with the interviewer's replies, estimates beside the calculator's, APIs, the
architecture and data flow as diagrams when the answers name hops ("A -> B: ..."), the chosen
deep dives, the wrap-up, then the score card and what to study next. The reference stays
hidden until the session is finished, as it does in the interview itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interview_coach.summary import mermaid, parts

# Short headings for the framework's prompts; any other prompt is headed by its own text.
PROMPT_LABELS = {
    "functional": "Functional requirements",
    "non_functional": "Non-functional requirements",
    "scale": "Scale and traffic",
    "out_of_scope": "Out of scope",
    "components": "Components",
    "data_flow": "Data flow",
    "bottlenecks": "Bottlenecks",
    "spof": "Single points of failure",
    "tradeoffs": "Trade-offs",
    "improvements": "Improvements",
}
QUIZ_PER_SECTION = 3
QUIZ_MIN_HITS = 2  # one shared word is too often a coincidence ("cache", "trade-off")


def session_context(session: Any, card: Any, framework: Any, bank: Any | None = None) -> dict[str, Any]:
    """Everything the session templates show, as plain data (see docs/summaries.md)."""
    finished = session.status == "finished"
    answers = session.latest_answers()
    timings = {t.step_id: t for t in session.steps}
    scores = {s.step_id: s for s in session.scorecard.steps} if session.scorecard else {}

    steps = []
    for step in framework.steps:
        timing = timings.get(step.id)
        prompts = []
        for p in step.prompts:
            answer = answers.get((step.id, p.id))
            prompts.append(
                {
                    "id": p.id,
                    "kind": p.kind,
                    "label": PROMPT_LABELS.get(p.id, p.text),
                    "text": p.text,
                    "answer": answer.text.strip() if answer and answer.text.strip() else None,
                }
            )
        score = scores.get(step.id)
        steps.append(
            {
                "id": step.id,
                "number": step.number,
                "title": step.title,
                "budget_seconds": timing.budget_seconds if timing else 0.0,
                "elapsed_seconds": timing.elapsed_seconds if timing else 0.0,
                "skipped": bool(timing and timing.skipped),
                "prompts": prompts,
                "text_prompts": [p for p in prompts if p["kind"] == "text"],
                "coverage": score.coverage if score else None,
                "time_note": score.time_note if score else None,
            }
        )
    by_id = {s["id"]: s for s in steps}

    context: dict[str, Any] = {
        "document": "session",
        "command": f"interview-coach summary {session.id}",
        "session": {
            "id": session.id,
            "started_at": session.started_at,
            "finished_at": session.finished_at,
            "minutes": session.minutes,
            "timed": session.timed,
            "scripted": session.scripted,
            "status": session.status,
            "finished": finished,
            "elapsed_seconds": session.elapsed_seconds,
            "budget_seconds": session.budget_seconds,
            "resume_command": f"interview-coach practice --resume {session.id}",
        },
        "problem": parts.problem(card),
        "steps": steps,
        "clarifications": [
            {"question": c.question.strip(), "reply": c.reply.strip(), "matched": c.matched_id is not None}
            for c in session.clarifications
        ],
        "estimates": [
            {
                "name": e.name,
                "label": e.label or e.name,
                "candidate": e.candidate.strip(),
                "calculator": e.exact_text,
                "formula": e.formula,
                "factor": e.factor,
                "grade": e.grade,
            }
            for e in session.estimates
        ],
        "apis": _apis(by_id),
        "architecture": _architecture(by_id),
        "data_flow": _data_flow(by_id),
        "deep_dives": _deep_dives(session, card, answers),
        "hints": [{"step_id": h.step_id, "text": h.text} for h in session.hints],
        "scorecard": _scorecard(session.scorecard) if session.scorecard else None,
        "study": study_plan(session, card, framework, bank) if session.scorecard else [],
        "reference": None,
    }
    if finished:
        context["reference"] = {
            "requirements": parts.requirements(card),
            "clarifying": parts.clarifying(card),
            "apis": parts.apis(card),
            "architecture": parts.architecture(card),
            "flows": parts.flows(card),
            "schema": parts.schema(card),
            "tradeoffs": parts.tradeoffs(card),
            "key_points": parts.key_points(card, framework),
        }
    return context


def _prompt(by_id: dict[str, Any], step_id: str, kind: str | None = None, prompt_id: str | None = None) -> dict[str, Any] | None:
    for p in by_id.get(step_id, {}).get("prompts", []):
        if (kind is None or p["kind"] == kind) and (prompt_id is None or p["id"] == prompt_id):
            return p
    return None


def _apis(by_id: dict[str, Any]) -> dict[str, Any]:
    p = _prompt(by_id, "high_level", kind="apis")
    text = p["answer"] if p else None
    rows, other = parts.parse_apis(text or "")
    return {"text": text, "rows": rows, "other": other}


def _architecture(by_id: dict[str, Any]) -> dict[str, Any]:
    p = _prompt(by_id, "high_level", prompt_id="components")
    text = p["answer"] if p else None
    return {"text": text, "mermaid": mermaid.candidate_architecture(text) if text else None}


def _data_flow(by_id: dict[str, Any]) -> dict[str, Any]:
    p = _prompt(by_id, "high_level", prompt_id="data_flow")
    text = p["answer"] if p else None
    return {"text": text, "mermaid": mermaid.candidate_flow(text) if text else None}


def _deep_dives(session: Any, card: Any, answers: dict[tuple[str, str], Any]) -> list[dict[str, Any]]:
    results: dict[str, list[Any]] = {}
    if session.scorecard:
        for step in session.scorecard.steps:
            for r in [*step.matched, *step.missed]:
                results.setdefault(r.source, []).append(r)
    out = []
    for dive_id in session.deep_dives:
        try:
            dive = card.deep_dive(dive_id)
        except KeyError:  # the card changed since the session; keep what the candidate wrote
            continue
        answer = answers.get(("deep_dive", f"dive:{dive.id}"))
        follow_ups = []
        for n, question in enumerate(dive.follow_ups, 1):
            given = answers.get(("deep_dive", f"dive:{dive.id}:follow_up:{n}"))
            follow_ups.append({"question": question, "answer": given.text.strip() if given and given.text.strip() else None})
        out.append(
            {
                "id": dive.id,
                "title": dive.title,
                "question": dive.question,
                "answer": answer.text.strip() if answer and answer.text.strip() else None,
                "follow_ups": follow_ups,
                "points": [_point(r) for r in results.get(f"dive:{dive.id}", [])],
            }
        )
    return out


def _point(r: Any) -> dict[str, Any]:
    if r.covered and not r.hinted:
        status = "covered"
    elif r.covered:
        status = "after a hint"
    elif r.self_rating == "yes":
        status = "self-assessed"
    else:
        status = "missed"
    return {"id": r.id, "text": r.text, "status": status, "credit": r.credit, "section": r.section}


def _scorecard(card: Any) -> dict[str, Any]:
    return {
        "score": card.score,
        "coverage": card.coverage,
        "time_discipline": card.time_discipline,
        "hints_used": card.hints_used,
        "steps": [
            {
                "step_id": s.step_id,
                "number": s.number,
                "title": s.title,
                "coverage": s.coverage,
                "matched": len(s.matched),
                "points": len(s.matched) + len(s.missed),
                "elapsed_seconds": s.elapsed_seconds,
                "budget_seconds": s.budget_seconds,
                "overrun_seconds": s.overrun_seconds,
                "time_note": s.time_note,
                "hints": s.hints,
                "skipped": s.skipped,
            }
            for s in card.steps
        ],
        "competencies": [
            {
                "id": c.id,
                "title": c.title,
                "score": c.score,
                "level": c.level,
                "description": c.description,
                "next_level": c.next_level,
                "next_description": c.next_description,
            }
            for c in card.competencies
        ],
    }


# ---------------------------------------------------------------- what to study next


def study_plan(session: Any, card: Any, framework: Any, bank: Any | None) -> list[dict[str, Any]]:
    """Missed points grouped by the chapter section to read, each group with quiz questions on it.

    A quiz question belongs to a group when at least QUIZ_MIN_HITS of the missed points'
    keywords appear in it (prompt, options, explanation); the questions sharing the most
    keywords come first, bank order breaking ties, so the list is the same every time.
    """
    from interview_coach.practice.keywords import Text
    from interview_coach.practice.rubric import full_rubric

    missed = session.scorecard.missed
    if not missed:
        return []
    keywords = {
        rp.key: rp.point.keywords for points in full_rubric(framework, card, session.deep_dives).values() for rp in points
    }
    questions = []
    if bank is not None:
        for q in bank.questions:
            blob = " ".join([q.prompt, *(q.options or []), q.explanation])
            questions.append((q, Text(blob), bank.section_title(q.section)))

    groups: dict[str, dict[str, Any]] = {}
    wanted: dict[str, list[str]] = {}
    for r in missed:
        title = r.section or "The four-step framework"
        groups.setdefault(title, {"section": title, "points": [], "quiz": []})["points"].append(r.text)
        wanted.setdefault(title, []).extend(k for k in keywords.get(r.id, []) if k not in wanted.get(title, []))
    for title, entry in groups.items():
        ranked = []
        for order, (q, text, section_title) in enumerate(questions):
            hits = len(text.found(wanted[title]))
            if hits >= QUIZ_MIN_HITS:
                ranked.append((-hits, order, q, section_title))
        ranked.sort(key=lambda item: item[:2])
        entry["quiz"] = [{"id": q.id, "prompt": q.prompt.strip(), "section": st} for _, _, q, st in ranked[:QUIZ_PER_SECTION]]
    return list(groups.values())


def render_session(which: str | int = "latest", fmt: str = "md", content_dir: str | Path | None = None, conn: Any = None) -> str:
    """The summary of session `which` (an id or "latest") as Markdown or HTML."""
    from interview_coach.summary.render import check_format, render

    check_format(fmt)
    return render("session", fmt, load_session_context(which, content_dir, conn), content_dir)


def load_session_context(which: str | int = "latest", content_dir: str | Path | None = None, conn: Any = None) -> dict[str, Any]:
    """The context of session `which`'s summary (an id or "latest")."""
    from interview_coach.content.loader import load_framework, load_problem
    from interview_coach.practice.store import load_session
    from interview_coach.storage.db import connect

    own = conn is None
    conn = conn or connect()
    try:
        session = load_session(conn, which)
    finally:
        if own:
            conn.close()
    card = load_problem(session.problem_id, content_dir)
    framework = load_framework(content_dir)
    return session_context(session, card, framework, _bank(content_dir))


def _bank(content_dir: str | Path | None) -> Any | None:
    """The chapter quiz, for the study list; a summary still renders when it is not installed."""
    from interview_coach.errors import NotFoundError
    from interview_coach.quiz.bank import load_bank

    try:
        return load_bank(content_dir=content_dir)
    except NotFoundError:
        return None
