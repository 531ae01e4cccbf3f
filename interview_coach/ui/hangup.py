"""A terminal that went away (window closed, `tmux kill-session`, ssh dropped) is a hang-up.

Then every read and write on it fails with EIO, and the prompt library's last redraws would
turn the stop into a traceback. `terminal_lost` points the standard streams that were that
terminal at /dev/null, so whatever is still written goes nowhere and the saving code that runs
on a hang-up can finish; `is_lost_terminal` tells that failure from other OS errors.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import signal
import threading
from collections.abc import Callable

_LOST = {errno.EIO, errno.ENXIO, errno.ENOTTY, errno.EBADF}


def is_lost_terminal(exc: BaseException) -> bool:
    """True for the OSError a read or write on a vanished terminal raises."""
    return isinstance(exc, OSError) and exc.errno in _LOST


def terminal_lost() -> None:
    """Redirect the streams that are terminals to /dev/null (and quiet asyncio's shutdown log).

    Further hang-ups are ignored from here on: the kernel may send SIGHUP more than once as the
    session ends (to its leader, then to the foreground group), and a second one must not cut
    short the saving the first one started. The caller restores its handlers when done.
    """
    with contextlib.suppress(ValueError, OSError, AttributeError):  # ValueError: not the main thread
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            with contextlib.suppress(OSError):
                if os.isatty(fd):
                    os.dup2(devnull, fd)
        os.close(devnull)
    # prompt_toolkit's event loop reports its failed last redraw through asyncio's logger.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)


def terminal_gone(fd: int = 0) -> bool:
    """True when `fd` is a terminal that hung up (its other side closed), as poll() reports it."""
    if not hasattr(select, "poll"):
        return False
    poller = select.poll()
    try:
        poller.register(fd, 0)
        events = poller.poll(0)
    except (OSError, ValueError):
        return False
    return any(mask & (select.POLLHUP | select.POLLERR) for _, mask in events)


def watch_terminal(fd: int = 0, interval: float = 0.2) -> Callable[[], None]:
    """Turn a vanished terminal into a hang-up signal, even when none is sent; returns `stop`.

    When the program's terminal closes, only the session's leader is sure to get SIGHUP: a
    program started by a shell may get nothing, while the prompt library reads the vanished
    terminal as "no input yet" and waits for ever. A watcher thread polls `fd` for the hang-up
    condition (POLLHUP, POLLERR) and then sends the process SIGHUP once, so the handler the
    caller installed saves and stops as on any hang-up. Nothing is watched if `fd` is not a
    terminal, or the platform has no poll().
    """
    if not hasattr(select, "poll") or not _isatty(fd):
        return lambda: None
    stopped = threading.Event()

    def run() -> None:
        poller = select.poll()
        poller.register(fd, 0)  # no events asked for: only hang-up, error and invalid are reported
        while not stopped.is_set():
            try:
                events = poller.poll(interval * 1000)
            except OSError:
                return
            if any(mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, mask in events):
                if not stopped.is_set():
                    os.kill(os.getpid(), signal.SIGHUP)
                return

    thread = threading.Thread(target=run, name="terminal-watch", daemon=True)
    thread.start()

    def stop() -> None:
        stopped.set()
        thread.join(interval * 2 + 1.0)

    return stop


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False
