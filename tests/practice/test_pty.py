"""One end-to-end run in a real pseudo-terminal: the live countdown moves while the candidate
types, an answer is given, Ctrl-C stops the session and --resume brings the answer back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .terminal import Terminal, coach_env

pexpect = pytest.importorskip("pexpect")

ROWS, COLS = 32, 100


@pytest.mark.slow
def test_countdown_answer_ctrl_c_and_resume(coach_home, monkeypatch):
    env = coach_env(coach_home, COLS, ROWS)

    term = Terminal("practice", "--problem", "chat", env=env, rows=ROWS, cols=COLS)
    try:
        first = term.wait_for(r"(\d+:\d\d) left of 7:30").group(1)
        # The bottom toolbar is redrawn every second while the prompt waits for typing.
        later = term.wait_for(rf"(?!{re.escape(first)} )(\d+:\d\d) left of 7:30", timeout=6).group(1)
        assert later != first

        term.type("Is it one-on-one or group chat?\r")
        term.wait_for(r"Interviewer: One-on-one")
        term.type("\r")  # an empty question ends the clarifying questions
        term.wait_for(r"List the functional requirements")
        term.type("Users can send one-on-one text messages")
        term.type("\x1b\r")  # Esc then Enter sends a multi-line answer
        term.wait_for(r"List the non-functional requirements")
        term.type("Low latency, highly available")
        term.wait_for(r"Low latency, highly available")
        term.type("\x03")  # Ctrl-C
        assert term.exit_status() == 130
        assert "interview-coach practice --resume 1" in term.screen.text()
    finally:
        if term.child.isalive():
            term.child.terminate(force=True)

    from interview_coach.practice.store import load_session
    from interview_coach.storage.db import connect

    saved = load_session(connect(Path(coach_home) / "coach.sqlite3"), "latest")
    assert [a.text for a in saved.answers] == ["Users can send one-on-one text messages"]
    assert saved.draft is not None and saved.draft.text == "Low latency, highly available"

    again = Terminal("practice", "--resume", "latest", env=env, rows=ROWS, cols=COLS)
    try:
        again.wait_for(r"Resuming session 1")
        again.wait_for(r"functional: Users can send one-on-one text messages")  # the recap
        again.wait_for(r"> Low latency, highly available")  # the unsent answer, back in its prompt
        again.type("\x03")
        assert again.exit_status() == 130
    finally:
        if again.child.isalive():
            again.child.terminate(force=True)
