"""Rendering summaries: one Jinja2 environment, the user's template folder first, then ours.

Templates are named `<document>.<format>.j2` (`session.md.j2`, `reference.html.j2`) and share
partials whose names start with `_`. A user overrides any of them by putting a file with the
same name in `<content dir>/summary/`. HTML templates are autoescaped (by file name, so an
override is escaped too); Markdown ones are not, and use the `md*` filters below instead.
Output is deterministic: nothing here reads a clock, dates come from the session record.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
from pathlib import Path
from typing import Any

from interview_coach.errors import ContentError, UsageError

FORMATS = ("md", "html")
DOCUMENTS = ("session", "reference")


def environment(content_dir: str | Path | None = None):  # -> jinja2.Environment
    import jinja2

    from interview_coach.content.loader import template_dirs

    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader([str(d) for d in template_dirs(content_dir)])]
    loaders.append(jinja2.PackageLoader("interview_coach.summary", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Escape by file name, not by who wrote the template: a user's HTML override is escaped too.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2", "htm.j2"),
            disabled_extensions=("md.j2", "md", "txt"),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,  # a typo in a template fails loudly, not as an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(jinja2),
    )
    env.filters.update(
        md=md_inline,
        md_para=md_para,
        md_cell=md_cell,
        md_quote=md_quote,
        fence=fence,
        duration=duration,
        pct=pct,
        utc=utc_date,
        factor=factor_text,
        svg=svg_drawing,
    )
    return env


def _html_globals(env: Any) -> None:
    """What only the HTML templates use: the drawings' style sheet (its module is not small)."""
    from markupsafe import Markup

    from interview_coach.summary.svg_parts import DIAGRAM_CSS

    env.globals["diagram_css"] = Markup(DIAGRAM_CSS)


def _bytecode_cache(jinja2: Any) -> Any:
    """Compiled templates kept in the cache folder, keyed by each template's source checksum, so a
    summary does not parse and compile its templates again; None when there is no cache folder."""
    from interview_coach.content.cache import cache_dir

    folder = cache_dir()
    if folder is None:
        return None

    class QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):  # a read-only or full disk: no cache, same document
                super().dump_bytecode(bucket)

        def load_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):
                super().load_bytecode(bucket)

    try:
        (folder / "templates").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return QuietBytecodeCache(str(folder / "templates"))


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not a format", f"use {' or '.join(FORMATS)}")
    return fmt


def render(document: str, fmt: str, context: dict[str, Any], content_dir: str | Path | None = None) -> str:
    """Render `document` ("session" or "reference") as `fmt` ("md" or "html")."""
    import jinja2

    check_format(fmt)
    name = f"{document}.{fmt}.j2"
    env = environment(content_dir)
    if fmt == "html":
        _html_globals(env)
    try:
        template = env.get_template(name)
        out = template.render(**context)
        return tidy_markdown(out) if fmt == "md" else out
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise ContentError([f"{where}:{exc.lineno}: template syntax: {exc.message}"]) from None
    except jinja2.UndefinedError as exc:
        raise ContentError([f"{_template_where(exc, name)}: {exc.message} (see the context in docs/summaries.md)"]) from None
    except jinja2.TemplateNotFound as exc:
        raise ContentError([f"summary/{exc.name}:1: template not found"]) from None


def _template_where(exc: BaseException, fallback: str) -> str:
    """`file:line` of the template frame an error was raised in (Jinja maps its frames to template lines)."""
    tb = exc.__traceback__
    where = f"{fallback}:1"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


_FENCE_OPEN = re.compile(r"^(`{3,}|~{3,})")
_HEADING = re.compile(r"^#{1,6} ")


