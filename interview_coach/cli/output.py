"""Output for people (rich) and for scripts (--json), in one place."""

from __future__ import annotations

import dataclasses
import os
import sys
from typing import Any


def console(stderr: bool = False):  # -> rich.console.Console
    """A rich console that respects NO_COLOR, COLUMNS and non-terminal output."""
    from rich.console import Console

    width = os.environ.get("COLUMNS")
    return Console(
        stderr=stderr,
        width=int(width) if width and width.isdigit() else None,
        no_color="NO_COLOR" in os.environ,
        highlight=False,
        soft_wrap=False,
        # Text from cards and answers is shown as written: ":thumbs_up:" stays text (and rich's
        # table of emoji names is never loaded).
        emoji=False,
    )


def print_json(data: Any) -> None:
    """Plain JSON on stdout: no colour, no wrapping, stable key order as given."""
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=_default) + "\n")


def _default(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    from interview_coach.content.models import Model

    if isinstance(obj, Model) or (dataclasses.is_dataclass(obj) and not isinstance(obj, type)):
        from interview_coach.content.schema import dump

        return dump(obj)  # content classes: keyed as in their files
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def error_line(message: str) -> None:
    """The one line a user sees for a failure: on stderr, prefixed, never a traceback."""
    prefix = "error: "
    if sys.stderr.isatty() and "NO_COLOR" not in os.environ:
        prefix = "\x1b[31merror:\x1b[0m "
    # One line, of a readable length, whatever a user's file or value put into the message.
    line = " ".join(message.split())
    if len(line) > MAX_ERROR:
        line = f"{line[:MAX_ERROR]}… ({len(line):,} characters in all)"
    try:
        sys.stderr.write(prefix + line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # no terminal left to tell
        pass


MAX_ERROR = 400


def is_interactive() -> bool:
    """True when a person can answer prompts: stdin and stdout are terminals and not under CI."""
    return sys.stdin.isatty() and sys.stdout.isatty()
