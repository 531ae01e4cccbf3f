"""The score card: coverage per step, time discipline, hints, missed points, competencies.

How the numbers are made (kept simple so a candidate can check them by hand; docs/scoring.md):
- a rubric point earns 1 when an answer explains it, 0.2 when it only names it, 0 when it is
  missing or contradicted (`grading.py`); half that after a hint gave it away; a point claimed
  in the self-assessment without evidence counts as named;
- each red flag found takes half a point off its step; a step's coverage is its credit over its
  points (in the deep dive, the mean over the dives, at least two); the overall coverage is the
  steps' coverage weighted by their time budgets;
- a step's time score is 1 from half its budget to 10% over it, falling to 0 at twice the
  budget, and in proportion below half (a step done in a tenth of its time was rushed: 0.2);
  a step never answered scores 0; time discipline is the budget-weighted mean;
- the score (0-100) is 85% coverage and 15% time discipline (all coverage when untimed); time
  counts in full only once coverage reaches 60%, in proportion below, since finishing on time
  with little to show is not discipline;
- a competency's score is the mean credit of its points (a point names its competency, or
  belongs to those that list its step); communication also weighs time discipline, a quarter.
"""

from __future__ import annotations

from interview_coach.clock import clock_text
from interview_coach.content.models import Framework, ProblemCard
from interview_coach.practice.model import CompetencyScore, KeyPointResult, RedFlagResult, Scorecard, Session, StepScore
from interview_coach.practice.rubric import coverage, results_for

LEVELS = ("mid", "senior", "staff")
# The score at which each level's description applies.
LEVEL_FLOORS = {"mid": 0.4, "senior": 0.65, "staff": 0.85}
COVERAGE_WEIGHT = 0.85
ON_TIME_SLACK = 1.1
# Under this share of its budget a step was rushed, not efficient: finishing a high-level
# design in 18 seconds of 12:30 says as much about time management as overrunning it.
EARLY_FRACTION = 0.5
TIME_COUNTS_FROM = 0.6  # coverage at which time discipline counts in full


def time_score(elapsed: float, budget: float, answered: int, skipped: bool) -> tuple[float, str]:
    if answered == 0:
        return 0.0, "skipped" if skipped else "not answered"
    ratio = elapsed / budget if budget > 0 else 1.0
    used = f"{clock_text(elapsed)} of {clock_text(budget)}"
    if ratio < EARLY_FRACTION:
        note = "far too quick" if ratio < EARLY_FRACTION / 2 else "quick"
        return ratio / EARLY_FRACTION, f"{note} ({used})"
    if ratio <= ON_TIME_SLACK:
        note = "on time" if ratio <= 1.0 else "a little over"
        return 1.0, f"{note} ({used})"
    score = max(0.0, 1.0 - (ratio - ON_TIME_SLACK) / (2.0 - ON_TIME_SLACK))
    return score, f"over by {clock_text(elapsed - budget)} ({used})"


def _answered(session: Session, step_id: str) -> int:
    n = sum(1 for a in session.latest_answers(step_id).values() if a.text.strip())
    if step_id == "scope":
        n += len(session.clarifications) + sum(1 for e in session.estimates if e.candidate.strip())
    return n


def level_for(score: float) -> str | None:
    reached = None
    for level in LEVELS:
        if score >= LEVEL_FLOORS[level]:
            reached = level
    return reached


def build_scorecard(session: Session, framework: Framework, card: ProblemCard) -> Scorecard:
    steps: list[StepScore] = []
    everything: list[KeyPointResult] = []
    flags: list[RedFlagResult] = []
    weighted_time = 0.0
    for step, timing in zip(framework.steps, session.steps, strict=True):
        results, step_flags = results_for(framework, card, session, step.id)
        everything.extend(results)
        flags.extend(step_flags)
        answered = _answered(session, step.id)
        t_score, t_note = time_score(timing.elapsed_seconds, timing.budget_seconds, answered, timing.skipped)
        weighted_time += t_score * timing.budget_seconds
        steps.append(
            StepScore(
                step_id=step.id,
                number=step.number,
                title=step.title,
                coverage=round(coverage(results, len(step_flags)), 4),
                matched=[r for r in results if r.credit > 0],
                missed=[r for r in results if r.credit == 0],
                budget_seconds=timing.budget_seconds,
                elapsed_seconds=round(timing.elapsed_seconds, 1),
                overrun_seconds=round(timing.overrun_seconds, 1),
                time_score=round(t_score, 4),
                time_note=t_note if session.timed else f"untimed ({clock_text(timing.elapsed_seconds)})",
                hints=sum(1 for h in session.hints if h.step_id == step.id),
                answered=answered,
                skipped=timing.skipped,
                red_flags=step_flags,
            )
        )
    budget = sum(s.budget_seconds for s in steps)
    overall = sum(s.coverage * s.budget_seconds for s in steps) / budget if budget else 0.0
    discipline = weighted_time / session.budget_seconds if session.timed and session.budget_seconds else None
    if discipline is None:
        score = overall
    else:
        score = COVERAGE_WEIGHT * overall + (1 - COVERAGE_WEIGHT) * discipline * min(1.0, overall / TIME_COUNTS_FROM)
    return Scorecard(
        score=round(100 * score),
        coverage=round(overall, 4),
        time_discipline=None if discipline is None else round(discipline, 4),
        hints_used=len(session.hints),
        steps=steps,
        competencies=competencies(framework, everything, steps, discipline),
        missed=[r for r in everything if r.credit == 0],
        red_flags=flags,
    )


def competencies(
    framework: Framework, results: list[KeyPointResult], steps: list[StepScore], discipline: float | None
) -> list[CompetencyScore]:
    out = []
    for comp in framework.competencies:
        mine = [r for r in results if r.competency == comp.id or (r.competency is None and r.step_id in comp.steps)]
        if mine:
            score = coverage(mine)
        else:  # no point names it: the coverage of the steps it is graded in
            cover = [s.coverage for s in steps if s.step_id in comp.steps]
            score = sum(cover) / len(cover) if cover else 0.0
        if comp.id == "communication" and discipline is not None:
            score = 0.75 * score + 0.25 * discipline
        level = level_for(score)
        next_level = LEVELS[LEVELS.index(level) + 1] if level in LEVELS[:-1] else (None if level else "mid")
        out.append(
            CompetencyScore(
                id=comp.id,
                title=comp.title,
                score=round(score, 4),
                level=level,  # type: ignore[arg-type]
                description=comp.levels[level or "mid"],  # type: ignore[index]
                next_level=next_level,  # type: ignore[arg-type]
                next_description=comp.levels[next_level] if next_level else None,  # type: ignore[index]
            )
        )
    return out
