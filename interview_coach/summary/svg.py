"""Mermaid source to SVG, offline and without JavaScript: the entry point the documents use.

`draw()` reads a diagram's Mermaid source (`diagram.py`) and draws it (`svg_sequence.py`,
`svg_flowchart.py`); `standalone()` makes a drawing a file of its own. A diagram type we do
not draw is reported as `DiagramError`, and the documents then show its source only.
"""

from __future__ import annotations

from interview_coach.summary import diagram
from interview_coach.summary.diagram import DiagramError
from interview_coach.summary.svg_parts import DIAGRAM_CSS

# The HTML page lets a drawing be wider than its text column, up to the window less a margin
# (1232 px at 1280); a wider drawing, or a narrower window or page, scales it down to fit.
MAX_WIDTH = 1040.0

DRAWN_TYPES = ("sequenceDiagram", "flowchart", "graph")


def draw(source: str, max_width: float = MAX_WIDTH, label: str | None = None) -> str:
    """The SVG drawing of a Mermaid diagram (an `<svg>` element, ready to put in a page);
    `label` names it for screen readers (by default its title, or what kind of diagram it is)."""
    kind = diagram.kind_of(source)
    if kind == "sequenceDiagram":
        from interview_coach.summary import svg_sequence

        return svg_sequence.render(diagram.parse_sequence(source), max_width=max_width, label=label)
    if kind in ("flowchart", "graph"):
        from interview_coach.summary import svg_flowchart

        return svg_flowchart.render(diagram.parse_flowchart(source), label=label)
    raise DiagramError(f"{kind or 'an empty diagram'} is not a diagram type that is drawn (only {', '.join(DRAWN_TYPES)})")


def standalone(svg: str) -> str:
    """A drawing as an SVG file: an XML declaration, and the dark-mode styles inside it."""
    head, rest = svg.split(">", 1)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}><style>{DIAGRAM_CSS}</style>{rest}\n'


__all__ = ["DIAGRAM_CSS", "DRAWN_TYPES", "DiagramError", "draw", "standalone"]
