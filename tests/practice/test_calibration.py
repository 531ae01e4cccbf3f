"""Calibration: the score must follow understanding, not vocabulary.

The chat card is held to the issue's figures with answer files in tests/practice/calibration/chat:
the chapter's own candidate, verbatim (>= 90), faithful paraphrases in other words (>= 80), and
keyword lists, keyword salad and copies of the card's own lists (<= 35); a blank run scores 0.
The other cards each have a strong answer, a paraphrase and a keyword list.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interview_coach.content.loader import load_framework, load_problem
from interview_coach.practice.scripted import run_scripted
from interview_coach.practice.template import parse_answers

CALIBRATION = Path(__file__).parent / "calibration"
SEED_NAME = Path("shared") / "seeds" / "system-design-interviews.txt"
# The chapter sits beside the repository (../shared), or beside the folder of worktrees.
SEED = next((p / SEED_NAME for p in Path(__file__).resolve().parents if (p / SEED_NAME).exists()), Path("/nonexistent"))
CARDS = sorted(p.name for p in CALIBRATION.iterdir() if p.is_dir())
LIMITS = {"verbatim": (90, 100), "paraphrase": (80, 100), "strong": (80, 100), "keywords": (0, 35), "salad": (0, 35)}
OTHER_PARAPHRASE_FLOOR = 75  # the other cards have no chapter transcript to audit their rubric against


def score(path: Path, problem: str) -> int:
    framework, card = load_framework(), load_problem(problem)
    session = run_scripted(parse_answers(path, framework, card), framework, card, None, start_wall=1_750_000_000.0)
    assert session.scorecard is not None
    return session.scorecard.score


def files(card: str) -> list[tuple[str, Path]]:
    return [(p.stem.split("_")[0], p) for p in sorted((CALIBRATION / card).glob("*.yaml"))]


@pytest.mark.parametrize(
    ("card", "kind", "path"), [(c, k, p) for c in CARDS for k, p in files(c)], ids=lambda v: getattr(v, "stem", v)
)
def test_calibration_file(card, kind, path):
    low, high = LIMITS[kind]
    if card != "chat" and kind == "paraphrase":
        low = OTHER_PARAPHRASE_FLOOR
    got = score(path, card)
    assert low <= got <= high, f"{card}/{path.name}: {got} not in [{low}, {high}]"


def test_every_card_has_the_three_kinds():
    for card in CARDS:
        kinds = {k for k, _ in files(card)}
        assert {"keywords", "paraphrase"} <= kinds and kinds & {"strong", "verbatim"}, card
    chat = {k for k, _ in files("chat")}
    assert chat >= {"verbatim", "paraphrase", "keywords", "salad"}
    assert sum(1 for k, _ in files("chat") if k == "paraphrase") >= 3


def _card_lists(card, step: str, dive: str | None = None) -> list[list[str]]:
    from interview_coach.practice.grading import card_points

    points = card_points(card, step, [dive] if dive else None)
    return [[*p.point.keywords, *p.point.phrasings, *p.point.cues] for p in points]


def _card_copy(problem: str, layout: str) -> dict:
    """An answers file made of the card's own keyword, phrasing and cue lists."""
    card = load_problem(problem)

    def text(lists: list[list[str]]) -> str:
        if layout == "one_line":
            return ", ".join(w for words in lists for w in words)
        if layout == "per_point":
            return "\n".join(", ".join(words) for words in lists)
        return "\n".join(w for words in lists for w in words)  # one term per line

    return {
        "problem": problem,
        "minutes": 45,
        "steps": {
            "scope": {"scale": text(_card_lists(card, "scope")), "functional": text(_card_lists(card, "scope"))},
            "high_level": {"components": text(_card_lists(card, "high_level")), "apis": text(_card_lists(card, "high_level"))},
            "deep_dive": {"deep_dives": {d.id: {"answer": text(_card_lists(card, "deep_dive", d.id))} for d in card.deep_dives}},
            "wrap_up": {"tradeoffs": text(_card_lists(card, "wrap_up"))},
        },
    }


@pytest.mark.parametrize("layout", ["one_line", "per_point", "per_term"])
@pytest.mark.parametrize(
    "problem", ["chat", "url_shortener", "rate_limiter", "news_feed", "notification_system", "typeahead", "web_crawler"]
)
def test_a_copy_of_the_cards_own_lists_scores_low(tmp_path, problem, layout):
    path = tmp_path / "copy.yaml"
    path.write_text(yaml.safe_dump(_card_copy(problem, layout)))
    assert score(path, problem) <= 35


@pytest.mark.parametrize(
    "problem", ["chat", "url_shortener", "rate_limiter", "news_feed", "notification_system", "typeahead", "web_crawler"]
)
def test_a_blank_run_scores_zero(tmp_path, problem):
    path = tmp_path / "blank.yaml"
    path.write_text(yaml.safe_dump({"problem": problem, "minutes": 45, "steps": {}}))
    assert score(path, problem) == 0


def _candidate_text(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text())
    out: list[str] = []
    for step in data["steps"].values():
        for key, value in step.items():
            if key == "deep_dives":
                out.extend(d["answer"] for d in value.values())
            elif key == "clarify":
                out.extend(value)
            elif key != "estimates" and isinstance(value, str):
                out.append(value)
    return out


@pytest.mark.skipif(not SEED.exists(), reason="the chapter seed sits beside the repository (../shared/seeds)")
def test_the_verbatim_file_is_the_chapters_candidate():
    seed = " ".join(SEED.read_text().split())
    for text in _candidate_text(CALIBRATION / "chat" / "verbatim.yaml"):
        for line in text.splitlines():
            line = " ".join(line.split()).strip('"')
            if line:
                assert line in seed, line
