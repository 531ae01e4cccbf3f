"""`interview-coach summary`: the design document of a mock interview, or a problem's reference design."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

FORMATS = ("md", "html", "svg")
SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def register(app: typer.Typer) -> None:
    app.command("summary")(summary)


def summary(
    which: str = typer.Argument("latest", metavar="[ID|latest]", help="A session id from `interview-coach history`, or latest."),
    fmt: str = typer.Option(
        None,
        "--format",
        "-f",
        metavar="md|html|svg",
        help="Markdown (default), one self-contained HTML file, or svg: one SVG file per diagram into --output DIR.",
    ),
    output: str = typer.Option(
        None,
        "--output",
        "-o",
        metavar="PATH",
        help="Write to a file instead of stdout (.html picks HTML); a folder for --format svg.",
    ),
    reference: str = typer.Option(
        None,
        "--reference",
        "-r",
        metavar="NAME",
        help="The reference design of a problem (chat, url_shortener, ...) instead of a session.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the document's parts as data (what the templates get, and its diagrams) instead."
    ),
) -> None:
    """Write up a mock interview as a design document, or a problem's reference design.

    Requirements, estimates, APIs, diagrams, deep dives, trade-offs, the score card and what to
    study next. With --reference NAME, the reference design of a problem card.

    Diagrams are Mermaid: fenced blocks in Markdown (GitHub draws them); the HTML draws each one
    as SVG with its Mermaid source under it; --format svg writes each as an SVG file of its own.

    Example: interview-coach summary latest --format html --output interview.html
    """
    from interview_coach.cli.state import state
    from interview_coach.errors import UsageError

    if as_json and fmt is not None:
        raise UsageError("--json and --format go separately", "drop one of them: --json prints the parts as data")
    chosen = "json" if as_json else _format(fmt, output)
    if reference is not None and which != "latest":
        raise UsageError(f"give a session id ({which}) or --reference {reference}, not both", "drop one of them")
    if chosen == "svg":
        folder = _folder(output)
    else:
        target = _target(output)

    if chosen in ("svg", "json"):
        from interview_coach.summary.document import as_data, diagrams

        context = _context(which, reference, state.content_dir)
        if chosen == "json":
            import json

            from interview_coach.cli.output import print_json

            if target is None:
                print_json(as_data(context))
            else:
                _write(target, json.dumps(as_data(context), indent=2, ensure_ascii=False) + "\n")
                typer.echo(f"Wrote {target} (JSON).")
            return
        _write_svgs(folder, diagrams(context))
        return

    if reference is not None:
        document = _reference_document(reference, chosen, state.content_dir)
    else:
        from interview_coach.summary.session import render_session

        document = render_session(which, chosen, state.content_dir)

    if target is None:
        sys.stdout.write(document)
        return
    _write(target, document)
    typer.echo(f"Wrote {target} ({'HTML' if chosen == 'html' else 'Markdown'}).")


def _reference_document(name: str, fmt: str, content_dir: str | None) -> str:
    """A card's reference write-up, from the page cache unless the card, the framework, a template
    (ours or the user's) or the code changed (see cli/pages.py): jinja2 is not imported then."""
    from interview_coach.cli.pages import shown
    from interview_coach.content.loader import framework_path, problem_path, template_dirs
    from interview_coach.paths import user_content_dir
    from interview_coach.summary.render import check_format

    check_format(fmt)
    path = problem_path(name, content_dir)
    user = user_content_dir(content_dir)
    folders = template_dirs(content_dir)
    # The user's folders too: adding a summary/ folder or a template to it must be a miss.
    sources = [path, framework_path(content_dir), *([user, user / "summary"] if user else []), *folders]
    sources += sorted(f for folder in folders for f in folder.iterdir())

    def make() -> str:
        from interview_coach.summary.reference import render_reference

        return render_reference(name, fmt, content_dir)

    return shown(f"reference-{fmt}", (str(path), fmt), make, sources=sources, libraries=("jinja2", "markupsafe"))


def _format(fmt: str | None, output: str | None) -> str:
    from interview_coach.errors import UsageError

    if fmt is None:
        suffix = Path(output).suffix.lower() if output and output != "-" else ""
        return SUFFIX_FORMATS.get(suffix, "md")
    value = fmt.strip().lower()
    value = {"markdown": "md", "htm": "html"}.get(value, value)
    if value not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not a format", "use md, html or svg")
    return value


def _context(which: str, reference: str | None, content_dir: str | None) -> dict:
    if reference is not None:
        from interview_coach.summary.reference import load_reference

        return load_reference(reference, content_dir)
    from interview_coach.summary.session import load_session_context

    return load_session_context(which, content_dir)


def _folder(output: str | None) -> Path:
    """The folder --format svg writes into, checked before any work; made when its parent exists."""
    from interview_coach.errors import UsageError

    if output is None or output == "-":
        raise UsageError("--format svg writes one file per diagram", "give a folder with --output DIR, e.g. --output diagrams")
    path = Path(output).expanduser()
    if path.exists() and not path.is_dir():
        raise UsageError(
            f"--output: {output} is a file, and --format svg writes a folder of files", "give a folder, e.g. --output diagrams"
        )
    if not path.exists():
        if not path.parent.is_dir():
            raise UsageError(f"--output: folder {path.parent} does not exist", "create it first or write somewhere else")
        try:
            path.mkdir()
        except OSError as exc:
            raise UsageError(
                f"--output: cannot create {path}: {exc.strerror or exc}", "choose a folder you can write to"
            ) from None
    if not os.access(path, os.W_OK):
        raise UsageError(f"--output: {output} is not writable", "choose a folder you can write to")
    return path


def _write_svgs(folder: Path, found: list[dict[str, str]]) -> None:
    from interview_coach.summary.svg import draw, standalone

    names = []
    for item in found:
        path = folder / f"{item['name']}.svg"
        _write(path, standalone(draw(item["mermaid"])))
        names.append(path.name)
    if names:
        typer.echo(f"Wrote {len(names)} diagram{'s' if len(names) != 1 else ''} to {folder}: {', '.join(names)}")
    else:
        typer.echo(f"No diagrams to write: this summary has none (answers like 'A -> B: what' make them); {folder} is unchanged.")


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
