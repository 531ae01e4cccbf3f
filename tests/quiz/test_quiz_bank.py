"""The built-in bank and the validation of banks: every problem reported as file:line."""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from interview_coach.content.validate import validate_file
from interview_coach.content.yamlsrc import load_located
from interview_coach.errors import ContentError, NotFoundError
from interview_coach.paths import data_dir
from interview_coach.quiz.bank import DEFAULT_BANK, load_bank, validate_bank

BUILTIN = data_dir("quizzes") / f"{DEFAULT_BANK}.yaml"

# The sections the issue asks the chapter quiz to cover.
REQUIRED_SECTIONS = {
    "four-steps", "clarifying", "estimation", "api-design", "realtime-transport", "delivery-flow",
    "stateful-scaling", "storage", "group-fanout", "typing-indicators", "message-ordering",
    "media-uploads", "reconnection-sync", "wrap-up-tradeoffs", "caching", "cap", "pitfalls", "checklist",
}


def test_builtin_bank_is_valid_through_the_shared_loader():
    assert validate_file(BUILTIN) == []


def test_builtin_bank_covers_every_section_with_at_least_two_questions():
    bank = load_bank()
    declared = {s.id for s in bank.sections}
    assert declared == REQUIRED_SECTIONS
    per_section = Counter(q.section for q in bank.questions)
    thin = {s: per_section[s] for s in declared if per_section[s] < 2}
    assert thin == {}
    assert len(bank.questions) >= 40


def test_builtin_bank_has_every_type_and_difficulty():
    bank = load_bank()
    assert {q.type for q in bank.questions} == {"single", "multiple", "true_false", "numeric", "ordering"}
    assert {q.difficulty for q in bank.questions} == {"easy", "medium", "hard"}


def test_builtin_explanations_are_substantial():
    # Each explanation should say why the answer is right and why the distractors are wrong.
    for q in load_bank().questions:
        assert len(q.explanation.split()) >= 15, q.id


def test_estimation_answers_follow_from_the_chapters_numbers():
    bank = load_bank()
    dau, per_user, size, years = 50_000_000, 100, 100, 5
    daily = dau * per_user
    expected = {
        "est-daily-messages": daily,  # 5e9
        "est-write-tps": daily / 86_400,  # ~57,870
        "est-peak-tps": 2 * 60_000,  # the chapter doubles its rounded 60,000
        "est-daily-storage": daily * size / 1e9,  # 500 GB
        "est-five-year-storage": 500 * 365 * years / 1000,  # 912.5 TB ("about 900 TB")
        "est-ingress-mbps": 6 * 8,  # 6 MB/s = 48 Mbps
        "est-concurrent-connections": dau * 0.10,  # 5M
    }
    for qid, value in expected.items():
        q = bank.question(qid)
        assert q.type == "numeric"
        assert float(q.answer) == pytest.approx(value, rel=1e-3), qid
    # The chapter's rounded figures are accepted too.
    from interview_coach.quiz.grading import grade

    assert grade(bank.question("est-write-tps"), 60_000).correct
    assert grade(bank.question("est-five-year-storage"), 900).correct
    assert grade(bank.question("est-peak-tps"), 2 * daily / 86_400).correct


# ---------------------------------------------------------------- validation errors


def _bank_file(tmp_path: Path, body: str, name: str = "mine") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


GOOD = """
id: mine
title: Mine
sections:
  - id: one
    title: One
questions:
  - id: q1
    section: one
    type: single
    prompt: Pick the first.
    options: [first, second]
    answer: first
    explanation: First is first because it comes first.
"""


