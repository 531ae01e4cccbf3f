"""The `interview-coach` command: a thin typer shell over the core.

Command modules are imported here but keep their own heavy imports (pydantic, questionary,
jinja2, fastapi) inside the command functions, so `--help` stays fast.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from interview_coach import __version__
from interview_coach.cli.state import state

# The commands, the main job first: name -> (module under interview_coach.cli, one-line summary).
# A module is imported only when its command runs (or its own --help is asked for), so
# `interview-coach --help` and every command pay only for what they use. The summaries are the
# commands' own first docstring lines; tests/cli/test_help.py keeps the two equal.
COMMANDS: dict[str, tuple[str, str]] = {
    "practice": ("practice", "Run a timed mock system design interview, with an interviewer, hints and a score card."),
    "estimate": ("estimate", "Back-of-the-envelope estimates that show their work: QPS, storage, bandwidth, connections, "
                             "servers and cache, from a problem card's preset or your own numbers."),
    "quiz": ("quiz", "Take the chapter quiz, with an explanation after every answer and a score by section."),
    "summary": ("summary", "Write up a mock interview as a design document, or a problem's reference design."),
    "history": ("history", "List your mock interview sessions: id, problem, date, minutes and score."),
    "framework": ("framework", "Show the four-step framework: timeline, trade-offs, pitfalls, checklist and rubric."),
    "problems": ("problems", "Browse the interview problems."),
    "demo": ("demo", "Watch the reference chat design run: real servers, ids, store, fan-out, typing, media, sync."),
    "serve": ("serve", "Run the reference chat as a service: the chapter's HTTP API and a WebSocket, until Ctrl-C or SIGTERM."),
    "content": ("content", "Check problem cards, frameworks and quiz banks."),
}
COMMAND_MODULES = list(dict.fromkeys(module for module, _ in COMMANDS.values()))


def load_command(name: str) -> Any:
    """The click command of `name`, built from its module's `register(app)` on a Typer of its own."""
    module = importlib.import_module(f"interview_coach.cli.{COMMANDS[name][0]}")
    holder = typer.Typer(add_completion=False, context_settings={"help_option_names": ["-h", "--help"]})
    module.register(holder)
    group = typer.main.get_group(holder)
    return group.commands[name]


class CoachGroup(TyperGroup):
    """Loads each command when it is used, and maps the core's errors to one line on stderr."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            from interview_coach.errors import UsageError

            close = difflib.get_close_matches(name, list(COMMANDS), n=1)
            hint = f"did you mean {close[0]}?" if close else f"use one of {', '.join(COMMANDS)}"
            raise UsageError(f"unknown command {name[:40]!r}", hint)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # From the table, so listing the commands imports none of them.
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])

    def invoke(self, ctx: Any) -> Any:
        from interview_coach.errors import CoachError

        try:
            return super().invoke(ctx)
        except CoachError as exc:
            if state.debug:
                raise
            from interview_coach.cli.output import error_line

            error_line(str(exc))
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            if state.debug:
                raise
            typer.echo("Interrupted.", err=True)
            ctx.exit(130)


app = typer.Typer(
    cls=CoachGroup,
    add_completion=False,
    # Plain help for the command list: rich's formatter alone costs more than the rest of
    # `--help`; each command's own --help keeps the rich layout.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="A terminal coach for system design interviews.\n\nExample: interview-coach practice",
    invoke_without_command=True,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"interview-coach {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
    content_dir: str = typer.Option(
        None, "--content-dir", envvar="INTERVIEW_COACH_CONTENT", help="Extra content folder (problem cards, quiz banks, templates)."
    ),
) -> None:
    """A terminal coach for system design interviews.

    Example: interview-coach practice --problem chat
    """
    state.debug = debug
    state.content_dir = content_dir
    if ctx.invoked_subcommand is None:
        menu = sys.modules.get("interview_coach.cli.menu") or _maybe_import("interview_coach.cli.menu")
        if menu is not None:
            menu.open_menu(ctx)
        else:
            typer.echo(ctx.get_help())


def _maybe_import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def run() -> None:
    """Console-script entry point."""
    app()
