"""What each step is graded on, and which of it the candidate's answers show.

A step's rubric is the problem card's reference points for the step (or, in the deep dive,
the key points of the dives the candidate chose), the card's trade-offs in the wrap-up, then
the framework's general rubric for the step. Each point is found by its keywords in
everything the candidate gave in that step. Ids are qualified by where the point comes from
(`card.websockets`, `framework.defines_apis`, `delivery.offline_push`, `tradeoff.snowflake`)
so points from different sources never clash.
"""

from __future__ import annotations

from dataclasses import dataclass

from interview_coach.content.models import Framework, KeyPoint, ProblemCard
from interview_coach.practice.keywords import Text
from interview_coach.practice.model import KeyPointResult, Session

TRADEOFF_SECTION = "How to Frame Trade-offs"

# Credit for a point found after a hint gave it away, or claimed in the self-assessment
# without the keywords to show for it: half, so both still count but less than unaided.
PARTIAL_CREDIT = 0.5


@dataclass(frozen=True)
class RubricPoint:
    key: str  # qualified id
    point: KeyPoint
    step_id: str
    source: str  # "card", "framework", "tradeoff" or "dive:<id>"
    section: str | None


def rubric_for_step(framework: Framework, card: ProblemCard, step_id: str, chosen_dives: list[str]) -> list[RubricPoint]:
    """The rubric of one step, card points first (the order hints reveal them in)."""
    step = framework.step(step_id)
    out: list[RubricPoint] = []
    if step_id == "deep_dive":
        for dive_id in chosen_dives:
            dive = card.deep_dive(dive_id)
            for kp in dive.key_points:
                out.append(RubricPoint(f"{dive.id}.{kp.id}", kp, step_id, f"dive:{dive.id}", kp.section or dive.section or step.section))
    else:
        for kp in card.key_points.get(step_id, []):  # type: ignore[call-overload]
            out.append(RubricPoint(f"card.{kp.id}", kp, step_id, "card", kp.section or step.section))
    if step_id == "wrap_up":
        for t in card.tradeoffs:
            kp = KeyPoint(
                id=t.id,
                text=f"{t.title}: {t.choice} Gains: {t.benefit} Costs: {t.cost}",
                keywords=t.keywords,
                section=TRADEOFF_SECTION,
                competency="technical_excellence",
            )
            out.append(RubricPoint(f"tradeoff.{t.id}", kp, step_id, "tradeoff", TRADEOFF_SECTION))
    for kp in step.rubric:
        out.append(RubricPoint(f"framework.{kp.id}", kp, step_id, "framework", kp.section or step.section))
    return out


def full_rubric(framework: Framework, card: ProblemCard, chosen_dives: list[str]) -> dict[str, list[RubricPoint]]:
    return {s.id: rubric_for_step(framework, card, s.id, chosen_dives) for s in framework.steps}


def step_text(session: Session, step_id: str) -> str:
    """Everything the candidate gave in a step, as one text to look for keywords in."""
    parts: list[str] = []
    if step_id == "scope":
        # Asking is itself the evidence for "asks clarifying questions", so each question goes
        # in labelled as one, the way an estimate goes in with its label below.
        parts.extend(f"Clarifying question: {c.question}" for c in session.clarifications)
        # A figure given for "Peak write QPS" shows the candidate estimated peak QPS, so the
        # label goes in with the figure; a blank estimate adds nothing.
        parts.extend(f"{e.label or e.name}: {e.candidate}" for e in session.estimates if e.candidate.strip())
    parts.extend(a.text for a in session.latest_answers(step_id).values() if a.text.strip())
    return "\n".join(parts)


def check(points: list[RubricPoint], text: str, *, hinted: set[str] = frozenset(), ratings: dict[str, str] | None = None) -> list[KeyPointResult]:  # type: ignore[assignment]
    """Each point with whether the text shows it, and the credit it earns."""
    found_in = Text(text)
    ratings = ratings or {}
    results = []
    for rp in points:
        matched = found_in.found(rp.point.keywords) if found_in else []
        covered = bool(matched)
        rating = ratings.get(rp.key)
        was_hinted = rp.key in hinted
        if covered:
            credit = PARTIAL_CREDIT if was_hinted else 1.0
        elif rating == "yes":
            credit = PARTIAL_CREDIT
        else:
            credit = 0.0
        results.append(
            KeyPointResult(
                id=rp.key,
                text=rp.point.text,
                step_id=rp.step_id,  # type: ignore[arg-type]
                source=rp.source,
                section=rp.section,
                competency=rp.point.competency,
                covered=covered,
                matched_keywords=matched,
                hinted=was_hinted,
                self_rating=rating,  # type: ignore[arg-type]
                credit=credit,
            )
        )
    return results


def check_step(framework: Framework, card: ProblemCard, session: Session, step_id: str) -> list[KeyPointResult]:
    points = rubric_for_step(framework, card, step_id, session.deep_dives)
    hinted = {h.key_point_id for h in session.hints}
    ratings = {a.key_point_id: a.rating for a in session.self_assessments}
    return check(points, step_text(session, step_id), hinted=hinted, ratings=ratings)


def coverage(results: list[KeyPointResult]) -> float:
    return sum(r.credit for r in results) / len(results) if results else 0.0
