"""Grading of every question type, reading answers, partial credit and tolerance edges."""

from __future__ import annotations

from itertools import permutations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interview_coach.content.schema import validate
from interview_coach.quiz.bank import Question
from interview_coach.quiz.grading import (
    AnswerError,
    grade,
    multiple_credit,
    ordering_credit,
    parse_number,
    read_answer,
    show_answer,
    within_tolerance,
)


def q(**fields) -> Question:
    base = {"id": "q", "section": "s", "prompt": "A question?", "explanation": "Because it is so, really."}
    return validate(Question, base | fields)


SINGLE = q(type="single", options=["red", "green", "blue"], answer="green")
MULTI = q(type="multiple", options=["a", "b", "c", "d", "e"], answer=["a", "b", "c"])
TF = q(type="true_false", answer=False)
NUM = q(type="numeric", answer=100, tolerance=0.1, unit="TB")
ORDER = q(type="ordering", options=["one", "two", "three", "four"], answer=["one", "two", "three", "four"])


# ---------------------------------------------------------------- every type


def test_single_choice():
    assert grade(SINGLE, "green").correct
    wrong = grade(SINGLE, "red")
    assert not wrong.correct and wrong.credit == 0.0
    assert wrong.expected == "green"


def test_true_false():
    assert grade(TF, False).correct
    assert not grade(TF, True).correct


def test_numeric_with_tolerance_edges_inclusive():
    # 10% of 100: 90 and 110 are on the edge and count; just past them does not.
    for value in (90, 110, 100, 95.5):
        assert grade(NUM, value).correct, value
    for value in (89.999, 110.001, 0, -100):
        assert not grade(NUM, value).correct, value


def test_numeric_edge_survives_float_rounding():
    # 0.1 * 3 is 0.30000000000000004 in binary; the edge must still be inside.
    assert within_tolerance(1.1 * 3, 3.0, 0.1)
    assert within_tolerance(57870 * 1.05, 57870, 0.05)
    assert not within_tolerance(57870 * 1.0501, 57870, 0.05)


def test_numeric_zero_tolerance_is_exact():
    exact = q(type="numeric", answer=1, tolerance=0)
    assert grade(exact, 1).correct
    assert not grade(exact, 1.01).correct
    no_tolerance = q(type="numeric", answer=30)
    assert grade(no_tolerance, 30.0).correct and not grade(no_tolerance, 31).correct


def test_multiple_select_partial_credit():
    full = grade(MULTI, ["a", "b", "c"])
    assert full.correct and full.credit == 1.0
    two_of_three = grade(MULTI, ["a", "b"])
    assert not two_of_three.correct and two_of_three.credit == pytest.approx(2 / 3)
    with_a_wrong_pick = grade(MULTI, ["a", "b", "c", "d"])
    assert not with_a_wrong_pick.correct and with_a_wrong_pick.credit == pytest.approx(2 / 3)
    # Picking everything: three right minus two wrong.
    assert grade(MULTI, ["a", "b", "c", "d", "e"]).credit == pytest.approx(1 / 3)
    assert grade(MULTI, ["d", "e"]).credit == 0.0
    assert grade(MULTI, []).credit == 0.0


def test_ordering_partial_credit_counts_pairs():
    assert grade(ORDER, ["one", "two", "three", "four"]).correct
    swapped = grade(ORDER, ["one", "three", "two", "four"])
    assert not swapped.correct and swapped.credit == pytest.approx(5 / 6)
    assert grade(ORDER, ["four", "three", "two", "one"]).credit == 0.0


# ---------------------------------------------------------------- reading answers


def test_single_reads_text_case_and_space_insensitively_or_a_letter():
    assert read_answer(SINGLE, "  GREEN ") == "green"
    assert read_answer(SINGLE, "b") == "green"
    assert read_answer(SINGLE, "B.") == "green"
    # Letters count the options in the order given (as shown on screen).
    assert read_answer(SINGLE, "A", order=["green", "red", "blue"]) == "green"
    with pytest.raises(AnswerError, match=r"'purple' is not one of the options; give an option's text or its letter \(A-C\)"):
        read_answer(SINGLE, "purple")
    with pytest.raises(AnswerError):
        read_answer(SINGLE, "D")


