"""The console script's entry: the top-level help without loading typer, and a quick exit.

`interview-coach --help` is what a person runs first and most often; importing typer (with its
own copy of click) alone costs several times a bare interpreter's start-up, so the command list
is printed from the table in `commands.py`, laid out as click lays it out (tests/cli/
test_launch.py compares the two at several widths). Everything else goes to typer (`main.py`).

A command's own help is laid out by typer and rich, several times the cost of the command list;
it is the same page for the same command words and terminal, so it goes through the page cache
(`pages.py`) like a problem card: a second `practice --help` imports neither.

Start-up creates many objects and few cycles, so the cyclic garbage collector is held off until
the command's own code starts, and a short command ends without tearing down every module: the
exit handlers run and the output is flushed, then the process exits.
"""

from __future__ import annotations

import gc
import os
import sys

from interview_coach.cli.commands import APP_HELP, COMMANDS, GLOBAL_OPTIONS

TYPE_CHECKING = False  # not typing's: the top-level help runs without importing typing at all
if TYPE_CHECKING:
    from interview_coach.cli.pages import HelpPage

HELP_FLAGS = ("--help", "-h")


def top_help(prog: str, columns: int | None = None) -> str:
    """The top-level help, as click's formatter writes it for `cli/main.py`'s group."""
    import shutil
    import textwrap

    if columns is None:
        columns = shutil.get_terminal_size().columns
    width = max(min(columns, 80) - 2, 50)  # click: at most 80 columns, at least 50, minus 2
    out = [f"Usage: {prog} [OPTIONS] COMMAND [ARGS]...", ""]
    for i, paragraph in enumerate(APP_HELP.split("\n\n")):
        if i:
            out.append("")
        out.extend(textwrap.wrap(" ".join(paragraph.split()), width, initial_indent="  ", subsequent_indent="  "))
    out += ["", "Options:"]
    out += _definitions([(flags, text) for flags, text in GLOBAL_OPTIONS], width)
    out += ["", "Commands:"]
    out += _definitions([(name, summary) for name, (_, summary) in COMMANDS.items()], width)
    return "\n".join(out) + "\n"


def _definitions(rows: list[tuple[str, str]], width: int, col_max: int = 30, spacing: int = 2) -> list[str]:
    """click's `write_dl`: the first column as wide as its longest entry (at most `col_max`)."""
    import textwrap

    first = min(max(len(term) for term, _ in rows), col_max)
    lines: list[str] = []
    for term, text in rows:
        lines_text = textwrap.wrap(text, max(width - first - spacing - 2, 10)) or [""]
        if len(term) <= first:
            lines.append(f"  {term}{' ' * (first - len(term) + spacing)}{lines_text[0]}")
            rest = lines_text[1:]
        else:
            lines.append(f"  {term}")
            rest = lines_text
        lines.extend(f"{' ' * (first + spacing + 2)}{line}" for line in rest)
    return lines


def run() -> None:
    """Console-script entry point."""
    args = sys.argv[1:]
    prog = os.path.basename(sys.argv[0]) or "interview-coach"
    if len(args) == 1 and args[0] in HELP_FLAGS:
        sys.stdout.write(top_help(prog))
        sys.stdout.flush()
        return
    if args == ["--version"]:
        from interview_coach import __version__

        sys.stdout.write(f"{prog} {__version__}\n")
        sys.stdout.flush()
        return
    help_page = _help_page(prog, args)
    if help_page is not None and help_page.replay():
        quick_exit(0)
    gc.disable()  # re-enabled by the group just before the command runs (main.CoachGroup.invoke)
    from interview_coach.cli.main import app

    code = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    if help_page is not None and code == 0:
        help_page.keep()
    quick_exit(code)


def _help_page(prog: str, args: list[str]) -> HelpPage | None:
    """A command's own help (`practice --help`, `estimate drill -h`) through the page cache, or
    None for any other run.

    Only the plain form, command words then the help flag: with an option before it, `--help`
    could be that option's value and the run a real one, whose output must never be replayed.
    """
    if len(args) < 2 or args[-1] not in HELP_FLAGS or any(a.startswith("-") for a in args[:-1]):
        return None
    from interview_coach.cli.pages import HelpPage

    return HelpPage(prog, args)


def quick_exit(code: int) -> None:
    """Exit without tearing the interpreter down, when nothing can be lost by it.

    Exit handlers (atexit, including weakref finalizers such as temporary folders) run first and
    both streams are flushed; a run that still has other threads alive exits the usual way,
    which waits for them.
    """
    import threading

    if threading.active_count() > 1 or sys.getprofile() is not None or sys.gettrace() is not None:
        # Other threads to wait for, or a profiler or coverage tool that writes its report at
        # the usual exit: leave the usual way.
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)  # a closed or broken stream: let the usual exit report it
    os._exit(code)
