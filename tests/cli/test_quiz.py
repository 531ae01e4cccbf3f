"""`interview-coach quiz` end to end: scripted answers, --json, prompts (scripted and through
prompt_toolkit's pipe input), Ctrl-C and resuming, review and due, stats, and bad input."""

from __future__ import annotations

import json
import textwrap

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from typer.testing import CliRunner

from interview_coach.cli import quiz as quiz_cli
from interview_coach.cli.main import app
from interview_coach.clock import FakeClock
from interview_coach.quiz.bank import load_bank
from interview_coach.quiz.session import option_order, select_questions
from interview_coach.quiz.store import QuizStore
from interview_coach.storage.db import connect
from interview_coach.ui import ask
from interview_coach.ui.quiz_view import labelled

runner = CliRunner()
DOWN, ENTER, CTRL_C = "\x1b[B", "\r", "\x03"


def invoke(*args: str):
    return runner.invoke(app, list(args))


def one_error_line(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def attempts(bank: str = "system-design-interviews"):
    conn = connect()
    try:
        return QuizStore(conn).attempts(bank)
    finally:
        conn.close()


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock(start=1_750_000_000.0)
    monkeypatch.setattr(quiz_cli, "_clock", lambda: fake)
    return fake


@pytest.fixture
def terminal(monkeypatch):
    """Pretend there is a terminal, so the quiz prompts (through whatever asker is set)."""
    monkeypatch.setattr(quiz_cli, "_is_interactive", lambda: True)


BANK = load_bank()


def right(qid: str) -> str:
    """The letter of the right option in the bank's stored order (letters of an answers file)."""
    q = BANK.question(qid)
    return "ABCDEFGH"[q.choices().index(q.answer)]


def wrong(qid: str) -> str:
    q = BANK.question(qid)
    return "ABCDEFGH"[next(i for i, o in enumerate(q.choices()) if o != q.answer)]


def right_letters(qid: str, count: int) -> str:
    q = BANK.question(qid)
    return ", ".join("ABCDEFGH"[q.choices().index(o)] for o in q.expected()[:count])


ANSWERS = f"""\
cap-banking: {right("cap-banking")}                      # right, by letter (stored order)
est-write-tps: 58k                  # right, within 5%
clarify-categories: [{right_letters("clarify-categories", 3)}]       # 3 of 4: partial credit
steps-order: [Understand the problem and scope, Propose a high-level design, Wrap up, Design deep dive]
"""


# ---------------------------------------------------------------- scripted


def test_without_a_terminal_or_answers_it_says_to_use_answers():
    line = one_error_line(invoke("quiz"))
    assert line.startswith("error: ") and "--answers" in line


def test_a_scripted_quiz_prints_json_and_stores_every_answer(tmp_path, clock):
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS)
    result = invoke("quiz", "--answers", str(answers), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["score"], data["total"], data["percent"]) == (2, 4, 50.0)
    assert [q["id"] for q in data["questions"]] == ["cap-banking", "est-write-tps", "clarify-categories", "steps-order"]
    first = data["questions"][0]
    assert first == first | {
        "id": "cap-banking",
        "section": "cap",
        "correct": True,
        "given": BANK.question("cap-banking").answer,
        "expected": BANK.question("cap-banking").answer,
    }
    assert data["questions"][1]["given"] == 58000.0 and data["questions"][1]["expected"] == 57870.0
    assert data["questions"][2]["correct"] is False and data["questions"][2]["credit"] == 0.75
    assert data["points"] == pytest.approx(2 + 0.75 + 5 / 6, abs=1e-3)
    assert [a.question_id for a in attempts()] == [q["id"] for q in data["questions"]]


