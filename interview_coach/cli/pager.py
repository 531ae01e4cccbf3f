"""Long output through the user's pager, the way git does it.

The pager is `$INTERVIEW_COACH_PAGER`, else `$PAGER`, else `less` when it is installed; an
empty value or `cat` means none. `less` gets `LESS=FRX` unless the user set `LESS`: it quits
at once when the text fits one screen (F), shows colours (R) and leaves the text on the screen
afterwards (X), so what follows the paged part is printed below it. Without a terminal, with
`--no-pager`, or when the pager cannot be started, the text is printed as it is.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
from typing import Any


def pager_command() -> str | None:
    """The pager to run, or None for none."""
    for name in ("INTERVIEW_COACH_PAGER", "PAGER"):
        if name in os.environ:
            chosen = os.environ[name].strip()
            return None if chosen in ("", "cat") else chosen
    return "less" if shutil.which("less") else None


def _runnable(command: str) -> bool:
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    return bool(words) and shutil.which(words[0]) is not None


def page(text: str, *, enabled: bool = True) -> None:
    """Show `text` (which may hold ANSI colours) through the pager, or print it."""
    command = pager_command() if enabled and sys.stdout.isatty() and sys.stdin.isatty() else None
    if command is None or not _runnable(command):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    sys.stdout.flush()
    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    assert proc.stdin is not None
    # Ctrl-C belongs to the pager while it runs (as in git): this process ignores it.
    previous = _ignore_sigint()
    try:
        try:
            proc.stdin.write(text.encode("utf-8", "replace"))
            proc.stdin.close()
        except BrokenPipeError:  # the reader quit before the end: that is their choice
            pass
        proc.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _ignore_sigint() -> Any:
    try:
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        return None
