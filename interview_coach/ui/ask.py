"""The one asker: every interactive prompt goes through here.

Commands take an `Asker`; the real one wraps questionary, tests swap in `ScriptedAsker` (or
drive `QuestionaryAsker` through prompt_toolkit's pipe input). questionary's `.ask()` returns
None on Ctrl-C: that is turned into KeyboardInterrupt here, in one place, so callers can save
what was given and exit 130.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol


class Asker(Protocol):
    def text(self, message: str, *, default: str = "", multiline: bool = False, toolbar: Callable[[], Any] | None = None) -> str: ...

    def select(self, message: str, choices: Sequence[str], *, default: str | None = None) -> str: ...

    def checkbox(self, message: str, choices: Sequence[str]) -> list[str]: ...

    def confirm(self, message: str, *, default: bool = True) -> bool: ...


def _answered(value: Any) -> Any:
    if value is None:
        raise KeyboardInterrupt
    return value


class QuestionaryAsker:
    """Prompts in a terminal. `input`/`output` let tests pass prompt_toolkit pipe input and DummyOutput."""

    def __init__(self, input: Any = None, output: Any = None, refresh_interval: float = 1.0) -> None:
        self._io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}
        self.refresh_interval = refresh_interval

    def text(self, message: str, *, default: str = "", multiline: bool = False, toolbar: Callable[[], Any] | None = None) -> str:
        import questionary

        extra: dict[str, Any] = {}
        if toolbar is not None:
            # prompt_toolkit redraws the toolbar every refresh_interval seconds, so a countdown
            # stays live while the user types.
            extra.update(bottom_toolbar=toolbar, refresh_interval=self.refresh_interval)
        if multiline:
            extra["multiline"] = True
            # Our own instruction in place of questionary's, on a line of its own so a long
            # question does not wrap into it, and the answer starts on the next line after ">".
            extra["instruction"] = "\n  (Esc then Enter to finish; Ctrl-X Ctrl-E opens $EDITOR)\n>"
            extra["enable_open_in_editor"] = True
        return _answered(questionary.text(message, default=default, **extra, **self._io).ask())

    def select(self, message: str, choices: Sequence[str], *, default: str | None = None) -> str:
        import questionary

        return _answered(questionary.select(message, choices=list(choices), default=default, **self._io).ask())

    def checkbox(self, message: str, choices: Sequence[str]) -> list[str]:
        import questionary

        return _answered(questionary.checkbox(message, choices=list(choices), **self._io).ask())

    def confirm(self, message: str, *, default: bool = True) -> bool:
        import questionary

        return _answered(questionary.confirm(message, default=default, **self._io).ask())


class ScriptedAsker:
    """Answers prompts from a list, in order; records what was asked. A KeyboardInterrupt
    instance in the list is raised at that point, to simulate Ctrl-C."""

    def __init__(self, answers: Sequence[Any]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def _next(self, message: str) -> Any:
        self.asked.append(message)
        if not self.answers:
            raise AssertionError(f"no scripted answer left for: {message}")
        value = self.answers.pop(0)
        if isinstance(value, BaseException):
            raise value
        return value

    def text(self, message: str, *, default: str = "", multiline: bool = False, toolbar: Callable[[], Any] | None = None) -> str:
        return str(self._next(message))

    def select(self, message: str, choices: Sequence[str], *, default: str | None = None) -> str:
        value = self._next(message)
        if value not in choices:
            raise AssertionError(f"scripted answer {value!r} is not among {list(choices)!r}")
        return value

    def checkbox(self, message: str, choices: Sequence[str]) -> list[str]:
        return list(self._next(message))

    def confirm(self, message: str, *, default: bool = True) -> bool:
        return bool(self._next(message))


_override: Asker | None = None


def get_asker() -> Asker:
    """The asker commands should use: the test override when set, else questionary."""
    return _override if _override is not None else QuestionaryAsker()


def can_prompt() -> bool:
    """Someone can answer prompts: a real terminal, or a scripted asker installed in its place."""
    if _override is not None and not isinstance(_override, QuestionaryAsker):
        return True
    from interview_coach.cli.output import is_interactive

    return is_interactive()


def set_asker(asker: Asker | None) -> None:
    """Swap the asker (tests); None restores questionary."""
    global _override
    _override = asker
