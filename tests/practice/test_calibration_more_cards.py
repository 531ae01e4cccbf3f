"""Calibration of the ticket-booking, top-K, unique-id and Pastebin cards: a strong answer and a
faithful paraphrase score high, a bare keyword list, a copy of the card's own term lists and a
blank run score low - so each card's points reward understanding, not its vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interview_coach.content.loader import load_framework, load_problem
from interview_coach.practice.grading import card_points
from interview_coach.practice.scripted import run_scripted
from interview_coach.practice.template import parse_answers

CALIBRATION = Path(__file__).parent / "calibration"
CARDS = ["ticket_booking", "top_k", "unique_id", "pastebin"]
LIMITS = {"strong": (80, 100), "paraphrase": (75, 100), "keywords": (0, 35)}


def score(path: Path, problem: str) -> int:
    framework, card = load_framework(), load_problem(problem)
    session = run_scripted(parse_answers(path, framework, card), framework, card, None, start_wall=1_750_000_000.0)
    assert session.scorecard is not None
    return session.scorecard.score


@pytest.mark.parametrize("card", CARDS)
@pytest.mark.parametrize("kind", sorted(LIMITS))
def test_calibration_answers_score_in_their_band(card, kind):
    low, high = LIMITS[kind]
    got = score(CALIBRATION / card / f"{kind}_1.yaml", card)
    assert low <= got <= high, f"{card}/{kind}_1: {got} not in [{low}, {high}]"


def _copy(problem: str, layout: str) -> dict:
    """An answers file made of the card's own keyword, phrasing and cue lists."""
    card = load_problem(problem)

    def lists(step: str, dive: str | None = None) -> list[list[str]]:
        return [[*p.point.keywords, *p.point.phrasings, *p.point.cues] for p in card_points(card, step, [dive] if dive else None)]

    def text(groups: list[list[str]]) -> str:
        if layout == "one_line":
            return ", ".join(w for words in groups for w in words)
        if layout == "per_point":
            return "\n".join(", ".join(words) for words in groups)
        return "\n".join(w for words in groups for w in words)

    return {
        "problem": problem,
        "minutes": 45,
        "steps": {
            "scope": {"scale": text(lists("scope")), "functional": text(lists("scope"))},
            "high_level": {"components": text(lists("high_level")), "apis": text(lists("high_level"))},
            "deep_dive": {"deep_dives": {d.id: {"answer": text(lists("deep_dive", d.id))} for d in card.deep_dives}},
            "wrap_up": {"tradeoffs": text(lists("wrap_up"))},
        },
    }


@pytest.mark.parametrize("layout", ["one_line", "per_point", "per_term"])
@pytest.mark.parametrize("card", CARDS)
def test_a_copy_of_the_cards_own_lists_scores_low(tmp_path, card, layout):
    path = tmp_path / "copy.yaml"
    path.write_text(yaml.safe_dump(_copy(card, layout)))
    assert score(path, card) <= 35


@pytest.mark.parametrize("card", CARDS)
def test_a_blank_run_scores_zero(tmp_path, card):
    path = tmp_path / "blank.yaml"
    path.write_text(yaml.safe_dump({"problem": card, "minutes": 45, "steps": {}}))
    assert score(path, card) == 0
