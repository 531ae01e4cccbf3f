"""Selection, deterministic shuffles, the run that stores each answer, resuming and the report."""

from __future__ import annotations

import pytest

from interview_coach.clock import FakeClock
from interview_coach.errors import NotFoundError, UsageError
from interview_coach.quiz.bank import resolve_sections
from interview_coach.quiz.scheduling import make_scheduler
from interview_coach.quiz.session import QuizRun, option_order, report_for, select_questions


def _ids(questions):
    return [q.id for q in questions]


def test_the_same_seed_gives_the_same_questions_order_and_options(bank):
    first = select_questions(bank.questions, seed=42, count=10)
    again = select_questions(bank.questions, seed=42, count=10)
    assert _ids(first) == _ids(again)
    assert len(first) == 10 and len(set(_ids(first))) == 10
    assert [option_order(q, 42) for q in first] == [option_order(q, 42) for q in again]
    assert _ids(select_questions(bank.questions, seed=43, count=10)) != _ids(first)


def test_all_and_sections(bank):
    everything = select_questions(bank.questions, seed=1, count=None)
    assert sorted(_ids(everything)) == sorted(_ids(bank.questions))
    caching = select_questions(bank.questions, seed=1, count=None, sections=["caching"])
    assert caching and {q.section for q in caching} == {"caching"}
    in_cap = [q for q in bank.questions if q.section == "cap"]
    assert len(select_questions(bank.questions, seed=1, count=100, sections=["cap"])) == len(in_cap)
    kept = select_questions(bank.questions[:5], seed=1, count=None, shuffle=False)
    assert _ids(kept) == _ids(bank.questions[:5])
    with pytest.raises(UsageError, match="--count: 0 is not a positive number"):
        select_questions(bank.questions, seed=1, count=0)


def test_option_shuffle_depends_on_seed_and_question_and_never_gives_ordering_away(bank):
    orderings = [q for q in bank.questions if q.type == "ordering"]
    for seed in range(50):
        for q in orderings:
            shown = option_order(q, seed)
            assert sorted(shown) == sorted(q.choices())
            assert shown != q.expected()
    tf = next(q for q in bank.questions if q.type == "true_false")
    assert option_order(tf, 7) == ["True", "False"]
    single = bank.question("cap-banking")
    assert len({tuple(option_order(single, s)) for s in range(20)}) > 1


def test_resolve_sections_by_id_prefix_or_title_word(bank):
    assert resolve_sections(bank, ["cap", "typing", "Caching"]) == ["cap", "typing-indicators", "caching"]
    with pytest.raises(NotFoundError, match="did you mean caching"):
        resolve_sections(bank, ["cachng"])
    with pytest.raises(NotFoundError, match="it matches"):
        resolve_sections(bank, ["s"])


def test_each_answer_is_stored_with_its_card_as_it_is_given(bank, store):
    clock = FakeClock(start=1_750_000_000.0)
    questions = [bank.question("cap-banking"), bank.question("est-write-tps"), bank.question("clarify-categories")]
    run = QuizRun.start(bank, questions, seed=5, store=store, clock=clock, scheduler=make_scheduler(fuzz=False))
    result = run.answer(questions[0], questions[0].answer, 6.0)
    assert result.grade.correct
    # Stored at once, before the run ends: a crash here loses nothing.
    assert [a.question_id for a in store.run_attempts(run.run_id)] == ["cap-banking"]
    assert store.card(bank.id, "cap-banking") is not None
    clock.advance(30)
    run.answer(questions[1], 60_000, 30.0)
    run.answer(questions[2], questions[2].expected()[:2], 20.0)  # 2 of the 4 right options
    run.finish()
    report = report_for(run)
    assert (report.score, report.total, report.percent) == (2, 3, 66.7)
    assert report.points == pytest.approx(2.5)
    assert report.misses()[0]["id"] == "clarify-categories"
    assert report.to_json()["questions"][1] == {
        "id": "est-write-tps",
        "section": "estimation",
        "type": "numeric",
        "correct": True,
        "credit": 1.0,
        "given": 60000.0,
        "expected": 57870.0,
        "seconds": 30.0,
    }
    assert store.missed_ids(bank.id) == ["clarify-categories"]
    assert store.unfinished_run(bank.id) is None


def test_an_interrupted_run_resumes_with_the_same_questions_and_options(bank, store):
    clock = FakeClock()
    questions = select_questions(bank.questions, seed=9, count=4)
    run = QuizRun.start(bank, questions, seed=9, store=store, clock=clock, scheduler=make_scheduler(fuzz=False))
    shown_before = [run.options(q) for q in questions]
    first = questions[0]
    run.answer(first, first.expected(), 5.0)
    run.interrupt()

    again = QuizRun.resume(bank, store=store, clock=clock, scheduler=make_scheduler(fuzz=False))
    assert again.run_id == run.run_id
    assert _ids(again.remaining()) == _ids(questions[1:])
    assert [again.options(q) for q in questions] == shown_before
    for q in again.remaining():
        again.answer(q, q.expected(), 5.0)
    again.finish()
    report = report_for(again)
    assert (report.score, report.total) == (4, 4)
    with pytest.raises(NotFoundError, match="no unfinished quiz"):
        QuizRun.resume(bank, store=store, clock=clock, scheduler=make_scheduler(fuzz=False))
