"""The `interview-coach` command: a thin typer shell over the core.

Command modules are imported here but keep their own heavy imports (pydantic, questionary,
jinja2, fastapi) inside the command functions, so `--help` stays fast.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click
import typer
from typer.core import TyperGroup

from interview_coach import __version__
from interview_coach.cli.state import state

# One module per command (or group of commands); each exposes `register(app)`.
COMMAND_MODULES = [
    "practice",
    "estimate",
    "quiz",
    "summary",
    "history",
    "framework",
    "problems",
    "demo",
    "serve",
    "content",
]


class CoachGroup(TyperGroup):
    """Maps the core's errors to one line on stderr and an exit code, for every command."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        # The order of COMMAND_MODULES (the main job first), not alphabetical. typer adds
        # sub-apps after plain commands, so registration order alone would not give it.
        rank = {name: i for i, name in enumerate(COMMAND_MODULES)}
        return sorted(self.commands, key=lambda name: rank.get(name, len(rank)))

    def invoke(self, ctx: click.Context) -> Any:
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
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


app = typer.Typer(
    cls=CoachGroup,
    add_completion=False,
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


for _name in COMMAND_MODULES:
    importlib.import_module(f"interview_coach.cli.{_name}").register(app)


def run() -> None:
    """Console-script entry point."""
    app()
