"""What every SVG drawing is made of: a canvas that escapes what it writes, arrowheads, colours.

Drawings carry their light colours as presentation attributes, so a file opened on its own
looks right with no stylesheet; the classes let a page restyle them (dark mode, `DIAGRAM_CSS`).
Every piece of text goes through `svgtext.esc`, the only way text enters a drawing.
"""

from __future__ import annotations

import math

from interview_coach.summary import svgtext as t

TEXT = "#1f2328"

# Dark-mode colours for the classes the drawings use; the light ones are in the attributes.
DIAGRAM_CSS = """\
svg.dg { max-width: 100%; height: auto; }
@media (prefers-color-scheme: dark) {
  svg.dg { fill: #e6edf3; }
  svg.dg .dg-actor { fill: #0c2d6b; stroke: #4493f8; }
  svg.dg .dg-node { fill: #151b23; stroke: #9198a1; }
  svg.dg .dg-node-line { stroke: #9198a1; }
  svg.dg .dg-msg, svg.dg .dg-edge { stroke: #9198a1; }
  svg.dg .dg-head { fill: #9198a1; stroke: #9198a1; }
  svg.dg .dg-life, svg.dg .dg-block { stroke: #3d444d; }
  svg.dg .dg-block-tag { fill: #212830; stroke: #3d444d; }
  svg.dg .dg-note { fill: #3a2f00; stroke: #9a6700; }
  svg.dg .dg-tier { fill: #10161d; stroke: #3d444d; }
  svg.dg .dg-tier-label { fill: #9198a1; }
  svg.dg .dg-label-bg { fill: #0d1117; }
}
"""


class Canvas:
    """Collects the elements of one drawing (no ids: many drawings share a page)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def raw(self, markup: str) -> None:
        self.parts.append(markup)

    def rect(self, x: float, y: float, w: float, h: float, *, cls: str, rx: float = 0) -> None:
        fill, stroke = _COLOURS.get(cls, ("#ffffff", "#57606a"))
        self.parts.append(
            f'<rect class="{cls}" x="{t.num(x)}" y="{t.num(y)}" width="{t.num(w)}" height="{t.num(h)}"'
            f'{f" rx={q(rx)}" if rx else ""} fill="{fill}" stroke="{stroke}"/>'
        )

    def path(self, d: str, *, cls: str, dashed: bool = False, fill: str = "none", stroke: str | None = None) -> None:
        colour = stroke or _COLOURS.get(cls, ("none", "#57606a"))[1]
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        self.parts.append(f'<path class="{cls}" d="{d}" fill="{fill}" stroke="{colour}" stroke-width="1.3"{dash}/>')

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        anchor: str = "start",
        size: float | None = None,
        cls: str = "",
        weight: str = "",
        italic: bool = False,
    ) -> None:
        attrs = [f'x="{t.num(x)}"', f'y="{t.num(y)}"']
        if anchor != "start":
            attrs.append(f'text-anchor="{anchor}"')
        if size:
            attrs.append(f'font-size="{t.num(size)}"')
        if cls:
            attrs.append(f'class="{cls}"')
        if weight:
            attrs.append(f'font-weight="{weight}"')
        if italic:
            attrs.append('font-style="italic"')
        self.parts.append(f"<text {' '.join(attrs)}>{t.esc(text)}</text>")

    def svg(self, width: float, height: float, background: str = "", *, label: str) -> str:
        w, h = math.ceil(width), math.ceil(height)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="dg" role="img" aria-label="{t.esc(label)}" '
            f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{t.esc(t.FONT_FAMILY)}" font-size="13" fill="{TEXT}">'
            f"<title>{t.esc(label)}</title>{background}{''.join(self.parts)}</svg>"
        )


def el(tag: str, text: str | None = None, **attrs: object) -> str:
    """One SVG element, its attributes and text escaped: `cls` is written `class`, `font_size` `font-size`."""
    parts = [tag]
    for name, value in attrs.items():
        if value is None:
            continue
        key = "class" if name == "cls" else name.replace("_", "-")
        shown = t.num(value) if isinstance(value, float) else str(value)
        parts.append(f'{key}="{t.esc(shown)}"')
    head = " ".join(parts)
    return f"<{head}/>" if text is None else f"<{head}>{t.esc(text)}</{tag}>"


def q(value: float) -> str:
    return f'"{t.num(value)}"'


# class -> (fill, stroke), light theme
_COLOURS = {
    "dg-actor": ("#ddf4ff", "#0969da"),
    "dg-node": ("#ffffff", "#57606a"),
    "dg-note": ("#fff8c5", "#d4a72c"),
    "dg-msg": ("none", "#57606a"),
    "dg-edge": ("none", "#57606a"),
    "dg-tier": ("#f6f8fa", "#d1d9e0"),
    "dg-label-bg": ("#ffffff", "none"),
}


def arrowhead(x: float, y: float, dx: float, dy: float, head: str = "arrow", size: float = 9.0) -> str:
    """An arrowhead with its tip at (x, y) pointing along (dx, dy): filled, open (none), a cross or a chevron."""
    if head == "open":
        return ""
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    px, py = -uy, ux  # perpendicular
    bx, by = x - ux * size, y - uy * size
    half = size * 0.45
    if head == "cross":
        s = size * 0.45
        return (
            f'<path class="dg-head" d="M{t.num(x - s)},{t.num(y - s)} L{t.num(x + s)},{t.num(y + s)} '
            f'M{t.num(x - s)},{t.num(y + s)} L{t.num(x + s)},{t.num(y - s)}" stroke="#57606a" stroke-width="1.5" fill="none"/>'
        )
    if head == "async":
        return (
            f'<path class="dg-head" d="M{t.num(bx + px * half)},{t.num(by + py * half)} L{t.num(x)},{t.num(y)} '
            f'L{t.num(bx - px * half)},{t.num(by - py * half)}" stroke="#57606a" stroke-width="1.3" fill="none"/>'
        )
    return (
        f'<path class="dg-head" d="M{t.num(x)},{t.num(y)} L{t.num(bx + px * half)},{t.num(by + py * half)} '
        f'L{t.num(bx - px * half)},{t.num(by - py * half)} Z" fill="#57606a" stroke="#57606a"/>'
    )
