"""A coach process in a real pseudo-terminal of a given size, its output applied to a screen
(`vt.Screen`) so tests read what a person would see."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pexpect

from .vt import Screen


def coach_command() -> tuple[str, list[str]]:
    script = Path(sys.executable).with_name("interview-coach")
    if script.exists():
        return str(script), []
    return sys.executable, ["-m", "interview_coach"]


def coach_env(home: Path, cols: int, rows: int, **extra: str) -> dict[str, str]:
    env = dict(os.environ, INTERVIEW_COACH_HOME=str(home), TERM="xterm", COLUMNS=str(cols), LINES=str(rows), **extra)
    env.pop("CI", None)
    return env


def squeeze(text: str) -> str:
    """Text without any whitespace: wrapped and unwrapped text compare equal."""
    return re.sub(r"\s+", "", text)


class Terminal:
    def __init__(self, *args: str, env: dict[str, str], rows: int, cols: int) -> None:
        command, prefix = coach_command()
        self.child = pexpect.spawn(command, prefix + list(args), env=env, encoding="utf-8", dimensions=(rows, cols), timeout=15)
        self.screen = Screen(rows, cols)
        self.transcript = ""

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)

    def pump(self, wait: float = 0.1) -> None:
        try:
            data = self.child.read_nonblocking(65536, timeout=wait)
        except pexpect.TIMEOUT:
            return
        self.transcript += data
        self.screen.feed(data)
        while self.screen.replies:  # cursor position reports, as a real terminal sends them
            self.child.send(self.screen.replies.pop(0))

    def text(self) -> str:
        return self.screen.text()

    def wait_for(self, pattern: str, timeout: float = 10.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.screen.text())
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never appeared on the screen:\n{self.screen.text()}")
            self.pump()

    def settle(self, quiet: float = 0.5) -> None:
        """Read until nothing new has come for `quiet` seconds (a redraw is complete)."""
        before = None
        while before != self.transcript:
            before = self.transcript
            self.pump(quiet)

    def type(self, text: str) -> None:
        self.child.send(text)

    def exit_status(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.pump()
            except pexpect.EOF:
                self.child.close()
                return self.child.exitstatus
        self.child.terminate(force=True)
        raise AssertionError(f"the session did not exit:\n{self.screen.text()}")
