"""The practice screen in real pseudo-terminals, at the widths people use: nothing cut off,
nothing typed lost, and an ending whose recap is the last thing on screen."""

from __future__ import annotations

import re
import shutil

import pytest

pytest.importorskip("pexpect")

from .terminal import Terminal, coach_env, squeeze

pytestmark = pytest.mark.slow

ESC_ENTER = "\x1b\r"  # sends a multi-line answer
CTRL_C = "\x03"


def chat_card():
    from interview_coach.content.loader import load_problem

    return load_problem("chat")


def test_a_long_deep_dive_question_and_the_picker_options_are_whole_at_80_columns(coach_home):
    rows, cols = 45, 80
    card = chat_card()
    with Terminal("practice", "--problem", "chat", env=coach_env(coach_home, cols, rows), rows=rows, cols=cols) as term:
        term.wait_for(r"left of 7:30")
        term.type("/next\r")  # the clarifying questions take one line; a command moves on
        term.wait_for(r"Step 2 of 4")
        term.type("/next" + ESC_ENTER)
        term.wait_for(r"Which deep dives\?")
        term.wait_for(r"Step 3/4")  # the toolbar stays under the picker
        term.settle()
        shown = squeeze(term.text())
        for dive in card.deep_dives[:3]:  # the first options, each with its whole question
            assert squeeze(f"{dive.title}: {dive.question}") in shown, term.text()
        term.type(" ")  # tick the first
        term.type("\r")
        term.wait_for(r"Deep dive: " + re.escape(card.deep_dives[0].title))
        term.settle()
        assert squeeze(card.deep_dives[0].question) in squeeze(term.text()), term.text()
        # word-wrapped: every word of the question is whole on some line
        on_screen = set(term.text().split())
        assert [w for w in card.deep_dives[0].question.split() if w not in on_screen] == [], term.text()
        term.type(CTRL_C)
        assert term.exit_status() == 130


def _answer_self_assessment(term: Terminal) -> None:
    """Confirm each step's self-assessment picker (nothing ticked) until the report comes."""
    seen = 0
    while True:
        found = term.wait_for(r"the keyword check|Score card|The reference answer", timeout=10)
        if found.group(0) != "the keyword check":
            return
        numbers = [int(n) for n in re.findall(r"Step (\d) \([^)]*\): the keyword check", term.text())]
        if not numbers or max(numbers) <= seen:
            term.pump()
            continue
        seen = max(numbers)
        term.settle(0.3)
        assert "Review | the clock has stopped" in term.text()  # the toolbar stays while rating
        term.type("\r")


@pytest.mark.skipif(shutil.which("less") is None, reason="needs less as the pager")
def test_a_whole_interview_at_140_columns_ends_with_the_recap_on_screen(coach_home):
    rows, cols = 40, 140
    env = coach_env(coach_home, cols, rows)
    env.pop("PAGER", None)
    env.pop("LESS", None)
    with Terminal("practice", "--problem", "chat", env=env, rows=rows, cols=cols) as term:
        term.wait_for(r"left of 7:30")
        term.type("How many daily active users?\r")
        term.wait_for(r"Interviewer: .*50 million")
        term.type("\r")  # no more questions
        term.wait_for(r"functional requirements")
        term.type("One-on-one chat with low delivery latency\r/next\r")  # a command alone on its line sends
        term.wait_for(r"Step 2 of 4")
        term.type("POST /v1/messages to send; WebSocket servers push to the recipient\r/next\r")
        term.wait_for(r"Which deep dives\?")
        term.type(" \r")
        term.wait_for(r"Deep dive: ")
        term.type("Server A looks up which server holds B in the Redis session registry\r/done\r")
        term.wait_for(r"End the interview now")
        term.type("y")
        _answer_self_assessment(term)
        # The long report goes through less; it waits at its prompt when it does not fit.
        term.wait_for(r"Score card|The reference answer", timeout=15)
        term.settle()
        term.type("q")
        term.wait_for(r"Write-up: interview-coach summary 1", timeout=15)
        assert term.exit_status() == 0
        lines = [line for line in term.text().splitlines() if line.strip()]
        tail = "\n".join(lines[-8:])
        assert lines[-1].startswith("╰"), term.text()  # the recap's panel closes the screen
        assert re.search(r"Score \d+/100", tail)
        assert "Study next:" in tail and "  3. " in tail
        assert "Write-up: interview-coach summary 1" in tail
        assert "Saved as session 1" in "\n".join(lines[-12:])


