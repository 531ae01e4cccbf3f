"""What each step is graded on, and the evidence the candidate's answers give for it.

A step's rubric is the problem card's points for the step (in the deep dive, the points of the
dives the candidate chose; in the wrap-up, the card's trade-offs that no wrap-up point already
grades). The framework's own rubric describes a step in general and is shown by `framework`;
each card states it concretely for its problem, and that is what is graded. Ids are qualified
by where a point comes from (`card.websockets_not_polling`, `delivery.async_persistence`,
`tradeoff.ap_over_cp`) so points from different sources never clash.

How a point is graded (explained, named, missing, contradicted) is `grading.py`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

from interview_coach.content.models import Framework, KeyPoint, ProblemCard
from interview_coach.practice import grading
from interview_coach.practice.model import KeyPointResult, RedFlagResult, Session

TRADEOFF_SECTION = "How to Frame Trade-offs"

# A point shown only after a hint gave it away earns half its credit; a point the candidate
# claims in the self-assessment without the evidence to show for it counts as named.
HINT_FACTOR = 0.5
# The chapter's deep dive goes into the design's hardest parts, plural: fewer than this many dives
# leave a missing "another deep dive" item that weighs as much as a dive.
MIN_DIVES = 2


@dataclass(frozen=True)
class RubricPoint:
    key: str  # qualified id
    point: KeyPoint
    step_id: str
    source: str  # "card", "tradeoff" or "dive:<id>"
    section: str | None


def rubric_for_step(framework: Framework, card: ProblemCard, step_id: str, chosen_dives: list[str]) -> list[RubricPoint]:
    """The rubric of one step, in the order hints reveal it."""
    step = framework.step(step_id)
    out = []
    for p in grading.card_points(card, step_id, chosen_dives if step_id == "deep_dive" else None):
        if p.dive_id:
            source, section = f"dive:{p.dive_id}", p.point.section or card.deep_dive(p.dive_id).section or step.section
        elif p.key.startswith("tradeoff."):
            source, section = "tradeoff", TRADEOFF_SECTION
        else:
            source, section = "card", p.point.section or step.section
        out.append(RubricPoint(p.key, p.point, step_id, source, section))
    if step_id == "deep_dive":
        for n in range(len(chosen_dives), MIN_DIVES):
            kp = KeyPoint(
                id=f"another_dive_{n + 1}",
                text="Go deep on another of the design's hardest parts (one more deep dive from the problem's list).",
                keywords=["deep dive"],
                competency="technical_excellence",
                advice="choose at least two deep dives",
            )
            out.append(RubricPoint(f"deep_dive.{kp.id}", kp, step_id, "dive:", step.section))
    return out


def full_rubric(framework: Framework, card: ProblemCard, chosen_dives: list[str]) -> dict[str, list[RubricPoint]]:
    return {s.id: rubric_for_step(framework, card, s.id, chosen_dives) for s in framework.steps}


def step_answers(session: Session, step_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """A step's answers as grading fields, and (in step 1) the estimates typed, by figure name."""
    fields: dict[str, str] = {}
    estimates: dict[str, str] = {}
    if step_id == "scope":
        questions = [c.question for c in session.clarifications if c.question.strip()]
        if questions:
            fields["clarify"] = "\n".join(questions)
        estimates = {e.name: e.candidate for e in session.estimates if e.candidate.strip()}
    for (_, prompt_id), a in session.latest_answers(step_id).items():
        if a.text.strip():
            fields[prompt_id] = a.text
    return fields, estimates


def step_text(session: Session, step_id: str) -> str:
    """Everything the candidate gave in a step, as one text (hints look for points in it)."""
    fields, estimates = step_answers(session, step_id)
    parts = list(fields.values())
    parts.extend(f"{name}: {value}" for name, value in estimates.items())
    return "\n".join(parts)


def grade_session_step(card: ProblemCard, session: Session, step_id: str) -> grading.StepGrade:
    fields, estimates = step_answers(session, step_id)
    dives = session.deep_dives if step_id == "deep_dive" else None
    return grading.grade_step(card, step_id, fields, estimates=estimates, dives=dives)


def check_step(framework: Framework, card: ProblemCard, session: Session, step_id: str) -> list[KeyPointResult]:
    return results_for(framework, card, session, step_id)[0]


def results_for(
    framework: Framework, card: ProblemCard, session: Session, step_id: str
) -> tuple[list[KeyPointResult], list[RedFlagResult]]:
    """Each point of the step with its evidence and credit, and the red flags the step raised."""
    points = rubric_for_step(framework, card, step_id, session.deep_dives)
    graded = grade_session_step(card, session, step_id)
    hinted = {h.key_point_id for h in session.hints}
    ratings = {a.key_point_id: a.rating for a in session.self_assessments}
    by_id = {g.point_id: g for g in graded.points}
    results = []
    for rp in points:
        g = by_id.get(rp.key) or grading.PointGrade(rp.key, "missing", advice=rp.point.text)
        rating = ratings.get(rp.key)
        was_hinted = rp.key in hinted
        credit = g.credit * (HINT_FACTOR if was_hinted else 1.0)
        if rating == "yes" and g.level in ("missing", "named"):
            credit = max(credit, grading.CREDIT["named"])
        results.append(
            KeyPointResult(
                id=rp.key,
                text=rp.point.text,
                step_id=rp.step_id,  # type: ignore[arg-type]
                source=rp.source,
                section=rp.section,
                competency=rp.point.competency,
                covered=g.level in ("explained", "named"),
                matched_keywords=[g.concept] if g.concept and g.level != "contradicted" else [],
                hinted=was_hinted,
                self_rating=rating,
                credit=round(credit, 4),
                level=g.level,
                quote=g.sentence,
                concept=g.concept,
                cue=g.cue,
                advice=g.advice,
                field=g.field_id,
            )
        )
    flags = [
        RedFlagResult(id=h.flag_id, text=h.text, quote=h.sentence, reason=h.reason, field=h.field_id) for h in graded.red_flags
    ]
    return results, flags


def coverage(results: list[KeyPointResult], red_flags: int = 0) -> float:
    """Credit over points, less half a point per red flag. In the deep dive each dive weighs the
    same (the mean of the dives' coverage), so a long dive does not drown a short one."""
    if not results:
        return 0.0
    penalty = grading.RED_FLAG_COST * red_flags / len(results)
    dives: dict[str, list[KeyPointResult]] = {}
    for r in results:
        if r.step_id == "deep_dive" and r.source.startswith("dive:"):
            dives.setdefault(r.source, []).append(r)
    if dives and len(dives) == len({r.source for r in results}):
        mean = sum(sum(r.credit for r in pts) / len(pts) for pts in dives.values()) / len(dives)
        return max(0.0, mean - penalty)
    return max(0.0, sum(r.credit for r in results) / len(results) - penalty)