def test_a_scripted_quiz_for_people_shows_feedback_sections_and_misses(tmp_path, clock):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"cap-banking": wrong("cap-banking"), "cap-chat-choice": True}))
    result = invoke("quiz", "--answers", str(answers))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Question 1 of 2" in out and "✘ Wrong." in out and "✔ Right." in out
    assert "The answer:  Turns away reads and writes" in out
    assert "Score: 1/2 (50.0%)" in out
    assert "By section" in out and "Consistency vs availability (CP vs AP)" in out
    assert "Misses" in out and "interview-coach quiz --review" in out
    # The review of misses names the question by its title, not its id.
    misses = out[out.index("Misses") :]
    assert "A ledger during a partition" in misses and "cap-banking" not in misses


def test_answers_from_stdin(clock):
    result = runner.invoke(app, ["quiz", "--answers", "-", "--json"], input='{"pitfall-silence": "30 seconds"}')
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["score"] == 1


def test_seed_makes_a_scripted_quiz_repeatable(tmp_path, clock):
    bank = load_bank()
    answers = tmp_path / "all.json"
    answers.write_text(json.dumps({q.id: q.expected() for q in bank.questions}))
    args = ("quiz", "--answers", str(answers), "--seed", "11", "--count", "5", "--json")
    runs = [json.loads(invoke(*args).stdout) for _ in range(2)]
    ids = [[q["id"] for q in r["questions"]] for r in runs]
    assert ids[0] == ids[1] == [q.id for q in select_questions(bank.questions, seed=11, count=5)]
    assert runs[0]["score"] == 5
    other = json.loads(invoke("quiz", "--answers", str(answers), "--seed", "12", "--count", "5", "--json").stdout)
    assert [q["id"] for q in other["questions"]] != ids[0]


def test_list_json_prints_the_bank():
    result = invoke("quiz", "--list", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    bank = load_bank()
    assert len(listed) == len(bank.questions) >= 40
    assert set(listed[0]) >= {"id", "section", "type", "prompt", "options", "answer", "explanation"}
    by_id = {q["id"]: q for q in listed}
    assert by_id["est-five-year-storage"]["answer"] == 912.5 and by_id["est-five-year-storage"]["unit"] == "TB"
    assert by_id["cap-chat-choice"]["options"] == ["True", "False"]
    only = json.loads(invoke("quiz", "--list", "--json", "--section", "typing").stdout)
    assert {q["section"] for q in only} == {"typing-indicators"}
    table = invoke("quiz", "--list")
    assert table.exit_code == 0 and "steps-order" in table.stdout


# ---------------------------------------------------------------- bad input


def test_bad_answers_files_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cap-banking: A\ncap-bankin: B\n")
    line = one_error_line(invoke("quiz", "--answers", str(bad)))
    assert line == f"error: {bad}:2: no question 'cap-bankin' in bank system-design-interviews; did you mean 'cap-banking'?"

    bad.write_text("est-write-tps: lots\n")
    line = one_error_line(invoke("quiz", "--answers", str(bad)))
    assert line.startswith(f"error: {bad}:1: est-write-tps: 'lots' is not a number; type a number such as")

    bad.write_text("- just\n- a list\n")
    assert "expected a mapping of question id to answer" in one_error_line(invoke("quiz", "--answers", str(bad)))

    missing = tmp_path / "missing.yaml"
    assert f"{missing}:1: cannot read" in one_error_line(invoke("quiz", "--answers", str(missing)))
    assert attempts() == []  # nothing stored when the file is bad


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["quiz", "--bank", "nope", "--list"], "--bank: no quiz bank called 'nope'"),
        (["quiz", "--section", "cachng", "--list"], "did you mean caching"),
        (["quiz", "--count", "0", "--answers", "x.yaml"], "--count: 0 is not a positive number"),
        (["quiz", "--review", "--due"], "--review and --due"),
        (["quiz", "--all", "--count", "3"], "--all and --count disagree"),
        (["quiz", "--resume", "--seed", "3"], "--resume continues the stopped quiz"),
    ],
)
def test_bad_options_exit_2_with_one_line(args, needle):
    assert needle in one_error_line(invoke(*args))


def test_resume_with_nothing_to_resume(terminal):
    assert "no unfinished quiz" in one_error_line(invoke("quiz", "--resume"))


