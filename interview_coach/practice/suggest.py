"""Which problem to practise next: the one practised least, then the one scored lowest.

A candidate who always picks the card they know learns little. Never-practised cards come
first (the chat reference before the others, since it is worked from the chapter), then cards
by how often they were practised, and among equals the one whose best finished score is lowest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from interview_coach.content.models import ProblemCard
from interview_coach.practice.store import SessionSummary


@dataclass(frozen=True)
class Suggestion:
    card_id: str
    reason: str  # shown beside the card in the picker: "never practised", "best score 42"


def rank_problems(cards: Sequence[ProblemCard], sessions: Iterable[SessionSummary]) -> list[Suggestion]:
    """Every card, the one to practise next first, each with the reason it is where it is."""
    counts: dict[str, int] = {}
    best: dict[str, int] = {}
    for s in sessions:
        counts[s.problem_id] = counts.get(s.problem_id, 0) + 1
        if s.score is not None:
            best[s.problem_id] = max(best.get(s.problem_id, 0), s.score)

    def key(card: ProblemCard) -> tuple[int, int, bool, str]:
        return (counts.get(card.id, 0), best.get(card.id, -1), not card.reference, card.title)

    ranked = []
    for card in sorted(cards, key=key):
        n = counts.get(card.id, 0)
        if n == 0:
            reason = "never practised"
        elif card.id in best:
            reason = f"practised {n}x, best score {best[card.id]}"
        else:
            reason = f"practised {n}x, never finished"
        ranked.append(Suggestion(card.id, reason))
    return ranked
