"""Every built-in quiz file (the chapter bank and each pack under quizzes/problems/) must reward
knowing the chapter, not test-taking tricks.

The files are found by walking the quizzes folder, so a pack added later is checked without
touching this file. How a throwaway distractor is caught (see interview_coach/quiz/fairness.py):
no option may use a banned joke or absolute phrase ("all of the above", "at no cost", "never",
...), every single-choice distractor must be within half to twice the right option's length and
of the same kind (a number among numbers, a sentence among sentences), and the prompt may not
repeat a word or number that only the right option has.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interview_coach.cli.main import app
from interview_coach.content.loader import problem_paths
from interview_coach.content.schema import validate
from interview_coach.paths import data_dir
from interview_coach.quiz import fairness
from interview_coach.quiz.bank import DEFAULT_BANK, PACK_DIR, Bank, load_bank, load_bank_file

QUIZ_FILES = sorted(data_dir("quizzes").rglob("*.yaml"))
# Margin over chance that a trick may reach before it is worth anything: the 10 points.
MARGIN = 0.10


def _banks() -> list[Bank]:
    return [load_bank_file(p) for p in QUIZ_FILES]


def _questions():
    return fairness.questions_of(_banks())


def test_the_walk_finds_the_chapter_bank_and_every_pack():
    names = {p.relative_to(data_dir("quizzes")).as_posix() for p in QUIZ_FILES}
    assert f"{DEFAULT_BANK}.yaml" in names
    packs = sorted(data_dir("quizzes").glob(f"{PACK_DIR}/*.yaml"))
    assert all(p.relative_to(data_dir("quizzes")).as_posix() in names for p in packs)


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_every_quiz_file_loads_and_a_pack_names_a_problem_card(path: Path):
    bank = load_bank_file(path)
    if path.parent.name == PACK_DIR:
        assert bank.problem == path.stem
        assert bank.problem in problem_paths(), f"{path.name}: no problem card called {bank.problem!r}"


def test_question_ids_are_unique_across_all_quiz_files():
    counts = Counter(q.id for q in _questions())
    assert [qid for qid, n in counts.items() if n > 1] == []


def test_the_chapter_bank_has_at_least_100_questions_and_4_per_section():
    bank = load_bank()
    assert len(bank.questions) >= 100
    per_section = Counter(q.section for q in bank.questions)
    thin = {s.id: per_section[s.id] for s in bank.sections if per_section[s.id] < 4}
    assert thin == {}
    assert all(q.title for q in bank.questions), "every chapter question has a title for the review of misses"


# ---------------------------------------------------------------- length


def test_pick_the_longest_option_is_right_at_most_chance_plus_ten_points():
    share, chance = fairness.longest_is_key_share(_questions())
    assert share <= chance + MARGIN, f"longest option is the answer {share:.0%} of the time (chance {chance:.0%})"


def test_pick_the_shortest_option_is_no_better():
    # The opposite trick: rebalancing lengths must not make "pick the shortest" work instead.
    share = fairness.shortest_is_key_share(_questions())
    _, chance = fairness.longest_is_key_share(_questions())
    assert share <= chance + MARGIN


def test_right_options_of_multiple_select_are_not_systematically_longer():
    multis = [q for q in _questions() if q.type == "multiple"]
    longer = [
        q.id
        for q in multis
        if sum(len(o) for o in q.expected()) / len(q.expected())
        > sum(len(o) for o in q.choices() if o not in q.expected()) / (len(q.choices()) - len(q.expected()))
    ]
    assert len(longer) <= (0.5 + MARGIN) * len(multis), longer


# ---------------------------------------------------------------- position


def test_answering_the_same_letter_everywhere_scores_at_chance():
    for score in fairness.constant_letter_scores(_questions()):
        assert score.share <= score.chance_share + MARGIN, f"{score.name}: {score.share:.0%} (chance {score.chance_share:.0%})"


def test_the_answer_letters_are_spread_evenly():
    # With options shuffled at random no letter holds the answer much more often than 1/n.
    singles = [q for q in _questions() if q.type == "single"]
    positions = Counter(q.choices().index(q.answer) for q in singles)
    n = len(singles)
    for index, hits in positions.items():
        share_expected = sum(1 / len(q.choices()) for q in singles if index < len(q.choices())) / n
        assert hits / n <= share_expected + MARGIN, (index, hits, n)


def test_ordering_questions_are_not_listed_in_the_answer_order_or_its_reverse():
    for q in _questions():
        if q.type == "ordering":
            assert q.choices() != q.expected(), q.id
            assert q.choices() != q.expected()[::-1], q.id
    as_listed, reversed_ = fairness.listed_order_score(_questions())
    for score in (as_listed, reversed_):
        assert score.share <= 0.5 + MARGIN, f"{score.name}: {score.share:.0%} of the pairs right"


def test_picking_the_same_letters_on_multiple_select_scores_at_chance():
    for score in fairness.multiple_position_scores(_questions()):
        assert score.share <= score.chance_share + MARGIN, f"{score.name}: {score.share:.2f} (chance {score.chance_share:.2f})"


def test_true_or_false_is_not_always_the_same():
    trues, total = fairness.true_share(_questions())
    assert total and 0.5 - 2 * MARGIN <= trues / total <= 0.5 + 2 * MARGIN, (trues, total)


def test_a_constant_answers_file_scores_at_chance_through_the_cli(tmp_path):
    """The end-to-end trick from the review: answer A (or B, C, D) to every single-choice
    question, True to every true/false and the listed order to every ordering question."""
    bank = load_bank()
    runner = CliRunner()
    singles = [q for q in bank.questions if q.type == "single"]
    chance = sum(1 / len(q.choices()) for q in singles) / len(singles)
    for letter in "ABCD":
        answers = {q.id: letter for q in singles}
        path = tmp_path / f"all-{letter}.json"
        path.write_text(json.dumps(answers))
        result = runner.invoke(app, ["quiz", "--answers", str(path), "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["total"] == len(singles)
        assert data["score"] / data["total"] <= chance + MARGIN, (letter, data["score"], data["total"])
    ordered = {q.id: "".join("ABCDEFGH"[: len(q.choices())]) for q in bank.questions if q.type == "ordering"}
    path = tmp_path / "listed.json"
    path.write_text(json.dumps(ordered))
    data = json.loads(runner.invoke(app, ["quiz", "--answers", str(path), "--json"]).stdout)
    assert data["score"] == 0 and data["points"] <= (0.5 + MARGIN) * data["total"]


# ---------------------------------------------------------------- wording and distractors


def test_striking_options_with_absolute_words_gains_nothing():
    # "Options that say always/every/only are wrong": the bank must not reward that lore.
    score = fairness.absolute_word_elimination_score(_questions())
    assert score.share <= score.chance_share + MARGIN / 2, f"{score.share:.0%} (chance {score.chance_share:.0%})"


def test_no_prompt_repeats_a_word_or_number_only_its_answer_has():
    assert [str(f) for f in fairness.prompt_giveaways(_questions())] == []


def test_no_prompt_ends_in_an_article():
    assert [str(f) for f in fairness.grammar_cues(_questions())] == []


def test_every_distractor_is_a_plausible_mistake():
    assert [str(f) for f in fairness.throwaway_options(_questions())] == []


# ---------------------------------------------------------------- the checks catch what they claim to


def _question(**fields):
    from interview_coach.quiz.bank import Question

    base = {"id": "q", "section": "s", "type": "single", "prompt": "Which one?", "explanation": "Because it is."}
    return validate(Question, base | fields)


def test_the_checks_catch_a_giveaway_a_joke_option_and_a_length_outlier():
    giveaway = _question(prompt="Which paging uses a cursor?", options=["Cursor paging", "Offset paging"], answer="Cursor paging")
    assert fairness.prompt_giveaways([giveaway])
    numeric = _question(type="numeric", prompt="Five of 4,000 members watch. How many get it?", answer=5)
    assert not fairness.prompt_giveaways([numeric])
    numeric = _question(type="numeric", prompt="4,000 members, 5 watching. How many get it?", answer=5)
    assert fairness.prompt_giveaways([numeric])
    right = "Fewer database writes, later"
    joke = _question(options=["Lower read latency at no cost", right], answer=right)
    assert fairness.throwaway_options([joke])
    right = "A very long and specific right option here"
    short = _question(options=[right, "Tiny"], answer=right)
    assert fairness.throwaway_options([short])
    article = _question(prompt="Typing events go over an", options=["x1", "y1"], answer="x1")
    assert fairness.grammar_cues([article])


def test_the_position_check_catches_a_bank_with_the_answer_first():
    keyed_first = [_question(id=f"q{i}", options=[f"right {i}", "w1", "w2", "w3"], answer=f"right {i}") for i in range(20)]
    always_a = fairness.constant_letter_scores(keyed_first)[0]
    assert always_a.name == "always A" and always_a.share == 1.0
    assert always_a.share > always_a.chance_share + MARGIN
    assert math.isclose(always_a.chance_share, 0.25)