# ---------------------------------------------------------------- Ctrl-C at each kind of prompt


def _to_clarify(term: Terminal) -> str:
    term.wait_for(r"left of 7:30")
    term.type("Is it global or one region?")
    term.wait_for(r"You: Is it global or one region\?")
    return r"You: Is it global or one region\?"


def _to_text(term: Terminal) -> str:
    term.wait_for(r"left of 7:30")
    term.type("\r")
    term.wait_for(r"functional requirements")
    term.type("Users send messages\rand see them delivered")
    term.wait_for(r"and see them delivered")
    return r"> Users send messages\n\s*and see them delivered"


def _to_estimate(term: Terminal) -> str:
    term.wait_for(r"left of 7:30")
    term.type("\r")
    term.wait_for(r"functional requirements")
    for _ in range(8):  # past the text prompts of the step, each left empty
        term.type(ESC_ENTER)
        try:
            term.wait_for(r"Daily writes", timeout=1.5)
            break
        except AssertionError:
            continue
    term.type("5 billion")
    term.wait_for(r"Daily writes.*5 billion")
    return r"Daily writes.*: 5 billion"


def _to_dive_choice(term: Terminal) -> str:
    term.wait_for(r"left of 7:30")
    term.type("/next\r")
    term.wait_for(r"Step 2 of 4")
    term.type("/next" + ESC_ENTER)
    term.wait_for(r"Which deep dives\?")
    term.type("\x1b[B ")  # down to the second option, tick it
    term.wait_for(r"● Offline recipients")
    return r"● Offline recipients"


def _to_self_assessment(term: Terminal) -> str:
    term.wait_for(r"left of 7:30")
    term.type("/done\r")
    term.wait_for(r"End the interview now")
    term.type("y")
    term.wait_for(r"Step 1 \(.*\): the keyword check")
    term.settle(0.3)
    term.type(" ")
    term.wait_for(r"» ● 1\. ")
    return r"● 1\. "


@pytest.mark.parametrize(
    "go", [_to_clarify, _to_text, _to_estimate, _to_dive_choice, _to_self_assessment], ids=lambda f: f.__name__[4:]
)
def test_ctrl_c_at_a_prompt_then_resume_restores_what_was_unsent(coach_home, go):
    rows, cols = 40, 100
    env = coach_env(coach_home, cols, rows)
    with Terminal("practice", "--problem", "chat", env=env, rows=rows, cols=cols) as term:
        restored = go(term)
        term.type(CTRL_C)
        assert term.exit_status() == 130
        assert "interview-coach practice --resume 1" in term.text()
    with Terminal("practice", "--resume", "1", env=env, rows=rows, cols=cols) as again:
        again.wait_for(r"Resuming session 1")
        again.wait_for(restored)
        again.type(CTRL_C)
        assert again.exit_status() == 130


def test_the_long_report_goes_through_pager_and_no_pager_prints_it(coach_home):
    """$PAGER is honoured as git honours it, and --no-pager turns it off; the recap follows."""
    from .conftest import FIXTURES

    rows, cols = 30, 120
    answers = str(FIXTURES / "chat_answers.yaml")
    env = coach_env(coach_home, cols, rows, PAGER="sed s/^/PAGED:/")
    with Terminal("practice", "--answers", answers, env=env, rows=rows, cols=cols) as term:
        assert term.exit_status() == 0
        said = plain(term.transcript)
        assert "PAGED:" in said and re.search(r"PAGED:\s*Score card", said)  # the score card went through the pager
        assert said.rindex("PAGED:") < said.rindex("Write-up: interview-coach summary 1")
    with Terminal("practice", "--answers", answers, "--no-pager", env=env, rows=rows, cols=cols) as term:
        assert term.exit_status() == 0
        said = plain(term.transcript)
        assert "PAGED:" not in said and "Write-up: interview-coach summary 2" in said


def plain(transcript: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", transcript)
