"""The small menu `interview-coach` opens when run with no command, in a terminal."""

from __future__ import annotations

from typing import Any

# (command, its arguments, what it does), in the order shown; only commands that exist are
# offered. Groups get the arguments that make them do something rather than print their help.
ENTRIES = (
    ("practice", [], "a timed mock interview with feedback"),
    ("quiz", [], "the chapter quiz"),
    ("estimate", ["drill"], "practise back-of-the-envelope estimates"),
    ("demo", ["all"], "watch the reference chat design run"),
    ("history", [], "your past mock interviews"),
)
QUIT = "quit"


def _current_context() -> Any:
    # typer carries its own copy of click; the context lives in whichever one runs the app.
    try:
        from typer._click.globals import get_current_context

        found = get_current_context(silent=True)
        if found is not None:
            return found
    except ImportError:
        pass
    import click

    return click.get_current_context()


def open_menu(ctx: Any = None) -> None:
    """Offer the main commands and run the one chosen; without a terminal print the help."""
    from interview_coach.cli.practice import _is_interactive

    ctx = ctx if ctx is not None else _current_context()
    group = ctx.command
    # The group loads commands on first use, so ask it for them rather than read `commands`.
    names = set(group.list_commands(ctx)) if hasattr(group, "list_commands") else set()
    available = [(name, args, what) for name, args, what in ENTRIES if name in names]
    if not _is_interactive() or not available:
        import typer

        typer.echo(ctx.get_help())
        return
    from interview_coach.ui.ask import get_asker

    labels = {f"{name:<9} {what}": (name, args) for name, args, what in available}
    labels[QUIT] = (QUIT, [])
    picked, args = labels[get_asker().select("What would you like to do?", list(labels))]
    if picked == QUIT:
        return
    command = group.get_command(ctx, picked)
    # A fresh context for the command, as if typed; errors still reach the group's handler.
    code = command.main(args=list(args), prog_name=f"{ctx.info_name} {picked}", standalone_mode=False)
    if isinstance(code, int) and code:
        ctx.exit(code)
