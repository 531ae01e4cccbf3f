"""The built-in bank must not reward test-taking tricks: option length should not give answers away."""

from __future__ import annotations

from statistics import mean

from interview_coach.quiz.bank import load_bank

# Above this share, "pick the longest option" beats knowing the chapter often enough to matter
# (with four options, chance alone makes the answer the longest about a quarter of the time).
MAX_SHARE = 0.40


def _single_choice():
    questions = [q for q in load_bank().questions if q.type == "single"]
    assert questions, "the built-in bank should have single-choice questions"
    return questions


def _others(q) -> list[str]:
    return [o for o in q.options if o != q.answer]


def test_the_answer_is_rarely_the_strictly_longest_option():
    questions = _single_choice()
    longest = [q.id for q in questions if len(q.answer) > max(len(o) for o in _others(q))]
    assert len(longest) <= MAX_SHARE * len(questions), (
        f"the answer is the longest option in {len(longest)} of {len(questions)} single-choice questions: {longest}"
    )


def test_the_answer_is_rarely_the_strictly_shortest_option():
    # The opposite trick: rewriting distractors must not make "pick the shortest" work instead.
    questions = _single_choice()
    shortest = [q.id for q in questions if len(q.answer) < min(len(o) for o in _others(q))]
    assert len(shortest) <= MAX_SHARE * len(questions), shortest


def test_right_options_of_multiple_select_are_not_systematically_longer():
    questions = [q for q in load_bank().questions if q.type == "multiple"]
    assert questions
    longer = [
        q.id
        for q in questions
        if mean(len(o) for o in q.answer) > mean(len(o) for o in q.options if o not in q.answer)
    ]
    assert len(longer) <= MAX_SHARE * len(questions), longer
