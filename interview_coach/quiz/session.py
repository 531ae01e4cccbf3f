"""A quiz session: which questions, in what order, with what option shuffle; and the run that
grades, schedules and stores each answer as it is given.

Everything random comes from the seed: the same seed picks the same questions in the same
order, and each question's options are shuffled by a generator seeded from the run's seed and
that question's id, so a resumed run shows the options exactly as before.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from fsrs import Scheduler

from interview_coach.clock import Clock
from interview_coach.errors import NotFoundError, UsageError
from interview_coach.quiz.bank import Bank, Question
from interview_coach.quiz.grading import Grade, grade, read_answer
from interview_coach.quiz.scheduling import new_card, rating_for, review, utc
from interview_coach.quiz.store import QuizStore

Mode = Literal["quiz", "review", "due", "answers", "resume"]
DEFAULT_COUNT = 10


def new_seed() -> int:
    """A fresh seed for a run that was not given one (stored with the run, so it can be replayed)."""
    return random.SystemRandom().randrange(1, 2**31)


def select_questions(
    pool: Sequence[Question],
    *,
    seed: int,
    count: int | None = DEFAULT_COUNT,
    sections: Sequence[str] = (),
    shuffle: bool = True,
) -> list[Question]:
    """Pick up to `count` questions (all when None) from `pool`, in a seeded random order.

    `shuffle=False` keeps the pool's own order (an answers file in the order it was written).
    """
    chosen = [q for q in pool if not sections or q.section in sections]
    if count is not None and count < 1:
        raise UsageError(f"--count: {count} is not a positive number", "try --count 10, or --all for every question")
    rng = random.Random(seed)
    if shuffle:
        take = len(chosen) if count is None else min(count, len(chosen))
        return rng.sample(chosen, take)
    return chosen if count is None else chosen[:count]


def option_order(question: Question, seed: int) -> list[str]:
    """The options in the order shown for this run. True/False keep their order; a numeric
    question has none; an ordering question is always shuffled away from the right answer."""
    choices = question.choices()
    if question.type in ("true_false", "numeric") or len(choices) < 2:
        return choices
    rng = random.Random(f"{seed}:{question.id}")
    shuffled = list(choices)
    rng.shuffle(shuffled)
    if question.type == "ordering":
        # Showing the items already in the right order would give the answer away.
        while shuffled == list(question.expected()):
            rng.shuffle(shuffled)
    return shuffled


@dataclass
class Result:
    """One graded answer as the front end shows it."""

    question: Question
    grade: Grade
    seconds: float | None
    rating: int
    due: float


@dataclass
class QuizRun:
    """A run over a fixed list of questions; `answer` grades, schedules and stores one answer."""

    bank: Bank
    questions: list[Question]
    seed: int
    store: QuizStore
    clock: Clock
    scheduler: Scheduler
    mode: Mode = "quiz"
    run_id: int = 0
    answered: list[str] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        bank: Bank,
        questions: list[Question],
        *,
        seed: int,
        store: QuizStore,
        clock: Clock,
        scheduler: Scheduler,
        mode: Mode = "quiz",
    ) -> QuizRun:
        run = cls(bank, questions, seed, store, clock, scheduler, mode)
        run.run_id = store.start_run(bank.id, mode, seed, [q.id for q in questions], clock.now())
        return run

    @classmethod
    def resume(cls, bank: Bank, *, store: QuizStore, clock: Clock, scheduler: Scheduler) -> QuizRun:
        """The latest unfinished run of `bank`, with the questions already answered marked done."""
        row = store.unfinished_run(bank.id)
        if row is None:
            raise NotFoundError(f"no unfinished quiz of bank {bank.id} to resume", "start a new one with: interview-coach quiz")
        by_id = bank.by_id()
        # A question removed from the bank since the run started is skipped, not an error.
        questions = [by_id[qid] for qid in row.question_ids if qid in by_id]
        done = [a.question_id for a in store.run_attempts(row.id)]
        return cls(bank, questions, row.seed, store, clock, scheduler, "resume", row.id, done)

    def remaining(self) -> list[Question]:
        return [q for q in self.questions if q.id not in self.answered]

    def options(self, question: Question) -> list[str]:
        return option_order(question, self.seed)

    def read(self, question: Question, raw: Any, *, letters_from_screen: bool = True) -> Any:
        """Read raw input; letters count the options as shown (or as in the bank for files)."""
        return read_answer(question, raw, self.options(question) if letters_from_screen else None)

    def answer(self, question: Question, given: Any, seconds: float | None) -> Result:
        """Grade a canonical answer, rate it, move its card and store both in one transaction."""
        result = grade(question, given)
        rating = rating_for(question, result, seconds)
        now = self.clock.now()
        when = utc(now)
        card = self.store.card(self.bank.id, question.id) or new_card(self.bank.id, question.id, when)
        card = review(self.scheduler, card, rating, when, seconds)
        self.store.record(
            run_id=self.run_id,
            bank=self.bank.id,
            question_id=question.id,
            section=question.section,
            given=result.given,
            correct=result.correct,
            credit=result.credit,
            seconds=seconds,
            rating=int(rating),
            answered_at=now,
            card=card,
        )
        self.answered.append(question.id)
        return Result(question, result, seconds, int(rating), card.due.timestamp())

    def finish(self) -> None:
        self.store.finish_run(self.run_id, self.clock.now())

    def interrupt(self) -> None:
        self.store.interrupt_run(self.run_id, self.clock.now())


# ---------------------------------------------------------------- the end-of-run report


@dataclass
class SectionScore:
    section: str
    title: str
    asked: int
    correct: int
    points: float


@dataclass
class Report:
    bank: str
    run_id: int
    seed: int
    score: int
    total: int
    points: float
    seconds: float
    sections: list[SectionScore]
    questions: list[dict[str, Any]]

    @property
    def percent(self) -> float:
        return round(100.0 * self.score / self.total, 1) if self.total else 0.0

    def misses(self) -> list[dict[str, Any]]:
        return [q for q in self.questions if not q["correct"]]

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "total": self.total,
            "percent": self.percent,
            "points": round(self.points, 3),
            "seconds": round(self.seconds, 1),
            "bank": self.bank,
            "run_id": self.run_id,
            "seed": self.seed,
            "questions": self.questions,
        }


def report_for(run: QuizRun) -> Report:
    """The run's score from what is stored, so a resumed run counts the answers of every sitting."""
    by_id = run.bank.by_id()
    attempts = [a for a in run.store.run_attempts(run.run_id) if a.question_id in by_id]
    questions: list[dict[str, Any]] = []
    sections: dict[str, SectionScore] = {}
    for a in attempts:
        q = by_id[a.question_id]
        questions.append(
            {
                "id": q.id,
                "section": q.section,
                "type": q.type,
                "correct": a.correct,
                "credit": round(a.credit, 3),
                "given": a.given,
                "expected": q.expected(),
                "seconds": None if a.seconds is None else round(a.seconds, 1),
            }
        )
        s = sections.setdefault(q.section, SectionScore(q.section, run.bank.section_title(q.section), 0, 0, 0.0))
        s.asked += 1
        s.correct += int(a.correct)
        s.points += a.credit
    order = [s.id for s in run.bank.sections]
    return Report(
        bank=run.bank.id,
        run_id=run.run_id,
        seed=run.seed,
        score=sum(1 for a in attempts if a.correct),
        total=len(attempts),
        points=sum(a.credit for a in attempts),
        seconds=sum(a.seconds or 0.0 for a in attempts),
        sections=sorted(sections.values(), key=lambda s: order.index(s.section) if s.section in order else len(order)),
        questions=questions,
    )