def test_a_user_bank_from_the_content_folder(tmp_path, clock):
    folder = tmp_path / "content" / "quizzes"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(
        textwrap.dedent(
            """\
            id: mine
            title: My own bank
            sections:
              - id: basics
                title: Basics
            questions:
              - id: two-plus-two
                section: basics
                type: numeric
                prompt: What is two plus two?
                answer: 4
                explanation: Two and two make four, as counting on fingers shows.
            """
        )
    )
    answers = tmp_path / "a.yaml"
    answers.write_text("two-plus-two: 4\n")
    result = invoke("--content-dir", str(tmp_path / "content"), "quiz", "--bank", "mine", "--answers", str(answers), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["score"] == 1
    assert [a.question_id for a in attempts("mine")] == ["two-plus-two"]

    (folder / "mine.yaml").write_text((folder / "mine.yaml").read_text().replace("section: basics", "section: basis"))
    line = one_error_line(invoke("--content-dir", str(tmp_path / "content"), "quiz", "--bank", "mine", "--list"))
    assert line == f"error: {folder / 'mine.yaml'}:8: two-plus-two: unknown section 'basis'; did you mean 'basics'?"


# ---------------------------------------------------------------- review, due and stats


def test_review_asks_again_what_was_missed(tmp_path, clock):
    first = tmp_path / "first.yaml"
    first.write_text(f"cap-banking: {wrong('cap-banking')}\ncache-write-through: {right('cache-write-through')}\n")
    invoke("quiz", "--answers", str(first))
    again = tmp_path / "again.yaml"
    again.write_text(f"cap-banking: {right('cap-banking')}\ncache-write-through: {right('cache-write-through')}\n")
    result = invoke("quiz", "--review", "--answers", str(again), "--json")
    data = json.loads(result.stdout)
    assert [q["id"] for q in data["questions"]] == ["cap-banking"] and data["score"] == 1
    nothing = invoke("quiz", "--review", "--answers", str(again))
    assert nothing.exit_code == 0 and "Nothing to review" in nothing.stdout


def test_due_follows_the_fsrs_schedule(tmp_path, clock):
    answers = tmp_path / "a.yaml"
    # Again (due in 1 minute), then Good (10 minutes).
    answers.write_text(f"cap-banking: {wrong('cap-banking')}\ncache-write-through: {right('cache-write-through')}\n")
    invoke("quiz", "--answers", str(answers))
    early = invoke("quiz", "--due", "--answers", str(answers))
    assert "Nothing is due now; the next review is due in 1 minute." in early.stdout
    clock.advance(11 * 60)
    due = json.loads(invoke("quiz", "--due", "--answers", str(answers), "--json").stdout)
    assert [q["id"] for q in due["questions"]] == ["cap-banking", "cache-write-through"]


def test_stats_show_mastery_by_section_and_the_trend(tmp_path, clock):
    empty = invoke("quiz", "stats")
    assert empty.exit_code == 0 and "No quiz answers yet" in empty.stdout
    answers = tmp_path / "a.yaml"
    answers.write_text(ANSWERS)
    invoke("quiz", "--answers", str(answers))
    clock.advance(3600)
    invoke("quiz", "--answers", str(answers))
    result = invoke("quiz", "stats")
    assert result.exit_code == 0, result.output
    assert "Mastery by section" in result.stdout and "Trend over runs" in result.stdout
    assert "Back-of-the-envelope estimation" in result.stdout
    data = json.loads(invoke("quiz", "stats", "--json").stdout)
    assert len(data["sections"]) == 18
    assert [(p["answered"], p["correct"]) for p in data["trend"]] == [(4, 2), (4, 2)]
    estimation = next(s for s in data["sections"] if s["id"] == "estimation")
    assert estimation["seen"] == 1 and estimation["attempts"] == 2 and estimation["mastery"] > 0


def test_help_ends_with_examples():
    for args in (["quiz", "--help"], ["quiz", "stats", "--help"]):
        result = invoke(*args)
        assert result.exit_code == 0 and "Example: interview-coach quiz" in result.stdout


# ---------------------------------------------------------------- prompts


def _cap_run(seed: int):
    bank = load_bank()
    questions = select_questions(bank.questions, seed=seed, count=None, sections=["cap"])
    return bank, questions


def _right_reply(question, seed):
    """What a person who knows the answer picks in the prompt the quiz shows."""
    shown = option_order(question, seed)
    if question.type == "single":
        return labelled(shown)[shown.index(question.expected())]
    if question.type == "multiple":
        return [labelled(shown)[shown.index(o)] for o in question.expected()]
    if question.type == "true_false":
        return "True" if question.expected() else "False"
    raise AssertionError(question.type)


def test_an_interactive_quiz_with_scripted_prompts(terminal, clock):
    seed = 3
    _bank, questions = _cap_run(seed)
    ask.set_asker(ask.ScriptedAsker([_right_reply(q, seed) for q in questions]))
    result = invoke("quiz", "--section", "cap", "--all", "--seed", str(seed))
    assert result.exit_code == 0, result.output
    assert f"Score: {len(questions)}/{len(questions)} (100.0%)" in result.stdout
    assert "No misses." in result.stdout


def test_ctrl_c_saves_what_was_answered_and_says_how_to_resume(terminal, clock):
    seed = 4
    _bank, questions = _cap_run(seed)
    ask.set_asker(ask.ScriptedAsker([_right_reply(questions[0], seed), KeyboardInterrupt()]))
    result = invoke("quiz", "--section", "cap", "--all", "--seed", str(seed))
    assert result.exit_code == 130
    assert "Traceback" not in result.output
    assert f"Stopped after 1 of {len(questions)} questions; 1 answer saved." in result.stderr
    assert "interview-coach quiz --resume" in result.stderr
    assert [a.question_id for a in attempts()] == [questions[0].id]

    ask.set_asker(ask.ScriptedAsker([_right_reply(q, seed) for q in questions[1:]]))
    resumed = invoke("quiz", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert f"Score: {len(questions)}/{len(questions)}" in resumed.stdout
    assert [a.question_id for a in attempts()] == [q.id for q in questions]


class PipeAsker:
    """QuestionaryAsker on a prompt_toolkit pipe; each prompt's keys are sent as it opens."""

    def __init__(self, pipe, keys):
        self.pipe = pipe
        self.keys = list(keys)
        self.inner = ask.QuestionaryAsker(input=pipe, output=DummyOutput())

    def _feed(self):
        self.pipe.send_text(self.keys.pop(0))

    def text(self, message, **kw):
        self._feed()
        return self.inner.text(message, **kw)

    def select(self, message, choices, **kw):
        self._feed()
        return self.inner.select(message, choices, **kw)

    def checkbox(self, message, choices):
        self._feed()
        return self.inner.checkbox(message, choices)

    def confirm(self, message, **kw):
        self._feed()
        return self.inner.confirm(message, **kw)


def _keys_for(question, seed, *, right=True):
    shown = option_order(question, seed)
    if question.type in ("single", "true_false"):
        target = str(question.expected()) if question.type == "true_false" else question.expected()
        index = shown.index(target)
        if not right:
            index = (index + 1) % len(shown)
        return DOWN * index + ENTER
    if question.type == "multiple":
        want = set(question.expected())
        return "".join((" " if o in want else "") + DOWN for o in shown) + ENTER
    if question.type == "ordering":
        return "".join("ABCDEFGH"[shown.index(item)] for item in question.expected()) + ENTER
    raise AssertionError(question.type)


def test_prompts_through_prompt_toolkit_pipe_input(terminal, clock):
    seed = 8
    bank = load_bank()
    questions = select_questions(bank.questions, seed=seed, count=None, sections=["four-steps", "cap"])
    keys = [_keys_for(q, seed, right=(i != 1)) for i, q in enumerate(questions)]
    with create_pipe_input() as pipe:
        ask.set_asker(PipeAsker(pipe, keys))
        result = invoke("quiz", "--section", "four-steps", "--section", "cap", "--all", "--seed", str(seed), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == len(questions)
    assert [q["correct"] for q in data["questions"]] == [i != 1 for i in range(len(questions))]
    assert all(q["seconds"] is not None for q in data["questions"])


SMALL_BANK = """\
id: small
title: Small
sections:
  - id: mixed
    title: Mixed
questions:
  - id: tps
    section: mixed
    type: numeric
    prompt: 5 billion a day is how many per second?
    answer: 57870
    tolerance: 0.05
    unit: writes/s
    explanation: Divide by the 86,400 seconds in a day.
  - id: steps
    section: mixed
    type: ordering
    prompt: Order the steps.
    options: [Scope, High-level design, Deep dive, Wrap up]
    answer: [Scope, High-level design, Deep dive, Wrap up]
    explanation: Scope first, then the sketch, then depth, then the review.
"""


def test_numeric_and_ordering_prompts_ask_again_after_unreadable_input(tmp_path, terminal, clock):
    folder = tmp_path / "quizzes"
    folder.mkdir()
    (folder / "small.yaml").write_text(SMALL_BANK)
    bank = load_bank("small", tmp_path)
    seed = 5
    keys = []
    for q in select_questions(bank.questions, seed=seed, count=None):
        if q.type == "numeric":
            keys += ["lots" + ENTER, "58k" + ENTER]  # not a number, asked again
        else:
            keys += ["AB" + ENTER, _keys_for(q, seed)]  # too few letters, asked again
    with create_pipe_input() as pipe:
        ask.set_asker(PipeAsker(pipe, keys))
        result = invoke("--content-dir", str(tmp_path), "quiz", "--bank", "small", "--all", "--seed", str(seed))
    assert result.exit_code == 0, result.output
    assert "'lots' is not a number" in result.stdout
    assert "put all 4 items in order, each once (missing" in result.stdout
    assert "Score: 2/2" in result.stdout


def test_ctrl_c_in_a_real_prompt(terminal, clock):
    with create_pipe_input() as pipe:
        ask.set_asker(PipeAsker(pipe, [CTRL_C]))
        result = invoke("quiz", "--count", "3", "--seed", "1")
    assert result.exit_code == 130
    assert "Stopped after 0 of 3 questions; 0 answers saved." in result.stderr
    assert "Traceback" not in result.output


def test_a_real_pseudo_terminal_round_with_ctrl_c_and_resume(tmp_path):
    """The installed command in a real pty: questionary prompts, Ctrl-C, then --resume."""
    import os
    import shutil
    import sys

    pexpect = pytest.importorskip("pexpect")
    exe = shutil.which("interview-coach", path=os.path.dirname(sys.executable))
    if exe is None:
        pytest.skip("the interview-coach script is not installed beside this Python")
    # No cursor-position request: a bare pty never answers it, and prompt_toolkit would wait for it.
    env = dict(
        os.environ, INTERVIEW_COACH_HOME=str(tmp_path), COLUMNS="90", NO_COLOR="1", TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1"
    )
    env.pop("CI", None)

    def spawn(*args):
        return pexpect.spawn(exe, list(args), env=env, encoding="utf-8", timeout=20, dimensions=(40, 90))

    child = spawn("quiz", "--section", "cap", "--count", "2", "--seed", "3")
    child.expect("Question 1 of 2")
    child.expect("Your answer|True or false|Pick every")  # the prompt is drawn with escape codes around it
    child.send(ENTER)
    child.expect("Next review")
    child.expect("Question 2 of 2")
    child.expect("Your answer|True or false|Pick every")
    child.send(CTRL_C)
    child.expect("Pick up where you left off with: interview-coach quiz --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    child = spawn("quiz", "--resume")
    child.expect("Question 2 of 2")
    child.expect("Your answer|True or false|Pick every")
    child.send(ENTER)
    child.expect("Score:")
    child.expect("By section")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
