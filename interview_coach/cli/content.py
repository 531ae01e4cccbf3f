"""`interview-coach content`: check content files (yours or the built-in ones)."""

from __future__ import annotations

from pathlib import Path

import typer

content_app = typer.Typer(
    help="Check problem cards, frameworks and quiz banks.\n\nExample: interview-coach content validate my-content/",
    no_args_is_help=True,
)


MAX_SHOWN = 20


def register(app: typer.Typer) -> None:
    app.add_typer(content_app, name="content")


@content_app.command("validate")
def validate(
    paths: list[Path] = typer.Argument(None, help="Files or folders to check (default: the built-in content)."),
    as_json: bool = typer.Option(False, "--json", help="Print {\"ok\": bool, \"problems\": [...]}."),
) -> None:
    """Validate content files; every problem is printed as file:line: message (exit 2 if any).

    Example: interview-coach content validate frameworks/problems/chat.yaml
    """
    from interview_coach.content.validate import builtin_content_paths, validate_paths

    targets = list(paths) if paths else builtin_content_paths()
    problems = validate_paths(targets)
    if as_json:
        from interview_coach.cli.output import print_json

        print_json({"ok": not problems, "checked": [str(p) for p in targets], "problems": problems})
    else:
        from interview_coach.content.userfile import cut

        # A file that is wrong everywhere (thousands of keys) is summed up, not printed whole.
        for line in problems[:MAX_SHOWN]:
            typer.echo(cut(line, 500), err=True)
        if len(problems) > MAX_SHOWN:
            more = len(problems) - MAX_SHOWN
            typer.echo(f"(and {more:,} more problems; fix these first, or see them all with --json)", err=True)
        if not problems:
            typer.echo(f"ok: {', '.join(str(p) for p in targets)}")
    if problems:
        raise typer.Exit(2)
