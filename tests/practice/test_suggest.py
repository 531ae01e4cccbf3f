"""`practice` without a problem offers first the card practised least, then the one scored lowest."""

from __future__ import annotations

from interview_coach.content.loader import load_problems
from interview_coach.practice.store import SessionSummary
from interview_coach.practice.suggest import rank_problems


def session(i: int, problem: str, score: int | None) -> SessionSummary:
    return SessionSummary(id=i, problem_id=problem, started_at=float(i), minutes=45, status="finished", score=score)


def test_never_practised_first_with_the_reference_card_ahead():
    cards = load_problems()
    ranked = rank_problems(cards, [])
    assert ranked[0].card_id == "chat" and ranked[0].reason == "never practised"
    assert len(ranked) == len(cards)


def test_least_practised_then_lowest_best_score():
    cards = [c for c in load_problems() if c.id in ("chat", "url_shortener", "rate_limiter")]
    sessions = [
        session(1, "chat", 90), session(2, "chat", 60),
        session(3, "url_shortener", 40),
        session(4, "rate_limiter", 85),
    ]
    ranked = rank_problems(cards, sessions)
    # url_shortener and rate_limiter were practised once each; the lower best score comes first.
    assert [s.card_id for s in ranked] == ["url_shortener", "rate_limiter", "chat"]
    assert ranked[0].reason == "practised 1x, best score 40"
    assert ranked[2].reason == "practised 2x, best score 90"


def test_an_unfinished_session_counts_as_practice_scored_below_any_finished_one():
    cards = [c for c in load_problems() if c.id in ("chat", "typeahead")]
    ranked = rank_problems(cards, [session(1, "typeahead", None), session(2, "chat", 70)])
    assert [s.card_id for s in ranked] == ["typeahead", "chat"]
    assert ranked[0].reason == "practised 1x, never finished"
