"""The terminal watcher: a terminal that vanishes without a hang-up signal still becomes one."""

from __future__ import annotations

import os
import pty
import signal
import threading

import pytest

from interview_coach.ui.hangup import watch_terminal

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX only")


@pytest.fixture
def hangups():
    got = threading.Event()
    old = signal.signal(signal.SIGHUP, lambda *_: got.set())
    yield got
    signal.signal(signal.SIGHUP, old)


def test_a_closed_terminal_sends_one_hang_up(hangups):
    master, slave = pty.openpty()
    stop = watch_terminal(slave, interval=0.05)
    try:
        os.write(master, b"typing is not a hang-up\n")
        assert not hangups.wait(0.3)
        os.close(master)
        assert hangups.wait(10), "no SIGHUP after the terminal closed"
    finally:
        stop()
        os.close(slave)


def test_stopping_the_watch_sends_nothing(hangups):
    master, slave = pty.openpty()
    stop = watch_terminal(slave, interval=0.05)
    stop()
    os.close(master)
    assert not hangups.wait(0.5)
    os.close(slave)


def test_a_file_that_is_not_a_terminal_is_not_watched(tmp_path, hangups):
    with open(tmp_path / "f", "w") as fh:
        stop = watch_terminal(fh.fileno())
        assert not any(t.name == "terminal-watch" for t in threading.enumerate())
        stop()
