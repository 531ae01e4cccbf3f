"""`interview-coach demo`: run the reference chat's scenarios and watch the sequence live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    scenario: str = typer.Argument(None, help="A scenario name (see --list), or 'all'.", show_default=False),
    list_: bool = typer.Option(False, "--list", help="List the scenarios."),
    as_json: bool = typer.Option(False, "--json", help='Print {"scenarios": [{"name", "ok", "facts"}]} instead of the trace.'),
    mermaid: Path = typer.Option(
        None, "--mermaid", metavar="FILE", help="Also write the trace as a Mermaid sequence diagram (.md: fenced, one per scenario)."
    ),
    svg: str = typer.Option(
        None,
        "--svg",
        metavar="FILE",
        help="Also write the trace as an SVG sequence diagram (several scenarios: FILE-NAME.svg each).",
    ),
    live: bool = typer.Option(False, "--live", help="Run against two real chat servers over HTTP and WebSockets (see serve)."),
    redis: str = typer.Option(None, "--redis", metavar="URL", help="With --live: two `serve --redis URL` processes instead of embedded."),
) -> None:
    """Watch the reference chat design run: real servers, ids, store, fan-out, typing, media, sync.

    Each scenario drives the real components, prints the message sequence live with timings,
    then the facts it measured. It works in a temporary folder; nothing of yours is touched.

    With --live the scenarios run against two real chat servers (embedded in this process, or
    with --redis URL two `serve` processes) through HTTP and WebSockets, plus a `drain` one.

    Example: interview-coach demo delivery --mermaid delivery.mmd --svg delivery.svg
    """
    from interview_coach.chat.demo import SCENARIOS, get_scenario
    from interview_coach.errors import UsageError

    if list_:
        _list(SCENARIOS, as_json)
        return
    if not scenario:
        raise UsageError("name a scenario to run", f"try one of: {', '.join(SCENARIOS)}, all — or --list")
    if redis and not live:
        raise UsageError("--redis goes with --live", "add --live to run the scenarios on servers that use Redis")
    target = _check_mermaid_path(mermaid) if mermaid is not None else None
    svg_target = _check_path(Path(svg), "--svg", "trace.svg") if svg is not None else None
    if live:
        from interview_coach.chat.demo.live import live_names

        results = _run_live(live_names(scenario), as_json, redis)
    else:
        names = list(SCENARIOS) if scenario == "all" else [get_scenario(scenario).name]
        results = _run(names, as_json)
    if target is not None:
        _write_mermaid(target, results, quiet=as_json)
    if svg_target is not None:
        _write_svg(svg_target, results, quiet=as_json)
    failed = [r.name for r in results if not r.ok]
    if failed:
        from interview_coach.errors import CoachError

        raise CoachError(
            f"demo: {len(failed)} of {len(results)} scenario{'s' if len(results) > 1 else ''} failed: {', '.join(failed)}",
            "run it alone to see which check failed",
        )


def _list(scenarios: dict[str, Any], as_json: bool) -> None:
    if as_json:
        from interview_coach.cli.output import print_json

        print_json([{"name": s.name, "title": s.title, "summary": s.summary} for s in scenarios.values()])
        return
    from rich.table import Table

    from interview_coach.cli.output import console

    table = Table(title="Demo scenarios", show_lines=False)
    table.add_column("name", style="bold")
    table.add_column("what it shows")
    for s in scenarios.values():
        table.add_row(s.name, f"{s.title}\n[dim]{s.summary}[/dim]")
    table.add_row("all", "every scenario, one after the other")
    out = console()
    out.print(table)
    out.print("Run one: interview-coach demo delivery   (add --json for the facts only)")


def _check_mermaid_path(path: Path) -> Path:
    return _check_path(path, "--mermaid", "trace.mmd or trace.md")


def _check_path(path: Path, flag: str, example: str) -> Path:
    from interview_coach.errors import UsageError

    path = path.expanduser()
    if path.is_dir():
        raise UsageError(f"{flag}: '{path}' is a folder", f"give a file name, e.g. {example}")
    if not path.parent.is_dir():
        raise UsageError(f"{flag}: folder '{path.parent}' does not exist", "create it first or write elsewhere")
    return path


def _write_svg(path: Path, results: list[Any], *, quiet: bool) -> None:
    """One SVG file per scenario: FILE itself for one, FILE-NAME.svg beside it for several."""
    from interview_coach.chat.demo.svg import trace_to_svg

    written: list[Path] = []
    for r in results:
        each = path if len(results) == 1 else path.with_name(f"{path.stem}-{r.name}{path.suffix or '.svg'}")
        each.write_text(trace_to_svg(r.events, r.title), encoding="utf-8")
        written.append(each)
    message = "wrote " + ", ".join(str(p) for p in written)
    typer.echo(message, err=quiet)


def _run(names: list[str], as_json: bool) -> list[Any]:
    from interview_coach.chat.demo import get_scenario, run_scenario

    if as_json:
        results = [run_scenario(name) for name in names]
        from interview_coach.cli.output import print_json
        from interview_coach.chat.demo import summary_of

        print_json(summary_of(results))
        return results

    from interview_coach.cli.output import console

    out = console()
    results = []
    for name in names:
        scenario = get_scenario(name)
        out.rule(f"[bold]{scenario.title}[/bold]  [dim]({name})[/dim]")
        out.print(f"[dim]{scenario.summary}[/dim]\n")
        painter = _TracePainter(out)
        result = run_scenario(name, listener=painter)
        _render_outcome(out, result)
        results.append(result)
    if len(results) > 1:
        _render_summary(out, results)
    return results


def _run_live(names: list[str], as_json: bool, redis_url: str | None) -> list[Any]:
    from interview_coach.chat.demo.live import LIVE_SCENARIOS, run_live

    if as_json:
        from interview_coach.cli.output import print_json
        from interview_coach.chat.demo import summary_of

        results = run_live(names, redis_url=redis_url)
        print_json(summary_of(results))
        return results
    from interview_coach.cli.output import console

    out = console()
    painter = _TracePainter(out)
    results = []
    for name in names:
        out.rule(f"[bold]{LIVE_SCENARIOS[name][0]}[/bold]  [dim]({name}, {'redis' if redis_url else 'embedded'})[/dim]")
        result = run_live([name], redis_url=redis_url, listener=painter)[0]
        _render_outcome(out, result)
        results.append(result)
    if len(results) > 1:
        _render_summary(out, results)
    return results


class _TracePainter:
    """Prints each trace event as it happens: time, who, an arrow, whom, what."""

    PALETTE = ("cyan", "magenta", "green", "yellow", "blue", "bright_red", "bright_cyan", "bright_magenta", "bright_green")

    def __init__(self, out: Any) -> None:
        self.out = out
        self.colours: dict[str, str] = {}
        self.width = 22

    def _style(self, actor: str) -> str:
        if actor not in self.colours:
            self.colours[actor] = self.PALETTE[len(self.colours) % len(self.PALETTE)]
        return self.colours[actor]

    def __call__(self, event: Any) -> None:
        from rich.text import Text

        line = Text()
        line.append(f"{event.t_ms:9.2f} ms  ", style="dim")
        line.append(f"{event.source[: self.width]:<{self.width}}", style=self._style(event.source))
        if event.note:
            line.append(" ┊ ", style="dim")
            line.append(event.label, style="italic")
        else:
            line.append(" ╌╌▶ " if event.reply else " ──▶ ", style="dim" if event.reply else "bold")
            line.append(f"{event.target[: self.width]:<{self.width}}", style=self._style(event.target))
            line.append("  " + event.label)
        self.out.print(line)


def _render_outcome(out: Any, result: Any) -> None:
    import json

    from rich.table import Table

    out.print()
    for check in result.checks:
        mark = "[green]✓[/green]" if check.passed else "[red]✗[/red]"
        out.print(f"  {mark} {check.text}")
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    table.add_column("fact")
    table.add_column("measured")
    for key, value in result.facts.items():
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)
        table.add_row(key, shown)
    out.print()
    out.print(table)
    verdict = "[green]ok[/green]" if result.ok else "[red]FAILED[/red]"
    out.print(f"\n  {result.name}: {verdict} in {result.seconds:.2f} s\n")


def _render_summary(out: Any, results: list[Any]) -> None:
    from rich.table import Table

    table = Table(title="All scenarios", header_style="bold")
    table.add_column("scenario")
    table.add_column("ok")
    table.add_column("checks")
    table.add_column("seconds", justify="right")
    for r in results:
        passed = sum(c.passed for c in r.checks)
        table.add_row(r.name, "yes" if r.ok else "NO", f"{passed}/{len(r.checks)}", f"{r.seconds:.2f}")
    out.print(table)


def _write_mermaid(path: Path, results: list[Any], *, quiet: bool) -> None:
    from interview_coach.chat.demo.mermaid import markdown, trace_to_mermaid

    written: list[Path] = []
    if path.suffix.lower() in (".md", ".markdown"):
        path.write_text(markdown([(r.title, trace_to_mermaid(r.events, r.title)) for r in results]), encoding="utf-8")
        written.append(path)
    elif len(results) == 1:
        path.write_text(trace_to_mermaid(results[0].events, results[0].title) + "\n", encoding="utf-8")
        written.append(path)
    else:  # one diagram per file: a .mmd file holds a single diagram
        for r in results:
            each = path.with_name(f"{path.stem}-{r.name}{path.suffix}")
            each.write_text(trace_to_mermaid(r.events, r.title) + "\n", encoding="utf-8")
            written.append(each)
    message = "wrote " + ", ".join(str(p) for p in written)
    if quiet:
        typer.echo(message, err=True)
    else:
        typer.echo(message)
