"""Choosing problem cards by topic and difficulty (the `problems list` filters)."""

from __future__ import annotations

from typing import get_args

from interview_coach.content.models import TOPICS, Difficulty, ProblemCard
from interview_coach.errors import UsageError

DIFFICULTIES: tuple[str, ...] = get_args(Difficulty)


def select_cards(cards: list[ProblemCard], *, topic: str | None = None, difficulty: str | None = None) -> list[ProblemCard]:
    """The cards that exercise `topic` and have `difficulty` (either may be None: no filter).

    An unknown topic or difficulty is a usage error naming the known ones, so a typo never
    looks like an empty library.
    """
    if topic is not None:
        topic = topic.strip().lower().replace("_", "-").replace(" ", "-")
        if topic not in TOPICS:
            raise UsageError(f"--topic: unknown topic {topic!r}", f"use one of {', '.join(TOPICS)}")
    if difficulty is not None:
        difficulty = difficulty.strip().lower()
        if difficulty not in DIFFICULTIES:
            raise UsageError(f"--difficulty: unknown difficulty {difficulty!r}", f"use one of {', '.join(DIFFICULTIES)}")
    return [
        c for c in cards
        if (topic is None or topic in c.topics) and (difficulty is None or c.difficulty == difficulty)
    ]
