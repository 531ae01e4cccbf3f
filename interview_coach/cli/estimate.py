"""`interview-coach estimate`: back-of-the-envelope numbers that show their work.

    interview-coach estimate chat                  the chat preset (the chapter's numbers)
    interview-coach estimate --dau 10M --writes-per-user 20 --item-size 1KB
    interview-coach estimate numbers               reference tables
    interview-coach estimate drill chat            practise, graded by factor

`estimate PRESET` is the default command (`estimate calc PRESET` spelled out), so a preset or
flags can follow `estimate` directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from interview_coach.cli import options


class _DefaultCommandGroup(TyperGroup):
    """A group whose first argument, when it names no subcommand, goes to the `calc` command."""

    default_command = "calc"

    # The overrides take typer.Context, which typer passes to every command: the base class names
    # the click Context that typer vendors (typer._click), a private module this code stays out of.
    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return list(self.commands)

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


estimate_app = typer.Typer(
    cls=_DefaultCommandGroup,
    no_args_is_help=True,
    help=(
        "Back-of-the-envelope estimates that show their work: QPS, storage, bandwidth, "
        "connections, servers and cache, from a problem card's preset or your own numbers.\n\n"
        "Example: interview-coach estimate chat --dau 100M"
    ),
)


def register(app: typer.Typer) -> None:
    app.add_typer(estimate_app, name="estimate")


# ---------------------------------------------------------------- estimate [calc]


@estimate_app.command("calc")
def calc(
    preset: str = typer.Argument(None, help="A problem card whose numbers fill the defaults, e.g. chat.", show_default=False),
    dau: str = typer.Option(None, "--dau", help="Daily active users: 50M, 1.2B, 500K, or 300M*50%."),
    mau: str = typer.Option(None, "--mau", help="Monthly active users: 300M (with --active-fraction gives the DAU)."),
    active_fraction: str = typer.Option(None, "--active-fraction", help="Share of monthly actives active on a day: 50%."),
    writes: str = typer.Option(None, "--writes", help="Total writes instead of DAU x per user: 100M/day, 10M/month, 1B/year."),
    writes_per_user: str = typer.Option(None, "--writes-per-user", help="Writes per user per day: 100, or 60/month."),
    reads_per_write: str = typer.Option(None, "--reads-per-write", help="Reads per write: 100 or 100:1."),
    read_stream: list[str] = typer.Option(
        None, "--read-stream", help="A named read stream, repeatable: timeline:100x (per write) or search:5M/day."
    ),
    item_size: str = typer.Option(None, "--item-size", help="Bytes per write: 100B, 1KB, 2.5MB (decimal) or 1KiB (binary)."),
    item: list[str] = typer.Option(
        None, "--item", help="A kind of item written, repeatable, instead of --item-size: text:100B, media:1MB@10%."
    ),
    peak_factor: str = typer.Option(None, "--peak-factor", help="Peak over average: 2 or 2x."),
    years: str = typer.Option(None, "--years", help="Retention in years: 5."),
    replication: str = typer.Option(None, "--replication", help="Copies of the data kept: 3 (default 1)."),
    online_fraction: str = typer.Option(None, "--online-fraction", help="Share of DAU online at once: 10% or 0.1."),
    per_server_qps: str = typer.Option(None, "--per-server-qps", help="Requests one server handles per second: 10K."),
    per_server_connections: str = typer.Option(None, "--per-server-connections", help="Open connections per server: 50K."),
    cache_hot_fraction: str = typer.Option(
        None, "--cache-hot-fraction", help="Share of a day's data kept hot in cache: 20% (default)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help='Print {"inputs": {...}, "results": {name: {value, unit, rounded, formula}}}.'
    ),
) -> None:
    """Estimate from a preset and/or flags; flags override the preset.

    Example: interview-coach estimate chat --peak-factor 3

    Example: interview-coach estimate --mau 300M --active-fraction 50% --writes-per-user 2 --item text:200B --item media:1MB@10% --years 5
    """  # noqa: E501 - help shows the example as written: one line, to copy whole
    flags: dict[str, Any] = {
        "dau": dau,
        "mau": mau,
        "active_fraction": active_fraction,
        "writes": writes,
        "writes_per_user": writes_per_user,
        "reads_per_write": reads_per_write,
        "read_streams": list(read_stream or []) or None,
        "item_size": item_size,
        "items": list(item or []) or None,
        "peak_factor": peak_factor,
        "years": years,
        "replication": replication,
        "online_fraction": online_fraction,
        "per_server_qps": per_server_qps,
        "per_server_connections": per_server_connections,
        "cache_hot_fraction": cache_hot_fraction,
    }
    options.check_quantities(flags)

    def work_out() -> tuple[Any, Any]:
        from interview_coach.estimation.calculator import calculate, parse_inputs, require_results

        loaded = _load_preset(preset) if preset else None
        inputs = parse_inputs(flags)
        if loaded is not None:
            inputs = loaded.parsed().override(inputs)
        return require_results(calculate(inputs)), loaded

    if as_json:
        from interview_coach.cli.output import print_json

        print_json(work_out()[0].to_json())
        return

    def lay_out() -> str:
        from interview_coach.cli.output import console

        estimate, loaded = work_out()
        con = console()
        with con.capture() as captured:
            _render_estimate(con, estimate, loaded, overridden=sorted(k for k, v in flags.items() if v is not None))
        return captured.get()

    import sys

    from interview_coach.cli.pages import shown

    # The same preset and flags give the same page: from the page cache unless the card, the code
    # or the terminal changed (see cli/pages.py), without loading the calculator or rich.
    path = _preset_path(preset) if preset else None
    key = (str(path), *((name, tuple(v) if isinstance(v, list) else v) for name, v in flags.items()))
    sys.stdout.write(shown("estimate", key, lay_out, sources=(path,) if path else (), libraries=("rich",), terminal=True))


def _load_preset(name: str) -> Any:
    from interview_coach.cli.state import state
    from interview_coach.estimation.presets import load_preset

    with _preset_named(name):
        return load_preset(name, state.content_dir)


@contextmanager
def _preset_named(name: str) -> Iterator[None]:
    """An unknown card is an unknown preset here."""
    from interview_coach.errors import NotFoundError

    try:
        yield
    except NotFoundError as exc:
        if exc.message.startswith("unknown problem"):
            raise NotFoundError(f"unknown preset {name!r}", exc.hint) from None
        raise


def _preset_path(name: str) -> Path:
    from interview_coach.cli.state import state
    from interview_coach.content.loader import problem_path

    with _preset_named(name):
        return problem_path(name, state.content_dir)


def _inputs_line(inputs: Any) -> str:
    from interview_coach.estimation.calculator import describe_inputs

    return ", ".join(f"{name}={text}" for name, text in describe_inputs(inputs))


def _render_estimate(con: Any, estimate: Any, preset: Any, overridden: list[str]) -> None:
    from rich.console import Group, RenderableType
    from rich.padding import Padding
    from rich.text import Text

    out: list[RenderableType] = []
    title = f"Estimate: {preset.name} ({preset.title})" if preset else "Estimate"
    out.append(Text(title, style="bold"))
    out.append(Text("Inputs: " + _inputs_line(estimate.inputs)))
    if preset and overridden:
        out.append(Text("Overridden by flags: " + ", ".join(overridden), style="dim"))
    # Each result on its own line with what to say, its working below at the full width: a
    # table's third column wrapped every formula over three or four lines at 80 columns.
    width = max((len(item.label) for item in estimate.results.values()), default=0) + 2
    out.append(Text(f"\n{'Result':<{width}}Say", style="dim"))
    for item in estimate.results.values():
        line = Text(f"{item.label:<{width}}", style="bold")
        line.append(item.rounded, style="bold cyan")
        out.append(line)
        working = Text(item.formula)
        if item.shortcut:
            working.append("\naloud: " + item.shortcut, style="dim")
        out.append(Padding(working, (0, 0, 0, 2)))
    out.append(
        Text(
            "\nSay: one significant figure when that is within 5%, else two (60K for 57,870; 3.5K for 3,472). "
            "aloud: the same step from the rounded figures above it, as you would work it at the whiteboard.",
            style="dim",
        )
    )
    if preset and preset.notes:
        out.append(Text("Notes from the card:", style="bold"))
        out.extend(Text("- " + note) for note in preset.notes)
    con.print(Group(*out))


# ---------------------------------------------------------------- estimate numbers


@estimate_app.command("numbers")
def numbers(as_json: bool = typer.Option(False, "--json", help="Print every table with its source as JSON.")) -> None:
    """Reference numbers: latency, powers of two and ten, seconds per period, availability nines.

    Example: interview-coach estimate numbers --json
    """
    from interview_coach.cli.pages import print_page

    # The same tables every time: from the page cache unless the code or the terminal changed.
    print_page("numbers", (as_json,), lambda: _print_numbers(as_json), terminal=not as_json)


def _print_numbers(as_json: bool) -> None:
    from interview_coach.estimation.numbers import reference_tables

    tables = reference_tables()
    if as_json:
        from interview_coach.cli.output import print_json

        print_json({t.key: t.to_json() for t in tables})
        return
    from rich.table import Table
    from rich.text import Text

    from interview_coach.cli.output import console

    con = console()
    for t in tables:
        table = Table(title=t.title, title_justify="left", title_style="bold")
        for col in t.columns:
            table.add_column(col)
        for row in t.rows:
            table.add_row(*row)
        con.print(table)
        if t.note:
            con.print(Text(t.note, style="dim"))
        con.print(Text(f"Source: {t.source} <{t.url}>", style="dim"))
        con.print()


# ---------------------------------------------------------------- estimate drill


def _is_interactive() -> bool:
    """A person can answer: a real terminal, or a scripted asker (tests patch this too)."""
    from interview_coach.ui.ask import can_prompt

    return can_prompt()


@estimate_app.command("drill")
def drill(
    preset: str = typer.Argument(
        None, help="A problem card to drill on, e.g. chat; without one a random scenario.", show_default=False
    ),
    seed: int = typer.Option(
        None, "--seed", callback=options.seed, help="Seed for a random scenario (the same seed, the same numbers)."
    ),
    answers: Path = typer.Option(
        None, "--answers", help="YAML or JSON file of result name -> your number; no prompts.", dir_okay=False
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the graded drill as JSON (needs --answers)."),
) -> None:
    """Practise estimating: each quantity in turn, graded by factor, with the worked solution.

    Within 2x is on target, within 10x the right order of magnitude, anything else off.
    The score is saved in your history.

    Example: interview-coach estimate drill chat --answers my-answers.yaml
    """
    from interview_coach.errors import NoTerminalError, UsageError
    from interview_coach.estimation.drill import build_drill, random_drill

    if as_json and answers is None:
        raise UsageError("--json needs --answers FILE", "e.g. interview-coach estimate drill chat --answers answers.yaml --json")
    if answers is None and not _is_interactive():
        raise NoTerminalError(
            "estimate drill asks questions, and there is no terminal to ask them in",
            "pass --answers FILE (YAML or JSON: result name -> your number)",
        )
    if preset:
        loaded = _load_preset(preset)
        the_drill = build_drill(loaded.parsed(), loaded.name, seed)
    else:
        if seed is None:
            import random

            seed = random.SystemRandom().randrange(1, 1_000_000)
        the_drill = random_drill(seed)
    scripted = _read_answers(answers, the_drill) if answers is not None else None

    from interview_coach.clock import SystemClock
    from interview_coach.estimation.history import DrillHistory
    from interview_coach.storage.db import connect

    conn = connect()
    try:
        history = DrillHistory(conn, SystemClock())
        drill_id = history.start(the_drill)
        if as_json:
            for q in the_drill.questions:
                the_drill.answer(q.name, scripted.get(q.name) if scripted else None)
                history.save(drill_id, the_drill)
            from interview_coach.cli.output import print_json

            print_json({"id": drill_id, **the_drill.to_json()})
            return
        _run_drill(the_drill, scripted, lambda: history.save(drill_id, the_drill))
    finally:
        conn.close()


def _read_answers(path: Path, the_drill: Any) -> dict[str, float | None]:
    from interview_coach.content.yamlsrc import load_answers
    from interview_coach.estimation.drill import parse_answer_file

    # The one reader of user files: size, encoding, depth and alias limits, file:line errors.
    located = load_answers(path)
    return parse_answer_file(located.data, the_drill, str(located.path))


def _run_drill(the_drill: Any, scripted: dict[str, float | None] | None, save: Any) -> None:
    from rich.text import Text

    from interview_coach.cli.output import console
    from interview_coach.errors import UsageError
    from interview_coach.estimation.drill import format_factor, parse_answer
    from interview_coach.estimation.units import format_count, format_size

    con = console()
    heading = f"Drill: {the_drill.problem}" + (f" (seed {the_drill.seed})" if the_drill.seed is not None else "")
    con.print(Text(heading, style="bold"))
    con.print(Text("Given: " + _inputs_line(the_drill.inputs)))
    con.print(Text("Answer with a figure: a count with K, M or B, a size with KB to PB, a rate in MB/s or Mbps; "
                   "an empty answer skips.", style="dim"))
    asker = None
    for number, q in enumerate(the_drill.questions, 1):
        con.print()
        con.print(Text(f"{number}/{the_drill.total}. {q.label}", style="bold"))
        if scripted is not None:
            value = scripted.get(q.name)
        else:
            if asker is None:
                from interview_coach.ui.ask import get_asker

                asker = get_asker()
            while True:
                text = asker.text(q.prompt).strip()
                if not text:
                    value = None
                    break
                try:
                    value = parse_answer(q.name, text, q.kind, "your answer")
                    break
                except UsageError as exc:
                    # Named as the question was shown ("Storage over the retention"), not by its internal name.
                    con.print(Text(str(exc).replace(f"your answer: {q.name}:", f"{q.label}:"), style="red"))
        graded = the_drill.answer(q.name, value)
        save()
        shown = "-" if graded.given is None else (format_size(graded.given, 4) if q.is_size else format_count(graded.given, 4))
        factor = ""
        if graded.factor is not None and 1.005 < graded.factor < float("inf"):
            factor = f", {format_factor(graded.factor)} away"
        style = {"on target": "green", "right order of magnitude": "yellow"}.get(graded.grade, "red")
        con.print(Text(f"  you: {shown}   answer: {graded.solution.rounded}   {graded.grade}{factor}", style=style))
        con.print(Text(f"  working: {graded.solution.formula}"))
        if graded.solution.shortcut:
            con.print(Text(f"  aloud:   {graded.solution.shortcut}", style="dim"))
    con.print()
    score = f"Score: {the_drill.score:g}/{the_drill.total} (1 point on target, half within 10x). Saved to your history."
    con.print(Text(score, style="bold"))
