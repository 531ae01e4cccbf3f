"""Spaced repetition with FSRS (the `fsrs` package, v6): one card per question, keyed by its id.

A miss is rated Again. A right answer is rated by how long it took against a reading budget
for that question: quick means Easy, about as long as reading and thinking takes means Good,
much longer means Hard (you got there, but it was not fluent). Scripted answers carry no
timing, so they are rated Good.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from fsrs import Card, Rating, Scheduler

from interview_coach.quiz.bank import Question
from interview_coach.quiz.grading import Grade

# Seconds to read and answer: a base, plus time to read the words, plus time to compute for
# numeric questions (estimates are worked out, not recalled).
BASE_SECONDS = 8.0
READ_CHARS_PER_SECOND = 20.0
NUMERIC_EXTRA_SECONDS = 30.0
EASY_FRACTION = 0.5  # at most half the budget: Easy
HARD_FRACTION = 2.0  # more than twice the budget: Hard


def make_scheduler(*, fuzz: bool = True) -> Scheduler:
    """The scheduler the quiz uses; tests pass fuzz=False so intervals are exact."""
    return Scheduler(enable_fuzzing=fuzz)


def utc(seconds: float) -> datetime:
    """Wall-clock seconds (from a Clock) as the timezone-aware datetime fsrs requires."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def card_id_for(bank_id: str, question_id: str) -> int:
    """A stable integer id for fsrs, derived from the question's own id (fsrs wants an int)."""
    digest = hashlib.sha1(f"{bank_id}:{question_id}".encode()).hexdigest()
    return int(digest[:12], 16)


def new_card(bank_id: str, question_id: str, now: datetime) -> Card:
    # Always pass `due`: fsrs would otherwise read the system clock.
    return Card(card_id=card_id_for(bank_id, question_id), due=now)


def answer_budget(question: Question) -> float:
    """Seconds a fluent answer takes for this question."""
    text = question.prompt + "".join(question.choices())
    extra = NUMERIC_EXTRA_SECONDS if question.type == "numeric" else 0.0
    return BASE_SECONDS + len(text) / READ_CHARS_PER_SECOND + extra


def rating_for(question: Question, grade: Grade, seconds: float | None) -> Rating:
    """The FSRS rating of one answer, from its correctness and the time it took."""
    if not grade.correct:
        return Rating.Again
    if seconds is None:
        return Rating.Good
    budget = answer_budget(question)
    if seconds <= budget * EASY_FRACTION:
        return Rating.Easy
    if seconds > budget * HARD_FRACTION:
        return Rating.Hard
    return Rating.Good


def review(scheduler: Scheduler, card: Card, rating: Rating, when: datetime, seconds: float | None = None) -> Card:
    duration_ms = int(seconds * 1000) if seconds is not None else None
    updated, _log = scheduler.review_card(card, rating, when, review_duration=duration_ms)
    return updated


def retrievability(scheduler: Scheduler, card: Card | None, when: datetime) -> float:
    """FSRS's estimate that you would answer right now (0 for a question never answered)."""
    if card is None or card.last_review is None:
        return 0.0
    return float(scheduler.get_card_retrievability(card, when))


def card_to_json(card: Card) -> str:
    return json.dumps(card.to_dict(), sort_keys=True)


def card_from_json(text: str) -> Card:
    data: dict[str, Any] = json.loads(text)
    return Card.from_dict(data)  # type: ignore[arg-type]
