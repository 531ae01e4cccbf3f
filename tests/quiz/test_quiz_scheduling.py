"""FSRS scheduling with a fixed clock: ratings from correctness and time, the schedule, storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating, State

from interview_coach.clock import FakeClock
from interview_coach.quiz.grading import grade
from interview_coach.quiz.scheduling import (
    answer_budget,
    card_from_json,
    card_id_for,
    card_to_json,
    make_scheduler,
    new_card,
    rating_for,
    retrievability,
    review,
)
from interview_coach.quiz.session import QuizRun
from interview_coach.quiz.stats import quiz_stats, sparkline

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_rating_from_correctness_and_time(bank):
    q = bank.question("cap-banking")
    budget = answer_budget(q)
    right = grade(q, q.expected())
    wrong = grade(q, "Serves possibly stale reads to stay up")
    assert rating_for(q, wrong, 1.0) == Rating.Again
    assert rating_for(q, right, budget * 0.5) == Rating.Easy
    assert rating_for(q, right, budget) == Rating.Good
    assert rating_for(q, right, budget * 2) == Rating.Good
    assert rating_for(q, right, budget * 2 + 0.1) == Rating.Hard
    assert rating_for(q, right, None) == Rating.Good  # scripted: no timing
    # Estimates get time to compute.
    assert answer_budget(bank.question("est-write-tps")) > 30


def test_the_fsrs_schedule_with_a_fixed_clock():
    scheduler = make_scheduler(fuzz=False)
    card = new_card("bank", "q", T0)
    assert card.card_id == card_id_for("bank", "q") and card.due == T0

    card = review(scheduler, card, Rating.Good, T0)
    assert card.state == State.Learning and card.due == T0 + timedelta(minutes=10)
    when = card.due
    card = review(scheduler, card, Rating.Good, when)
    assert card.state == State.Review and card.due == when + timedelta(days=2)
    when = card.due
    card = review(scheduler, card, Rating.Good, when)
    assert card.due == when + timedelta(days=11)
    when = card.due
    card = review(scheduler, card, Rating.Again, when)
    assert card.state == State.Relearning and card.due == when + timedelta(minutes=10)

    easy = review(scheduler, new_card("bank", "e", T0), Rating.Easy, T0)
    again = review(scheduler, new_card("bank", "a", T0), Rating.Again, T0)
    assert easy.due - T0 > timedelta(days=1)
    assert again.due == T0 + timedelta(minutes=1)


def test_cards_round_trip_through_json():
    scheduler = make_scheduler(fuzz=False)
    card = review(scheduler, new_card("bank", "q", T0), Rating.Good, T0, seconds=12.5)
    back = card_from_json(card_to_json(card))
    assert back.to_dict() == card.to_dict()
    assert retrievability(scheduler, back, T0) == pytest.approx(1.0)
    assert retrievability(scheduler, None, T0) == 0.0


def test_due_review_and_stats_follow_the_clock(bank, store):
    clock = FakeClock(start=T0.timestamp())
    scheduler = make_scheduler(fuzz=False)
    right, wrong = bank.question("cache-write-through"), bank.question("cap-banking")
    run = QuizRun.start(bank, [right, wrong], seed=1, store=store, clock=clock, scheduler=scheduler)
    run.answer(right, right.expected(), None)  # Good: due in 10 minutes
    run.answer(wrong, "Switches to a write-back cache", None)  # Again: due in 1 minute
    run.finish()

    assert store.due_ids(bank.id, clock.now()) == []
    clock.advance(61)
    assert store.due_ids(bank.id, clock.now()) == ["cap-banking"]
    clock.advance(10 * 60)
    assert store.due_ids(bank.id, clock.now()) == ["cap-banking", "cache-write-through"]
    assert store.missed_ids(bank.id) == ["cap-banking"]
    assert store.next_due(bank.id, T0.timestamp()) == pytest.approx(T0.timestamp() + 60)

    stats = quiz_stats(bank, store, scheduler, clock.now())
    by_id = {s.id: s for s in stats.sections}
    assert (by_id["caching"].seen, by_id["caching"].last_correct, by_id["caching"].due) == (1, 1, 1)
    assert (by_id["cap"].seen, by_id["cap"].last_correct, by_id["cap"].accuracy) == (1, 0, 0.0)
    assert by_id["pitfalls"].mastery == 0.0 and by_id["caching"].mastery > 0
    assert [(p.answered, p.correct, p.percent) for p in stats.trend] == [(2, 1, 50.0)]
    assert stats.seen == 2 and stats.attempts == 2

    # Mastery decays as time passes without review.
    later = quiz_stats(bank, store, scheduler, clock.now() + 30 * 86400)
    assert later.sections[[s.id for s in later.sections].index("caching")].mastery < by_id["caching"].mastery


def test_sparkline_is_on_a_fixed_scale():
    assert sparkline([0, 50, 100]) == "▁▅█"
    assert sparkline([]) == ""


def test_a_question_just_missed_counts_zero_towards_mastery(bank, store):
    clock = FakeClock(start=T0.timestamp())
    scheduler = make_scheduler(fuzz=False)
    missed = bank.question("cap-banking")
    run = QuizRun.start(bank, [missed], seed=1, store=store, clock=clock, scheduler=scheduler)
    run.answer(missed, "Switches to a write-back cache", 3.0)
    cap = next(s for s in quiz_stats(bank, store, scheduler, clock.now()).sections if s.id == "cap")
    assert cap.mastery == 0.0 and cap.seen == 1
