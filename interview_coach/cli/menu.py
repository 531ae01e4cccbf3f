"""The small menu `interview-coach` opens when run with no command, in a terminal."""

from __future__ import annotations

import click

# (command, what it does), in the order shown; only commands that exist are offered.
ENTRIES = (
    ("practice", "a timed mock interview with feedback"),
    ("quiz", "the chapter quiz"),
    ("estimate", "back-of-the-envelope numbers for a problem"),
    ("demo", "watch the reference chat design run"),
    ("history", "your past mock interviews"),
)
QUIT = "quit"


def open_menu() -> None:
    """Offer the main commands and run the one chosen; without a terminal print the help."""
    from interview_coach.cli.practice import _is_interactive

    ctx = click.get_current_context()
    group = ctx.command
    available = [(name, what) for name, what in ENTRIES if isinstance(group, click.Group) and name in group.commands]
    if not _is_interactive() or not available:
        click.echo(ctx.get_help())
        return
    from interview_coach.ui.ask import get_asker

    labels = {f"{name:<9} {what}": name for name, what in available}
    labels[QUIT] = QUIT
    picked = labels[get_asker().select("What would you like to do?", list(labels))]
    if picked == QUIT:
        return
    command = group.commands[picked]  # type: ignore[union-attr]
    # A fresh context for the command, as if typed; errors still reach the group's handler.
    code = command.main(args=[], prog_name=f"{ctx.info_name} {picked}", standalone_mode=False)
    if isinstance(code, int) and code:
        ctx.exit(code)
