"""The one error hierarchy of the core.

The CLI maps these to one line on stderr and an exit code; nothing in the core prints.
"""

from __future__ import annotations


class CoachError(Exception):
    """A failure the user can act on: `message` says what was wrong, `hint` what would be right."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class UsageError(CoachError):
    """Bad input or usage: exit code 2."""

    exit_code = 2


class ContentError(UsageError):
    """Content that fails validation. Each problem is reported as `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0] if problems else "invalid content"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


class NotFoundError(UsageError):
    """An unknown name or id (a problem, a session, a preset)."""


class NoTerminalError(UsageError):
    """An interactive command was run without a terminal and without a scripted alternative."""
