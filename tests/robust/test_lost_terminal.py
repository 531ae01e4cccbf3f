"""Closing the terminal while typing (a closed window, `tmux kill-session`): the pty's master
side goes away under a waiting prompt. The unsent text must be saved and the run end quietly,
as on a hang-up; --resume brings the text back into its prompt."""

from __future__ import annotations

import os
import re
import shlex
import sys
import time
from pathlib import Path

import pytest
from practice.vt import Screen

pexpect = pytest.importorskip("pexpect")

ROWS, COLS = 32, 80


class Terminal:
    def __init__(self, args: list[str], env: dict[str, str], stderr: Path, leader: bool = True) -> None:
        script = Path(sys.executable).with_name("interview-coach")
        command = " ".join(shlex.quote(a) for a in [str(script), *args])
        # stderr goes to a file, so what the program says after the terminal is gone can be read.
        # leader: the program owns the terminal's session (SIGHUP reaches it first); otherwise a
        # shell does, and the program may meet EIO on the terminal before any signal.
        redirect = f"2>{shlex.quote(str(stderr))}"
        run = f"exec {command} {redirect}" if leader else f"{command} {redirect}; :"
        self.child = pexpect.spawn("/bin/sh", ["-c", run], env=env, encoding="utf-8", dimensions=(ROWS, COLS), timeout=15)
        self.screen = Screen(ROWS, COLS)

    def wait_for(self, pattern: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.screen.text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never appeared:\n{self.screen.text()}")
            try:
                data = self.child.read_nonblocking(65536, timeout=0.1)
            except pexpect.TIMEOUT:
                continue
            self.screen.feed(data)
            while self.screen.replies:
                self.child.send(self.screen.replies.pop(0))

    def close_master(self) -> int:
        """Close our side of the pty without sending any signal; the exit code of the child."""
        pid = self.child.pid
        # Through the pty's own file object, marked closed, so nothing closes the fd number a
        # second time later (by then it may belong to another file).
        self.child.ptyproc.fileobj.close()
        self.child.ptyproc.closed = True
        self.child.closed = True
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        os.kill(pid, 9)
        raise AssertionError("the program kept running after its terminal was closed")


@pytest.mark.slow
@pytest.mark.parametrize(
    "pause, leader",
    [
        (0.05, True),
        (1.5, True),  # before and after the toolbar's redraw
        # Under a shell: the program may get no hang-up signal at all (the shell is the session's
        # leader) and the prompt reads the vanished terminal as "no input yet"; the terminal
        # watcher (ui/hangup.py) turns it into one.
        (0.05, False),
        (1.5, False),
    ],
)
def test_closing_the_terminal_keeps_the_unsent_draft(coach_home, tmp_path, pause, leader):
    env = dict(os.environ, INTERVIEW_COACH_HOME=str(coach_home), TERM="xterm", COLUMNS=str(COLS), LINES=str(ROWS))
    env.pop("CI", None)
    err = tmp_path / "stderr.txt"
    term = Terminal(["practice", "--problem", "chat"], env, err, leader)
    term.wait_for(r"left of 7:30")
    term.child.send("\r")  # no clarifying questions
    term.wait_for(r"List the functional requirements")
    term.child.send("Users send one-on-one messages")
    term.wait_for(r"Users send one-on-one messages")
    time.sleep(pause)
    code = term.close_master()

    from interview_coach.practice.store import load_session
    from interview_coach.storage.db import connect

    if leader:
        assert code in (129, 130), code
    else:
        # The shell died of the hang-up; the program under it stops on its own: wait for its save.
        deadline = time.monotonic() + 10
        while load_session(connect(Path(coach_home) / "coach.sqlite3"), "latest").draft is None and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # and for its last words, if any, to reach the file
    said = err.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in said and "Error" not in said, said[-2500:]

    saved = load_session(connect(Path(coach_home) / "coach.sqlite3"), "latest")
    assert saved.draft is not None and saved.draft.text == "Users send one-on-one messages"

    again = Terminal(["practice", "--resume", "latest"], env, tmp_path / "again.txt")
    try:
        again.wait_for(r"> Users send one-on-one messages")  # back in its prompt
        again.child.send("\x03")
    finally:
        if again.child.isalive():
            again.child.terminate(force=True)


@pytest.mark.slow
def test_ctrl_d_on_an_empty_answer_stops_as_ctrl_c_does(coach_home, tmp_path):
    env = dict(os.environ, INTERVIEW_COACH_HOME=str(coach_home), TERM="xterm", COLUMNS=str(COLS), LINES=str(ROWS))
    env.pop("CI", None)
    err = tmp_path / "stderr.txt"
    term = Terminal(["practice", "--problem", "chat"], env, err)
    term.wait_for(r"left of 7:30")
    term.child.send("\x04")
    term.wait_for(r"Stopped\. Everything you gave is saved")
    term.child.expect(pexpect.EOF)
    term.child.close()
    assert term.child.exitstatus == 130
    said = err.read_text(encoding="utf-8", errors="replace")
    assert "error" not in said.lower(), said
