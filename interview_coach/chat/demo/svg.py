"""A recorded trace as an SVG sequence diagram: its Mermaid diagram (`mermaid.py`), drawn offline."""

from __future__ import annotations

from collections.abc import Sequence

from interview_coach.chat.design.tracing import TraceEvent


def trace_to_svg(events: Sequence[TraceEvent], title: str | None = None, *, timings: bool = True) -> str:
    """The trace as a standalone SVG file's text, drawn from the same Mermaid source `--mermaid` writes."""
    from interview_coach.chat.demo.mermaid import trace_to_mermaid
    from interview_coach.summary.svg import draw, standalone

    return standalone(draw(trace_to_mermaid(events, title, timings=timings)))
