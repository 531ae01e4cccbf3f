"""`interview-coach summary`: the design document of a mock interview, or a problem's reference design."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

FORMATS = ("md", "html")
SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def register(app: typer.Typer) -> None:
    app.command("summary")(summary)


def summary(
    which: str = typer.Argument("latest", metavar="[ID|latest]", help="A session id from `interview-coach history`, or latest."),
    fmt: str = typer.Option(None, "--format", "-f", metavar="md|html", help="Markdown (default) or one self-contained HTML file."),
    output: str = typer.Option(None, "--output", "-o", metavar="PATH", help="Write to a file instead of stdout (.html picks HTML)."),
    reference: str = typer.Option(None, "--reference", "-r", metavar="NAME", help="The reference design of a problem (chat, url_shortener, ...) instead of a session."),
) -> None:
    """Write up a mock interview as a design document, or a problem's reference design.

    Requirements, estimates, APIs, diagrams, deep dives, trade-offs, the score card and what to
    study next. With --reference NAME, the reference design of a problem card.

    Diagrams are Mermaid: fenced blocks in Markdown (GitHub draws them), source in <pre class="mermaid"> in HTML.

    Example: interview-coach summary latest --format html --output interview.html
    """
    from interview_coach.cli.state import state
    from interview_coach.errors import UsageError

    chosen = _format(fmt, output)
    if reference is not None and which != "latest":
        raise UsageError(f"give a session id ({which}) or --reference {reference}, not both", "drop one of them")
    target = _target(output)

    if reference is not None:
        from interview_coach.summary.reference import render_reference

        document = render_reference(reference, chosen, state.content_dir)
    else:
        from interview_coach.summary.session import render_session

        document = render_session(which, chosen, state.content_dir)

    if target is None:
        sys.stdout.write(document)
        return
    _write(target, document)
    typer.echo(f"Wrote {target} ({'HTML' if chosen == 'html' else 'Markdown'}).")


def _format(fmt: str | None, output: str | None) -> str:
    from interview_coach.errors import UsageError

    if fmt is None:
        suffix = Path(output).suffix.lower() if output and output != "-" else ""
        return SUFFIX_FORMATS.get(suffix, "md")
    value = fmt.strip().lower()
    value = {"markdown": "md", "htm": "html"}.get(value, value)
    if value not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not a format", "use md or html")
    return value


def _target(output: str | None) -> Path | None:
    """The file to write, checked before any work is done; None for stdout."""
    from interview_coach.errors import UsageError

    if output is None or output == "-":
        return None
    path = Path(output).expanduser()
    if path.is_dir():
        raise UsageError(f"--output: {output} is a folder", f"give a file name, e.g. {path / 'summary.md'}")
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(f"--output: folder {parent} does not exist", "create it first or write somewhere else")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"--output: {output} is not writable", "choose a path you can write to")
    return path


def _write(path: Path, document: str) -> None:
    """Write through a temporary file beside the target, so a failure never leaves half a document."""
    from interview_coach.errors import UsageError

    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(document, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"--output: cannot write {path}: {exc.strerror or exc}", "choose a path you can write to") from None
