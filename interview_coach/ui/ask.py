"""The one asker: every interactive prompt goes through here.

Commands take an `Asker`; the real one wraps questionary, tests swap in `ScriptedAsker` (or
drive `QuestionaryAsker` through prompt_toolkit's pipe input). Ctrl-C at a prompt raises
`Interrupted`, a KeyboardInterrupt that carries what was typed (or ticked) but not sent, so
callers can keep it as a draft and exit 130. Ctrl-D on an empty answer, or the end of input (a
terminal that went away reads as one), is the same stop. `unsent_now()` tells what the prompt
that was stopped held, for a stop that reached the caller some other way (a hang-up signal
landing while the stop was being handled).

What a person sees is made to fit the terminal: questions and options are word-wrapped to its
width (and every window of the prompt wraps, so a resize does not cut them off either), and a
live toolbar can sit under a picker as it does under a text prompt.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, Protocol

# Imported up front, not where used: a hang-up signal may arrive while the lost-terminal path
# runs, and its handler needs this module whole (an import cut in half by a signal fails).
from interview_coach.ui.hangup import is_lost_terminal, terminal_gone, terminal_lost


class Interrupted(KeyboardInterrupt):
    """Ctrl-C at a prompt. `unsent` is the text typed, or the options ticked, when it came."""

    def __init__(self, unsent: str | list[str] | None = None) -> None:
        super().__init__()
        self.unsent = unsent


class Asker(Protocol):
    def text(
        self,
        message: str,
        *,
        default: str = "",
        multiline: bool = False,
        toolbar: Callable[[], Any] | None = None,
        commands: Sequence[str] = (),
    ) -> str: ...

    def select(self, message: str, choices: Sequence[str], *, default: str | None = None) -> str: ...

    def checkbox(
        self,
        message: str,
        choices: Sequence[str],
        *,
        checked: Sequence[str] = (),
        toolbar: Callable[[], Any] | None = None,
    ) -> list[str]: ...

    def confirm(self, message: str, *, default: bool = True) -> bool: ...

    def unsent_now(self) -> str | list[str] | None:
        """What the last prompt held when it stopped without an answer (None: nothing known)."""
        ...


def _answered(value: Any) -> Any:
    if value is None:
        raise Interrupted()
    return value


def wrap_to(text: str, width: int, indent: str = "") -> str:
    """`text` word-wrapped to `width` columns, each paragraph (line) on its own; continuation
    lines start with `indent`. Words longer than a line are broken rather than cut off."""
    width = max(20, width)
    out: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            out.append(line)
            continue
        if len(line) > width:
            line = textwrap.fill(line, width=width, subsequent_indent=indent, break_on_hyphens=False)
        out.append(line)
    return "\n".join(out)


def _wrap_every_window(app: Any) -> None:
    # prompt_toolkit leaves the first lines of a multi-line prompt and questionary's option
    # list unwrapped, so long text would be cut at the right edge.
    from prompt_toolkit.filters import to_filter

    for window in app.layout.find_all_windows():
        window.wrap_lines = to_filter(True)


def _kept(app: Any, unsent: Callable[[Any], str | list[str]]) -> str | list[str] | None:
    """What was typed or ticked in `app` when it stopped (None if it cannot be read)."""
    try:
        return unsent(app)
    except Exception:  # noqa: BLE001 - what was typed is kept if it can be; the stop must happen
        return None


def _add_toolbar(app: Any, toolbar: Callable[[], Any], refresh_interval: float) -> None:
    """A live toolbar under a questionary picker, as a text prompt has one."""
    from prompt_toolkit.filters import is_done
    from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window
    from prompt_toolkit.layout.controls import FormattedTextControl

    bar = ConditionalContainer(
        Window(FormattedTextControl(toolbar), style="class:bottom-toolbar", dont_extend_height=True, wrap_lines=True),
        filter=~is_done,
    )
    focused = app.layout.current_window
    app.layout = Layout(HSplit([app.layout.container, bar]), focused_element=focused)
    app.refresh_interval = refresh_interval


def _command_enter(commands: Sequence[str]) -> Any:
    """Key bindings for a multi-line prompt: Enter on a line holding only a command sends the
    answer, with the command moved to its last line (where `split_command` looks for it)."""
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings

    names = {c.lower() for c in commands}
    bindings = KeyBindings()

    def on_command_line() -> bool:
        from prompt_toolkit.application import get_app

        return get_app().current_buffer.document.current_line.strip().lower() in names

    @bindings.add("enter", filter=Condition(on_command_line))
    def _send(event: Any) -> None:
        buffer = event.current_buffer
        lines = buffer.text.split("\n")
        command = lines.pop(buffer.document.cursor_position_row).strip()
        while lines and not lines[-1].strip():
            lines.pop()
        buffer.text = "\n".join([*lines, command])
        buffer.validate_and_handle()

    return bindings


class QuestionaryAsker:
    """Prompts in a terminal. `input`/`output` let tests pass prompt_toolkit pipe input and DummyOutput."""

    def __init__(self, input: Any = None, output: Any = None, refresh_interval: float = 1.0) -> None:
        self._io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}
        self.refresh_interval = refresh_interval
        # The prompt being asked, and how to read what it holds; kept after a stop (cleared by an
        # answer), so the caller can still read it whichever way the stop reached it.
        self._live: tuple[Any, Callable[[Any], str | list[str]]] | None = None

    def unsent_now(self) -> str | list[str] | None:
        return _kept(*self._live) if self._live is not None else None

    def width(self) -> int:
        output = self._io.get("output")
        if output is not None:
            return int(output.get_size().columns)
        return shutil.get_terminal_size((80, 24)).columns

    def _run(self, question: Any, unsent: Callable[[Any], str | list[str]]) -> Any:
        app = question.application
        _wrap_every_window(app)
        self._live = (app, unsent)
        try:
            answer = _answered(question.unsafe_ask())
        except Interrupted:
            raise
        except KeyboardInterrupt:  # Ctrl-C, or a closed terminal turned into one
            raise Interrupted(_kept(app, unsent)) from None
        except EOFError:
            # Ctrl-D on an empty answer, or the end of input: a hung-up terminal reads as end of
            # input, and then it is a hang-up. Either way a stop like Ctrl-C, nothing lost.
            if terminal_gone():
                terminal_lost()
            raise Interrupted(_kept(app, unsent)) from None
        except OSError as exc:
            if not is_lost_terminal(exc):
                raise
            # The terminal vanished under the prompt (a read or redraw failed before any hang-up
            # signal came): a stop like Ctrl-C, with the text in the prompt's buffer right now,
            # not whatever the toolbar last saw.
            terminal_lost()
            raise Interrupted(_kept(app, unsent)) from None
        self._live = None
        return answer

    def text(
        self,
        message: str,
        *,
        default: str = "",
        multiline: bool = False,
        toolbar: Callable[[], Any] | None = None,
        commands: Sequence[str] = (),
    ) -> str:
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
            finish = "Esc then Enter sends" + ("; so does Enter on a line holding only a /command" if commands else "")
            how = wrap_to(f"({finish}; Ctrl-X Ctrl-E opens $EDITOR)", self.width() - 4, "   ")
            extra["instruction"] = f"\n  {how}\n>"
            extra["enable_open_in_editor"] = True
            if commands:
                extra["key_bindings"] = _command_enter(commands)
        question = questionary.text(wrap_to(message, self.width() - 4, "  "), default=default, **extra, **self._io)
        return self._run(question, lambda app: app.current_buffer.text)

    def select(self, message: str, choices: Sequence[str], *, default: str | None = None) -> str:
        import questionary

        width = self.width()
        options = [questionary.Choice(wrap_to(c, width - 6, "     "), value=c) for c in choices]
        question = questionary.select(wrap_to(message, width - 4, "  "), choices=options, default=default, **self._io)
        return self._run(question, lambda app: [])

    def checkbox(
        self,
        message: str,
        choices: Sequence[str],
        *,
        checked: Sequence[str] = (),
        toolbar: Callable[[], Any] | None = None,
    ) -> list[str]:
        import questionary
        from questionary.prompts.common import InquirerControl

        width = self.width()
        ticked = set(checked)
        options = [questionary.Choice(wrap_to(c, width - 6, "     "), value=c, checked=c in ticked) for c in choices]
        question = questionary.checkbox(
            wrap_to(message, width - 4, "  "),
            choices=options,
            instruction="\n  (space ticks or unticks, arrows move, Enter confirms)",
            **self._io,
        )
        if toolbar is not None:
            _add_toolbar(question.application, toolbar, self.refresh_interval)
        # questionary would sum the answer up on one line with the (wrapped) option inside
        # brackets; the picker is erased instead and the ticked options listed, wrapped.
        question.application.erase_when_done = True

        def ticked_now(app: Any) -> list[str]:
            for window in app.layout.find_all_windows():
                if isinstance(window.content, InquirerControl):
                    return [str(v) for v in window.content.selected_options]
            return []

        picked = list(self._run(question, ticked_now))
        self._print_picked(message, [c for c in choices if c in picked], width)
        return picked

    def _print_picked(self, message: str, picked: list[str], width: int) -> None:
        from prompt_toolkit import print_formatted_text
        from prompt_toolkit.formatted_text import FormattedText
        from questionary.styles import merge_styles_default

        lines: list[tuple[str, str]] = [("class:qmark", "?"), ("class:question", " " + wrap_to(message, width - 4, "  "))]
        if not picked:
            lines.append(("class:answer", " none ticked"))
        for choice in picked:
            lines.append(("class:answer", "\n  ● " + wrap_to(choice, width - 6, "    ")))
        kwargs: dict[str, Any] = {"style": merge_styles_default([])}
        if "output" in self._io:
            kwargs["output"] = self._io["output"]
        print_formatted_text(FormattedText(lines), **kwargs)

    def confirm(self, message: str, *, default: bool = True) -> bool:
        import questionary

        question = questionary.confirm(wrap_to(message, self.width() - 12, "  "), default=default, **self._io)
        return bool(self._run(question, lambda app: []))


class ScriptedAsker:
    """Answers prompts from a list, in order; records what was asked and what each prompt was
    pre-filled with (`prefilled`: the default text, or the options ticked). A KeyboardInterrupt
    instance in the list is raised at that point, to simulate Ctrl-C (an `Interrupted` one
    carries the unsent text or ticks)."""

    def __init__(self, answers: Sequence[Any]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.prefilled: list[str | list[str]] = []

    def _next(self, message: str) -> Any:
        self.asked.append(message)
        if not self.answers:
            raise AssertionError(f"no scripted answer left for: {message}")
        value = self.answers.pop(0)
        if isinstance(value, BaseException):
            raise value
        return value

    def text(
        self,
        message: str,
        *,
        default: str = "",
        multiline: bool = False,
        toolbar: Callable[[], Any] | None = None,
        commands: Sequence[str] = (),
    ) -> str:
        self.prefilled.append(default)
        return str(self._next(message))

    def select(self, message: str, choices: Sequence[str], *, default: str | None = None) -> str:
        self.prefilled.append(default or "")
        value = self._next(message)
        if value not in choices:
            raise AssertionError(f"scripted answer {value!r} is not among {list(choices)!r}")
        return value

    def checkbox(
        self,
        message: str,
        choices: Sequence[str],
        *,
        checked: Sequence[str] = (),
        toolbar: Callable[[], Any] | None = None,
    ) -> list[str]:
        self.prefilled.append(list(checked))
        return list(self._next(message))

    def confirm(self, message: str, *, default: bool = True) -> bool:
        self.prefilled.append("yes" if default else "no")
        return bool(self._next(message))

    def unsent_now(self) -> str | list[str] | None:
        return None  # a scripted stop says what it held through `Interrupted.unsent`


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
