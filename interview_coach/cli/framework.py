"""`interview-coach framework`: the four-step framework as a time-boxed timeline and tables."""

from __future__ import annotations

import typer

PART_KEYS = {
    "steps": "steps",
    "tradeoffs": "tradeoffs",
    "pitfalls": "pitfalls",
    "checklist": "checklist",
    "rubric": "steps",
    "clarifying": "clarifying_categories",
    "competencies": "competencies",
}
PARTS = tuple(PART_KEYS)
PART_HELP = f"Show only these parts: {', '.join(PARTS)} (repeatable)."


def register(app: typer.Typer) -> None:
    app.command("framework")(framework)


def framework(
    part: list[str] = typer.Option(None, "--part", "-p", help=PART_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the framework as JSON."),
) -> None:
    """Show the four-step framework: timeline, trade-offs, pitfalls, checklist and rubric.

    Example: interview-coach framework --part steps --part tradeoffs
    """
    from interview_coach.cli.state import state
    from interview_coach.errors import UsageError

    chosen = list(part or [])
    for p in chosen:
        if p not in PARTS:
            raise UsageError(f"--part: unknown part {p!r}", f"choose from {', '.join(PARTS)}")
    from interview_coach.cli.pages import print_page
    from interview_coach.content.loader import framework_path

    path = framework_path(state.content_dir)
    # The same framework gives the same page: from the page cache unless the framework file, the
    # code or the terminal changed (see cli/pages.py).
    print_page("framework", (str(path), tuple(chosen), as_json), lambda: _print_framework(chosen, as_json),
               sources=(path,), terminal=not as_json)


def _print_framework(chosen: list[str], as_json: bool) -> None:
    from interview_coach.cli.state import state
    from interview_coach.content.loader import load_framework

    fw = load_framework(state.content_dir)
    if as_json:
        from interview_coach.cli.output import print_json
        from interview_coach.content.schema import dump

        data = dump(fw)
        if chosen:
            # The rubric lives inside each step, so asking for it returns the steps.
            keys = {PART_KEYS[p] for p in chosen}
            data = {k: v for k, v in data.items() if k in keys or k in ("id", "title")}
        print_json(data)
        return
    from interview_coach.cli.output import console
    from interview_coach.ui.framework_view import render_framework

    render_framework(console(), fw, chosen or list(PARTS))
