"""Mastery per section and the trend over runs, from the stored attempts and FSRS cards.

Mastery of a section is the mean FSRS retrievability of its questions right now, with a
question never answered, or last answered wrong, counting as zero: it rises as you answer
right, and decays as the days pass without review, which is what "do I still know this?" means.
(FSRS alone would rate a question just missed near 100%, since it measures from the last review.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fsrs import Scheduler

from interview_coach.quiz.bank import Bank
from interview_coach.quiz.scheduling import retrievability, utc
from interview_coach.quiz.store import QuizStore

SPARKS = "▁▂▃▄▅▆▇█"


@dataclass
class SectionStats:
    id: str
    title: str
    questions: int
    seen: int
    last_correct: int
    due: int
    attempts: int
    accuracy: float  # percent of attempts right (0 when none)
    mastery: float  # percent, mean retrievability


@dataclass
class RunPoint:
    run_id: int
    started_at: float
    mode: str
    answered: int
    correct: int
    percent: float
    finished: bool


@dataclass
class QuizStats:
    bank: str
    title: str
    sections: list[SectionStats]
    trend: list[RunPoint]
    attempts: int
    questions: int
    seen: int
    due: int
    mastery: float

    def sparkline(self) -> str:
        return sparkline([p.percent for p in self.trend if p.answered])

    def to_json(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "title": self.title,
            "questions": self.questions,
            "seen": self.seen,
            "due": self.due,
            "attempts": self.attempts,
            "mastery": self.mastery,
            "sections": [asdict(s) for s in self.sections],
            "trend": [asdict(p) for p in self.trend],
        }


def sparkline(values: list[float], low: float = 0.0, high: float = 100.0) -> str:
    """Percentages as block characters, on a fixed 0-100 scale so lines are comparable."""
    out = []
    for v in values:
        share = 0.0 if high <= low else (min(max(v, low), high) - low) / (high - low)
        out.append(SPARKS[min(len(SPARKS) - 1, int(share * (len(SPARKS) - 1) + 0.5))])
    return "".join(out)


def quiz_stats(bank: Bank, store: QuizStore, scheduler: Scheduler, now: float) -> QuizStats:
    when = utc(now)
    attempts = store.attempts(bank.id)
    latest = store.latest_attempts(bank.id)
    cards = store.cards(bank.id)
    ids = {q.id for q in bank.questions}

    def _recall(qid: str) -> float:
        if qid not in latest or not latest[qid].correct:
            return 0.0
        return retrievability(scheduler, cards.get(qid), when)

    sections: list[SectionStats] = []
    for section in bank.sections:
        qs = [q for q in bank.questions if q.section == section.id]
        tries = [a for a in attempts if a.question_id in {q.id for q in qs}]
        recall = [_recall(q.id) for q in qs]
        sections.append(
            SectionStats(
                id=section.id,
                title=section.title,
                questions=len(qs),
                seen=sum(1 for q in qs if q.id in latest),
                last_correct=sum(1 for q in qs if q.id in latest and latest[q.id].correct),
                due=sum(1 for q in qs if q.id in cards and cards[q.id].due <= when),
                attempts=len(tries),
                accuracy=round(100.0 * sum(a.correct for a in tries) / len(tries), 1) if tries else 0.0,
                mastery=round(100.0 * sum(recall) / len(recall), 1) if recall else 0.0,
            )
        )

    trend: list[RunPoint] = []
    by_run: dict[int, list[bool]] = {}
    for a in attempts:
        if a.run_id is not None:
            by_run.setdefault(a.run_id, []).append(a.correct)
    for run in store.runs(bank.id):
        marks = by_run.get(run.id, [])
        if not marks:
            continue  # a run stopped before its first answer says nothing about recall
        trend.append(
            RunPoint(
                run_id=run.id,
                started_at=run.started_at,
                mode=run.mode,
                answered=len(marks),
                correct=sum(marks),
                percent=round(100.0 * sum(marks) / len(marks), 1),
                finished=run.finished_at is not None,
            )
        )

    all_recall = [_recall(q.id) for q in bank.questions]
    return QuizStats(
        bank=bank.id,
        title=bank.title,
        sections=sections,
        trend=trend,
        attempts=sum(1 for a in attempts if a.question_id in ids),
        questions=len(bank.questions),
        seen=sum(1 for q in bank.questions if q.id in latest),
        due=sum(1 for q in bank.questions if q.id in cards and cards[q.id].due <= when),
        mastery=round(100.0 * sum(all_recall) / len(all_recall), 1) if all_recall else 0.0,
    )
