"""The `interview-coach` command: a thin typer shell over the core.

Command modules are imported here but keep their own heavy imports (pydantic, questionary,
jinja2, fastapi) inside the command functions, so `--help` stays fast.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from interview_coach import __version__
from interview_coach.cli.commands import APP_HELP, COMMANDS, CONTENT_ENV, OPTION_HELP
from interview_coach.cli.state import state

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

        # Start-up is over (launch.py held the collector off while typer loaded): what exists now
        # lives until exit, so it is frozen out of every later collection. The young generation
        # is collected after 20,000 new objects instead of 700: a command that loads content and
        # lays out a page made dozens of collections that found next to nothing (about a tenth of
        # its time), while a long session or the service still collects its cycles.
        gc.freeze()
        gc.set_threshold(20_000, 10, 10)
        gc.enable()

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
        except Exception as exc:
            kind = _click_kind(exc)
            if kind == "usage" and not state.debug:
                ctx.exit(_usage_line(exc))
            if kind is not None or state.debug:
                raise  # click's own exits and aborts: it ends the run for them
            ctx.exit(_unexpected(exc))

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        # A bad global flag or unknown command is found here, before invoke.
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except Exception as exc:
            if _click_kind(exc) == "usage" and "--debug" not in args:
                raise typer.Exit(_usage_line(exc)) from None
            raise


def _click_kind(exc: BaseException) -> str | None:
    """"usage" for a click (or typer's own copy of click) usage error, "click" for its other
    exceptions (exits, aborts), None for anything else."""
    names = {c.__name__ for c in type(exc).__mro__ if c.__module__.split(".")[0] in ("click", "typer")}
    if "UsageError" in names:
        return "usage"
    return "click" if names else None


def _usage_line(exc: Any) -> int:
    """A usage error (bad flag value, unknown option) as one line with where to look for help."""
    from interview_coach.cli.output import error_line

    ctx = getattr(exc, "ctx", None)
    where = f"; see: {ctx.command_path} --help" if ctx is not None else ""
    error_line(f"{exc.format_message()}{where}")
    return int(getattr(exc, "exit_code", 2))


def _unexpected(exc: Exception) -> int:
    """One line for an exception nobody planned for; the exit code to end with."""
    import errno

    from interview_coach.cli.output import error_line

    if isinstance(exc, BrokenPipeError):
        # The reader of our output went away (`| head`): nothing more to say, to anyone.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    if isinstance(exc, OSError) and exc.errno == errno.EIO:
        # The terminal is gone (window closed, tmux session killed): like a hang-up, quietly.
        return 129
    from interview_coach.storage.db import explain_sqlite_error

    known = explain_sqlite_error(exc)
    if known is not None:
        error_line(str(known))
        return known.exit_code
    too_big = (isinstance(exc, OverflowError) and "SQLite INTEGER" in str(exc)) or (
        isinstance(exc, ValueError) and "integer string conversion" in str(exc)
    )
    if too_big:
        # A number from a flag, an id or a file that no check caught: still the user's input.
        error_line("a number given is larger than can be stored (at most 9223372036854775807); use a smaller one")
        return 2
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    error_line(f"internal error: {what}; run with --debug for the traceback and report it")
    return 1


app = typer.Typer(
    cls=CoachGroup,
    add_completion=False,
    # Plain help for the command list: rich's formatter alone costs more than the rest of
    # `--help`; each command's own --help keeps the rich layout.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=APP_HELP,
    invoke_without_command=True,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"interview-coach {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help=OPTION_HELP["version"]),
    debug: bool = typer.Option(False, "--debug", help=OPTION_HELP["debug"]),
    content_dir: str = typer.Option(
        None,
        "--content-dir",
        envvar=CONTENT_ENV,
        help=OPTION_HELP["content_dir"],
    ),
) -> None:
    """A terminal coach for system design interviews.

    Example: interview-coach practice --problem chat
    """
    state.debug = debug
    from interview_coach.cli import options

    # A folder that is not there is a typo, not "no extra content": say so before anything runs.
    env_value = os.environ.get("INTERVIEW_COACH_CONTENT")
    from_env = content_dir is not None and content_dir == env_value and "--content-dir" not in sys.argv
    checked = options.content_dir(content_dir, from_env)
    state.content_dir = str(checked) if checked is not None else None
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
    """Run the command line through typer (the console script goes through launch.run)."""
    app()