def tidy_markdown(text: str) -> str:
    """At most one blank line between blocks (outside code fences), and one newline at the end.

    Templates stay readable (macros and loops leave blank lines behind) and a user's override
    gets the same tidy output without having to manage Jinja's whitespace by hand.
    """
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        m = _FENCE_OPEN.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
            elif not line.strip() and (not out or not out[-1].strip()):
                continue
            elif _HEADING.match(line) and out and out[-1].strip():
                out.append("")
        elif line.strip() == fence:  # only the same fence closes a block
            fence = None
        out.append(line.rstrip() if fence is None else line)
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------- filters


def svg_drawing(source: Any, label: str = "Diagram") -> Any:
    """A Mermaid diagram drawn as inline SVG (markup that is safe: the drawing escapes its text).

    A diagram type that is not drawn gives a line saying so; its source still follows it.
    """
    from markupsafe import Markup, escape

    from interview_coach.summary.svg import DiagramError, draw

    try:
        return Markup(draw(str(source), label=str(label)))
    except DiagramError as exc:
        return Markup('<p class="empty">Not drawn ({}); the Mermaid source is below.</p>').format(escape(str(exc)))


_TAG_START = re.compile(r"<")


_FENCE_RUN = re.compile(r"`{3,}|~{3,}")
_BLOCK_START = re.compile(r"^(#|>|[-+*] |\d+[.)] |=+$|\|)")


def md_inline(value: Any) -> str:
    """Text inside a Markdown line: one line, no raw HTML (a '<' is written as an entity) and no fence markers."""
    text = re.sub(r"\s*\n\s*", " ", str(value)).strip()
    text = _FENCE_RUN.sub(lambda m: "".join("\\" + c for c in m.group(0)), text)
    return _TAG_START.sub("&lt;", text)


def md_para(value: Any) -> str:
    """Text that starts a Markdown line: as `md`, and nothing at its start that would make the
    line a heading, quote, list or table."""
    text = md_inline(value)
    if _BLOCK_START.match(text):
        # A backslash escapes punctuation only, so an ordered-list marker is escaped at its dot.
        text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text) if text[0].isdigit() else "\\" + text
    return text


def md_cell(value: Any) -> str:
    """Text for a Markdown table cell: no pipes or line breaks to end the cell or the row."""
    text = str(value).strip().replace("\\", "\\\\").replace("|", "\\|")
    text = _TAG_START.sub("&lt;", text)
    return re.sub(r"\s*\n\s*", "<br>", text) or " "


def md_quote(value: Any) -> str:
    """Multi-line text as a Markdown block quote, so whatever it holds stays inside the quote.

    Lines keep their breaks (a trailing backslash is Markdown's visible hard line break) so a
    list typed one item a line does not run together into one paragraph.
    """
    lines = [_TAG_START.sub("&lt;", line.rstrip()) for line in str(value).strip("\n").splitlines()] or [""]
    out = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _prose(line) and _prose(following) and not line.endswith("\\"):
            line += "\\"
        out.append(f"> {line}" if line else ">")
    return "\n".join(out)


def _prose(line: str) -> bool:
    """A line that continues a paragraph (not blank, not a fence, heading, list item or quote)."""
    text = line.strip()
    return bool(text) and not _FENCE_OPEN.match(text) and not _BLOCK_START.match(text)


def fence(value: Any, lang: str = "") -> str:
    """A fenced code block that the text cannot close: the fence is longer than any run of backticks in it."""
    text = str(value).strip("\n")
    longest = max((len(m.group(0)) for m in re.finditer(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def duration(seconds: Any) -> str:
    """Seconds as m:ss (or h:mm:ss)."""
    total = round(float(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def pct(value: Any) -> str:
    if value is None:
        return "—"
    return f"{round(float(value) * 100)}%"


def utc_date(seconds: Any) -> str:
    """Wall-clock seconds (from the session record) as a UTC date and time."""
    if not seconds:
        return "—"
    return _dt.datetime.fromtimestamp(float(seconds), tz=_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def factor_text(value: Any) -> str:
    if value is None:
        return "—"
    value = float(value)
    return f"×{value:.1f}" if value < 10 else f"×{value:.0f}"
