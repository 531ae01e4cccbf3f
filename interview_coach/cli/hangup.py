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
import signal

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