def test_multiple_reads_lists_letters_and_strings():
    assert read_answer(MULTI, ["c", "A"]) == ["a", "c"]
    assert read_answer(MULTI, "A, C") == ["a", "c"]
    assert read_answer(MULTI, "CA") == ["a", "c"]
    assert read_answer(MULTI, "b") == ["b"]  # an option's own text
    with pytest.raises(AnswerError, match="picked twice"):
        read_answer(MULTI, ["a", "A"])


def test_true_false_reads_words_and_letters():
    for raw in (True, "true", "T", "yes", "a"):
        assert read_answer(TF, raw) is True
    for raw in (False, "False", "n", "B"):
        assert read_answer(TF, raw) is False
    with pytest.raises(AnswerError, match="not true or false"):
        read_answer(TF, "perhaps")


def test_ordering_reads_letters_and_requires_every_item_once():
    shown = ["three", "one", "four", "two"]
    assert read_answer(ORDER, "BDAC", order=shown) == ["one", "two", "three", "four"]
    assert read_answer(ORDER, "b > d > a > c", order=shown) == ["one", "two", "three", "four"]
    assert read_answer(ORDER, ["one", "two", "three", "four"]) == ["one", "two", "three", "four"]
    with pytest.raises(AnswerError, match=r"put all 4 items in order, each once \(missing D\)"):
        read_answer(ORDER, "ABC")
    with pytest.raises(AnswerError, match=r"\(missing D; repeated A\)"):
        read_answer(ORDER, "AABC")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("57870", 57870),
        ("57,870", 57870),
        ("58k", 58_000),
        ("5e9", 5e9),
        ("5B", 5e9),
        ("5 billion", 5e9),
        ("1.2M", 1.2e6),
        ("912.5 TB", 912.5),
        ("~900", 900),
        (48, 48),
        (0.5, 0.5),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text, unit="TB") == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "5 parsecs", "", True, "nan", "1e999"])
def test_parse_number_rejects_what_is_not_a_number(text):
    with pytest.raises(AnswerError):
        parse_number(text)


def test_show_answer_is_readable():
    assert show_answer(NUM, 912.5) == "912.5 TB"
    assert show_answer(q(type="numeric", answer=5e9, unit="messages/day"), 5e9) == "5,000,000,000 messages/day"
    assert show_answer(TF, True) == "True"
    assert show_answer(ORDER, ["one", "two"]) == "one → two"


# ---------------------------------------------------------------- invariants


options = st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=3), min_size=2, max_size=7, unique=True)


@given(options, st.data())
def test_multiple_credit_is_between_zero_and_one_and_one_only_when_exact(opts, data):
    answer = data.draw(st.lists(st.sampled_from(opts), min_size=1, unique=True))
    picked = data.draw(st.lists(st.sampled_from(opts), unique=True))
    credit = multiple_credit(picked, answer)
    assert 0.0 <= credit <= 1.0
    assert (credit == 1.0) == (set(picked) == set(answer))


@given(st.lists(st.integers(), min_size=2, max_size=6, unique=True), st.data())
def test_ordering_credit_is_one_only_for_the_right_order_and_zero_for_reversed(items, data):
    expected = [str(i) for i in items]
    given_order = data.draw(st.permutations(expected))
    credit = ordering_credit(given_order, expected)
    assert 0.0 <= credit <= 1.0
    assert (credit == 1.0) == (list(given_order) == expected)
    assert ordering_credit(expected[::-1], expected) == 0.0


def test_ordering_credit_grows_with_each_fixed_inversion():
    expected = ["a", "b", "c", "d"]
    credits = sorted({ordering_credit(list(p), expected) for p in permutations(expected)})
    assert credits[0] == 0.0 and credits[-1] == 1.0 and len(credits) == 7  # 0..6 pairs right