def _problems(path: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        validate_bank(load_located(path))
    return info.value.problems


def test_a_valid_user_bank_loads(tmp_path):
    bank = validate_bank(load_located(_bank_file(tmp_path, GOOD)))
    assert [q.id for q in bank.questions] == ["q1"]


def test_answer_not_among_options_names_the_answer_line(tmp_path):
    path = _bank_file(tmp_path, GOOD.replace("answer: first", "answer: frist"))
    problems = _problems(path)
    assert problems == [f"{path}:12: q1: answer 'frist' is not one of the options; did you mean 'first'?"]


def test_duplicate_ids_unknown_section_and_bad_tolerance(tmp_path):
    body = GOOD + """
  - id: q1
    section: onee
    type: numeric
    prompt: How many?
    answer: 10
    tolerance: 2
    explanation: Ten, because we said so in the text.
"""
    path = _bank_file(tmp_path, body)
    problems = _problems(path)
    assert f"{path}:15: duplicate question id 'q1' (first used at line 7)" in problems
    assert f"{path}:16: q1: unknown section 'onee'; did you mean 'one'?" in problems
    assert any(p.startswith(f"{path}:20: q1: tolerance 2 is relative and must be between 0 and 0.5") for p in problems)
    assert all(re.match(rf"^{re.escape(str(path))}:\d+: ", p) for p in problems)


@pytest.mark.parametrize(
    ("question", "line", "message"),
    [
        (
            "type: true_false\n    prompt: Yes?\n    options: [T, F]\n    answer: true",
            11,
            "q2: a true_false question takes no options (they are always True and False)",
        ),
        (
            "type: true_false\n    prompt: Yes?\n    answer: maybe",
            11,
            "q2: the answer of a true_false question is true or false, not 'maybe'",
        ),
        (
            "type: numeric\n    prompt: How many?\n    answer: lots",
            11,
            "q2: the answer of a numeric question is a number, not 'lots'",
        ),
        (
            "type: ordering\n    prompt: Order them.\n    options: [a, b, c]\n    answer: [a, b]",
            12,
            "q2: the answer must order every option; it leaves out 'c'",
        ),
        (
            "type: multiple\n    prompt: Pick some.\n    options: [a, b]\n    answer: a",
            12,
            "q2: the answer of a multiple question is a list of the options that are right",
        ),
        (
            "type: single\n    prompt: Pick one.\n    options: [a]\n    answer: a",
            11,
            "q2: a single question needs at least two options",
        ),
        (
            "type: single\n    prompt: Pick one.\n    options: [a, b]\n    answer: a\n    tolerance: 0.1",
            13,
            "q2: only numeric questions take a tolerance",
        ),
    ],
)
def test_type_rules_point_at_their_line(tmp_path, question, line, message):
    added = "  - id: q2\n    section: one\n    " + question + "\n    explanation: Some explanation here.\n"
    body = GOOD.replace("questions:\n", "questions:\n" + added, 1)
    path = _bank_file(tmp_path, body)
    assert f"{path}:{line}: {message}" in _problems(path)


def test_shape_errors_come_from_pydantic_with_lines(tmp_path):
    path = _bank_file(tmp_path, GOOD.replace("    explanation:", "    difficulty: impossible\n    explanation:"))
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:13: questions.0.difficulty: Input should be")


def test_bank_id_must_match_the_file_name(tmp_path):
    path = _bank_file(tmp_path, GOOD, name="other")
    assert _problems(path) == [f"{path}:1: bank id 'mine' must match the file name 'other' (it is the name --bank takes)"]


def test_the_shared_content_validator_reports_quiz_problems(tmp_path):
    path = _bank_file(tmp_path, GOOD.replace("section: one", "section: oen"))
    assert validate_file(path) == [f"{path}:8: q1: unknown section 'oen'; did you mean 'one'?"]


def test_user_banks_load_by_name_from_the_content_folder(tmp_path):
    (tmp_path / "quizzes").mkdir()
    _bank_file(tmp_path / "quizzes", GOOD)
    assert load_bank("mine", tmp_path).title == "Mine"
    with pytest.raises(NotFoundError) as info:
        load_bank("mien", tmp_path)
    assert "did you mean mine" in str(info.value)


def test_numbers_as_options_and_answers_are_text(tmp_path):
    body = GOOD.replace("options: [first, second]", "options: [10, 30]").replace("answer: first", "answer: 30")
    bank = validate_bank(load_located(_bank_file(tmp_path, body)))
    assert bank.questions[0].choices() == ["10", "30"] and bank.questions[0].expected() == "30"
