"""Running a whole mock interview from an answers file, with a simulated clock.

The same engine as the terminal session, fed from the file: each step takes the minutes the
file says (or its budget), spread evenly over the answers given in it, so time discipline is
scored as if the candidate had typed them. Hints asked in the file come first in their step.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from interview_coach.clock import FakeClock
from interview_coach.content.models import Framework, ProblemCard
from interview_coach.practice.engine import PracticeEngine
from interview_coach.practice.interview_flow import interviewer_record
from interview_coach.practice.model import Session
from interview_coach.practice.template import AnswersFile, StepAnswers


def run_scripted(
    answers: AnswersFile,
    framework: Framework,
    card: ProblemCard,
    conn: sqlite3.Connection | None,
    *,
    start_wall: float,
    minutes: int | None = None,
) -> Session:
    clock = FakeClock(start=start_wall)
    engine = PracticeEngine.start(framework, card, clock, conn, minutes=minutes or answers.minutes, scripted=True)
    for index, step in enumerate(framework.steps):
        given = answers.steps.get(step.id) or StepAnswers(step.id)
        _run_step(engine, given, clock)
        if index < len(framework.steps) - 1:
            engine.next_step()
    engine.end_interview()
    if answers.self_assessment:
        engine.self_assess(answers.self_assessment)
    engine.finish()
    return engine.session


def _actions(engine: PracticeEngine, given: StepAnswers) -> int:
    """How many answers the step will record (the clock is spread over them)."""
    n = len(given.questions) + len(given.estimates) + sum(1 for t in given.texts.values() if t.strip())
    n += sum(1 + len(f) for _, f in given.dives.values())
    return n


def _run_step(engine: PracticeEngine, given: StepAnswers, clock: FakeClock) -> None:
    budget = engine.timing.budget_seconds
    count = _actions(engine, given)
    spent = given.minutes * 60 if given.minutes is not None else (budget if count else 0.0)
    tick = spent / count if count else 0.0
    for _ in range(given.hints):
        engine.hint()
    while (item := engine.current_item()) is not None:
        if item.kind == "clarify":
            for q in given.questions:
                clock.advance(tick)
                engine.ask_interviewer(q)
            engine.complete(item)
        elif item.kind == "estimate":
            assert item.figure is not None
            text = given.estimates.get(item.figure.name, "")
            if text:
                clock.advance(tick)
            engine.record_estimate(item, text)
        elif item.kind == "choose_dives":
            engine.choose_dives(item, list(given.dives))
        elif item.kind in ("dive", "follow_up"):
            answer, follow = given.dives.get(item.dive_id or "", ("", []))
            n = item.follow_up
            text = answer if n is None else (follow[n - 1] if n - 1 < len(follow) else "")
            _answer(engine, item, text, clock, tick)
        else:
            _answer(engine, item, given.texts.get(item.prompt_id, ""), clock, tick)
    if count == 0 and given.minutes:
        clock.advance(spent)


def _answer(engine: PracticeEngine, item: Any, text: str, clock: FakeClock, tick: float) -> None:
    if text.strip():
        clock.advance(tick)
    engine.answer(item, text)


def json_result(session: Session) -> dict[str, Any]:
    """What `practice --answers FILE --json` prints."""
    card = session.scorecard
    assert card is not None
    return {
        "session_id": session.id,
        "problem": session.problem_id,
        "score": card.score,
        "steps": [
            {
                "id": s.step_id,
                "coverage": s.coverage,
                "missed": [
                    {"id": m.id, "text": m.text, "section": m.section, "level": m.level, "advice": m.advice} for m in s.missed
                ],
                "points": [_point(p) for p in [*s.matched, *s.missed]],
                "red_flags": [f.model_dump() for f in s.red_flags],
            }
            for s in card.steps
        ],
        "red_flags": [f.model_dump() for f in card.red_flags],
        **interviewer_record(session),
    }


def _point(p: Any) -> dict[str, Any]:
    """One rubric point's evidence: its level, the candidate's sentence, the concept and reason found."""
    return {
        "id": p.id,
        "text": p.text,
        "level": p.level,
        "credit": p.credit,
        "quote": p.quote,
        "concept": p.concept,
        "reason": p.cue,
        "advice": p.advice,
        "field": p.field,
        "hinted": p.hinted,
        "section": p.section,
    }
