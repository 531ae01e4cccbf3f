"""Calibration of the ticket-booking, top-K, unique-id and Pastebin cards beyond their answer files
(calibration/<card>/strong_1, paraphrase_1 and keywords_1, scored by test_calibration.py): a copy
of the card's own term lists and a blank run score low, so the points reward understanding, not
the card's vocabulary."""

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


def score(path: Path, problem: str) -> int:
    framework, card = load_framework(), load_problem(problem)
    session = run_scripted(parse_answers(path, framework, card), framework, card, None, start_wall=1_750_000_000.0)
    assert session.scorecard is not None
    return session.scorecard.score


def test_each_card_has_its_three_answer_files():
    for card in CARDS:
        assert {p.stem for p in (CALIBRATION / card).glob("*.yaml")} >= {"strong_1", "paraphrase_1", "keywords_1"}, card


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
