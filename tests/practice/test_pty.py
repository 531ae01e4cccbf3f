"""One end-to-end run in a real pseudo-terminal: the live countdown moves while the candidate
types, an answer is given, Ctrl-C stops the session and --resume brings the answer back."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

from .vt import Screen

pexpect = pytest.importorskip("pexpect")

ROWS, COLS = 32, 100


def coach_command() -> tuple[str, list[str]]:
    script = Path(sys.executable).with_name("interview-coach")
    if script.exists():
        return str(script), []
    return sys.executable, ["-m", "interview_coach"]


class Terminal:
    """A child process in a pty, its output applied to a screen we can read."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        command, prefix = coach_command()
        self.child = pexpect.spawn(command, prefix + list(args), env=env, encoding="utf-8", dimensions=(ROWS, COLS), timeout=15)
        self.screen = Screen(ROWS, COLS)
        self.transcript = ""

    def _pump(self, wait: float = 0.1) -> None:
        try:
            data = self.child.read_nonblocking(65536, timeout=wait)
        except pexpect.TIMEOUT:
            return
        self.transcript += data
        self.screen.feed(data)
        while self.screen.replies:  # cursor position reports, as a real terminal sends them
            self.child.send(self.screen.replies.pop(0))

    def wait_for(self, pattern: str, timeout: float = 10.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.screen.text())
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never appeared on the screen:\n{self.screen.text()}")
            self._pump()

    def type(self, text: str) -> None:
        self.child.send(text)

    def exit_status(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self._pump()
            except pexpect.EOF:
                self.child.close()
                return self.child.exitstatus
        self.child.terminate(force=True)
        raise AssertionError(f"the session did not exit:\n{self.screen.text()}")


@pytest.mark.slow
def test_countdown_answer_ctrl_c_and_resume(coach_home, monkeypatch):
    import os

    env = dict(os.environ, INTERVIEW_COACH_HOME=str(coach_home), TERM="xterm", COLUMNS=str(COLS), LINES=str(ROWS))
    env.pop("CI", None)

    term = Terminal("practice", "--problem", "chat", env=env)
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

    again = Terminal("practice", "--resume", "latest", env=env)
    try:
        again.wait_for(r"Resuming session 1")
        again.wait_for(r"functional: Users can send one-on-one text messages")  # the recap
        again.wait_for(r"> Low latency, highly available")  # the unsent answer, back in its prompt
        again.type("\x03")
        assert again.exit_status() == 130
    finally:
        if again.child.isalive():
            again.child.terminate(force=True)
